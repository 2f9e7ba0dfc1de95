"""The report for decision makers: the seed presentation's series drawn as PNG charts from the published copy of
the marts, each from its own table `reporting.rpt_chart_<series>` (dbt computes the figures, this module only reads
and draws them), and one static HTML page beside them, in `report/` next to the warehouse file. A series whose
table is missing or empty is not drawn: the page lists it with the reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from orchestration.report import coverage_charts
from orchestration.report.drawing import (
    CARE_SETTING_LV,
    CHANGE_LV,
    COLOURS,
    STATUS_LV,
    ZEMGALE,
    mid_year,
    missing_glyphs,
    number,
    pyplot,
    save,
    thousands,
    wrap,
)
from orchestration.report.page import Chart, Missing, Report, ReportError, date_range, page_html
from orchestration.swap import staged_folder

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SERIES", "ReportError", "build_report", "missing_glyphs", "report_dir"]

REPORT_FOLDER = "report"
# One table per series (dbt_project/models/reporting/<area>/rpt_chart_*.sql), in the published copy.
LONG_TERM_CARE = "reporting.rpt_chart_long_term_care"
LONG_TERM_CARE_CLIENTS = "reporting.rpt_chart_long_term_care_clients"
HOME_CARE = "reporting.rpt_chart_home_care"
DAY_CARE_CENTRES = "reporting.rpt_chart_day_care_centres"
DAY_CARE_CENTRES_BY_GROUP = "reporting.rpt_chart_day_care_centres_by_client_group"
PROVIDERS_BY_STATUS = "reporting.rpt_chart_providers_by_status"
REGISTER_CHANGES = "reporting.rpt_chart_register_changes"
PROVIDERS_BY_TYPE = "reporting.rpt_chart_providers_by_type"
PROVIDERS_BY_REGION = "reporting.rpt_chart_providers_by_region"
INSTITUTIONAL_VS_COMMUNITY = "reporting.rpt_chart_institutional_vs_community"
EXPENDITURE_PER_CAPITA = "reporting.rpt_chart_expenditure_per_capita"
SOCIAL_WORK_NORM = "reporting.rpt_chart_social_work_norm"


def report_dir(warehouse: Path) -> Path:
    return Path(warehouse).parent / REPORT_FOLDER


class _Drawer:
    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path):
        self.con, self.folder = con, folder
        self.tables = {f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        self.charts: list[Chart] = []
        self.missing: list[Missing] = []
        self.plt = pyplot()

    def has(self, table: str) -> bool:
        return table in self.tables

    def read(self, series: str, table: str, order: str) -> pd.DataFrame | None:
        """The series' table in `order`; None, and the series listed as not drawn with the reason, when the
        published copy lacks the table (a copy published before its model existed) or it has no rows (no such
        files in the landing folder)."""
        if not self.has(table):
            self.missing.append(Missing(series, f"needs `{table}`, which this published copy does not hold yet"))
            return None
        frame = self.con.execute(f"select * from {table} order by {order}").df()
        if frame.empty:
            self.missing.append(Missing(series, f"`{table}` has no rows (no such files in the landing folder)"))
            return None
        return frame

    def save(self, fig, chart: Chart) -> None:
        self.charts.append(save(fig, self.folder, chart))

    # --- the series ---

    def long_term_care(self) -> None:
        series = "Long-term care institutions, their places and clients"
        reg = self.read(series, LONG_TERM_CARE, "snapshot_date")
        if reg is None:
            return
        clients = self.read("Long-term care clients per year (line on the long-term care chart)",
                            LONG_TERM_CARE_CLIENTS, "year")
        fig, ax = self.plt.subplots(figsize=(9, 4.6))
        ax.bar(reg["snapshot_date"], reg["institutions"], width=200, color=COLOURS["muted"],
               label="institūcijas (reģistrā, sniedz)")
        ax.set_ylabel("institūciju skaits")
        right = ax.twinx()
        right.spines["right"].set_visible(True)
        right.plot(reg["snapshot_date"], reg["places"], marker="o", color=COLOURS["main"],
                   label="vietas (plānotais klientu skaits)")
        if clients is not None:
            right.plot(mid_year(clients["year"]), clients["clients"], marker="s", color=COLOURS["second"],
                       label="klienti gada laikā (pašvaldību pārskati)")
        right.set_ylabel("vietas, klienti")
        thousands(right)
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        labels = ax.get_legend_handles_labels()[1] + right.get_legend_handles_labels()[1]
        ax.legend(handles, labels, loc="upper left", frameon=False)
        ax.set_title("Ilgstošās sociālās aprūpes un rehabilitācijas institūcijas")
        last = reg.iloc[-1]
        caption = (f"Long-term social care and rehabilitation institutions providing the service in the register "
                   f"(bars) and their places (planned clients); at {last.snapshot_date:%Y-%m-%d}: "
                   f"{number(last.institutions)} institutions, {number(last.places or 0)} places.")
        if clients is not None:
            caption += " Clients during each year from the municipalities' statistics (drawn at mid-year)."
        self.save(fig, Chart("long_term_care", "Ilgstošās sociālās aprūpes institūcijas, vietas un klienti",
                             caption))

    def home_care(self) -> None:
        series = "Home-care recipients and municipal home-care spending"
        data = self.read(series, HOME_CARE, "year")
        if data is None:
            return
        fig, ax = self.plt.subplots(figsize=(9, 4.6))
        ax.bar(data["year"], data["clients"], color=COLOURS["muted"], label="aprūpes mājās saņēmēji")
        ax.set_ylabel("klientu skaits")
        thousands(ax)
        right = ax.twinx()
        right.spines["right"].set_visible(True)
        right.plot(data["year"], data["eur_million"], marker="o", color=COLOURS["second"],
                   label="pašvaldību izdevumi, milj. EUR")
        right.set_ylabel("milj. EUR")
        ax.set_xticks(data["year"], [str(y) for y in data["year"]], rotation=45)
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        labels = ax.get_legend_handles_labels()[1] + right.get_legend_handles_labels()[1]
        ax.legend(handles, labels, loc="upper left", frameon=False)
        ax.set_title("Aprūpe mājās: saņēmēji un pašvaldību izdevumi")
        last = data.iloc[-1]
        self.save(fig, Chart(
            "home_care", "Aprūpe mājās: saņēmēji un pašvaldību izdevumi",
            f"Home-care recipients during the year (bars) and municipal home-care spending in EUR million (line; "
            f"lats converted at 0.702804), all municipalities; {int(last.year)}: {number(last.clients)} "
            f"recipients, EUR {last.eur_million:,.1f} million."))

    def day_care_centres(self) -> None:
        series = "Day-care centres over time and by client group"
        total = self.read(series, DAY_CARE_CENTRES, "snapshot_date, status")
        if total is None:
            return
        groups = self.read("Day-care centres by client group (right of the day-care chart)",
                           DAY_CARE_CENTRES_BY_GROUP, "snapshot_date, client_group_code")
        wide = total.pivot_table(index="snapshot_date", columns="status", values="centres", aggfunc="sum",
                                 fill_value=0)
        fig, (left, right) = self.plt.subplots(1, 2, figsize=(12, 5), gridspec_kw={"width_ratios": [1, 1.25]})
        for status, colour in (("providing", COLOURS["main"]), ("planning", COLOURS["highlight"])):
            if status in wide:
                left.plot(wide.index, wide[status], marker="o", color=colour, label=STATUS_LV[status])
        left.set_ylabel("centru skaits")
        left.set_title("Dienas aprūpes centri reģistrā")
        left.legend(frameon=False)
        caption = "Day-care centres registered as providing or planning the service, per snapshot (left)"
        if groups is not None:
            groups = groups.rename(columns={"client_group_code": "code", "client_group_name_lv": "grp"})
            first, last = groups["snapshot_date"].min(), groups["snapshot_date"].max()
            by_group = groups[groups["snapshot_date"].isin([first, last])].pivot_table(
                index=["code", "grp"], columns="snapshot_date", values="centres", aggfunc="sum", fill_value=0)
            # largest group on top; records without a (known) group at the bottom
            unknown = by_group.index.get_level_values("code").isin(["not_given", "unrecognised"])
            by_group = by_group.assign(_known=~unknown).sort_values(["_known", last]).drop(columns="_known")
            by_group.index = by_group.index.get_level_values("grp")
            pos = range(len(by_group))
            right.barh([p + 0.2 for p in pos], by_group[last], height=0.4, color=COLOURS["main"],
                       label=f"{last:%Y-%m-%d}")
            if first != last:
                right.barh([p - 0.2 for p in pos], by_group[first], height=0.4, color=COLOURS["muted"],
                           label=f"{first:%Y-%m-%d}")
            right.set_yticks(list(pos), [wrap(g, 38) for g in by_group.index], fontsize=8)
            right.set_xlabel("centru skaits (sniedz)")
            right.set_title("Pēc klientu grupas")
            right.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
            caption += (" and by client group at the first and latest snapshot (right; a centre counts in every "
                        "group it serves, old and new wording of a group counted once)")
        else:
            right.set_axis_off()
        fig.suptitle("Dienas aprūpes centri", fontweight="bold")
        fig.tight_layout()
        self.save(fig, Chart("day_care_centres", "Dienas aprūpes centri: skaits un klientu grupas", caption + "."))

    def providers_by_status(self) -> None:
        series = "Registered providers by status"
        data = self.read(series, PROVIDERS_BY_STATUS, "snapshot_date, status")
        if data is None:
            return
        wide = data.pivot_table(index="snapshot_date", columns="status", values="records", aggfunc="sum",
                                fill_value=0)
        order = [s for s in ("providing", "planning", "stopped") if s in wide]
        fig, ax = self.plt.subplots(figsize=(9, 4.6))
        ax.stackplot(wide.index, *[wide[s] for s in order], labels=[STATUS_LV[s] for s in order],
                     colors=[COLOURS["main"], COLOURS["highlight"], COLOURS["muted"]][:len(order)], alpha=0.9)
        ax.set_ylabel("reģistra ieraksti")
        thousands(ax)
        ax.legend(loc="upper left", frameon=False)
        ax.set_title("Sociālo pakalpojumu sniedzēju reģistrs: ieraksti pēc statusa")
        last = wide.iloc[-1]
        self.save(fig, Chart(
            "providers_by_status", "Reģistra ieraksti pēc statusa",
            f"Register records (provider unit × service × address) by status, stacked, per snapshot; at "
            f"{wide.index[-1]:%Y-%m-%d}: " + ", ".join(f"{number(last[s])} {STATUS_LV[s]}" for s in order) + "."))

    def register_changes(self) -> None:
        series = "What changed in the register, month by month"
        data = self.read(series, REGISTER_CHANGES, "month, change_type")
        if data is None:
            return
        wide = data.pivot_table(index="month", columns="change_type", values="changes", aggfunc="sum",
                                fill_value=0)
        order = [c for c in CHANGE_LV if c in wide]
        colours = [COLOURS["third"], COLOURS["second"], COLOURS["highlight"], COLOURS["main"], "#7b5ea7",
                   COLOURS["muted"]]
        fig, ax = self.plt.subplots(figsize=(9, 4.6))
        # Bars a month wide, or wider where snapshots are a year apart, so that each stays visible.
        gaps = [(b - a).days for a, b in zip(wide.index[:-1], wide.index[1:])]
        width = max(25, min(0.6 * min(gaps, default=30), 120))
        bottom = None
        for change, colour in zip(order, colours):
            ax.bar(wide.index, wide[change], width=width, bottom=bottom, color=colour, label=CHANGE_LV[change])
            bottom = wide[change] if bottom is None else bottom + wide[change]
        ax.set_ylabel("izmaiņas (reģistra ieraksti)")
        thousands(ax)
        ax.legend(loc="upper right", frameon=False, ncols=2)
        ax.set_title("Kas mainījās reģistrā, mēnesi pa mēnesim")
        totals = wide.sum()
        self.save(fig, Chart(
            "register_changes", "Kas mainījās reģistrā, mēnesi pa mēnesim",
            f"Changes of register records between consecutive snapshots, counted in the month of the snapshot "
            f"that first shows them ({date_range(list(wide.index))}): " + ", ".join(
                f"{number(totals[c])} {CHANGE_LV[c]}" for c in order) + ". A record keeps its identity across "
            "the 2017 format switch and the 2021 reform, so neither shows as a burst."))

    def providers_by_type(self) -> None:
        series = "Registered providers by type"
        data = self.read(series, PROVIDERS_BY_TYPE, "snapshot_date, report_group_lv")
        if data is None:
            return
        first, last = data["snapshot_date"].min(), data["snapshot_date"].max()
        wide = data[data["snapshot_date"].isin([first, last])].pivot_table(
            index="report_group_lv", columns="snapshot_date", values="share_percent", aggfunc="sum", fill_value=0)
        wide = wide.sort_values(last)
        pos = range(len(wide))
        fig, ax = self.plt.subplots(figsize=(10, 6))
        ax.barh([p + 0.2 for p in pos], wide[last], height=0.4, color=COLOURS["main"], label=f"{last:%Y-%m-%d}")
        if first != last:
            ax.barh([p - 0.2 for p in pos], wide[first], height=0.4, color=COLOURS["muted"],
                    label=f"{first:%Y-%m-%d}")
        for p, v in zip(pos, wide[last]):
            ax.text(v + 0.3, p + 0.2, f"{v:.0f}%", va="center", fontsize=8)
        ax.set_yticks(list(pos), [wrap(g, 45) for g in wide.index], fontsize=8)
        ax.set_xlabel("% no reģistra ierakstiem")
        ax.legend(frameon=False, loc="lower right")
        ax.set_title("Reģistra ieraksti pēc pakalpojuma veida")
        top = wide[last].idxmax()
        self.save(fig, Chart(
            "providers_by_type", "Reģistra ieraksti pēc pakalpojuma veida",
            f"Shares of register records by type of service (every status), at the first and the latest snapshot; "
            f"largest at {last:%Y-%m-%d}: {top} ({wide[last].max():.0f}%)."))

    def providers_by_region(self) -> None:
        series = "Providers per planning region"
        data = self.read(series, PROVIDERS_BY_REGION, "providers_active, planning_region")
        if data is None:
            return
        latest = data["snapshot_date"].max()
        data["planning_region"] = data["planning_region"].fillna("vieta nav noteikta")
        colours = [COLOURS["highlight"] if r == ZEMGALE else COLOURS["main"] for r in data["planning_region"]]
        fig, ax = self.plt.subplots(figsize=(9, 4.2))
        ax.barh(data["planning_region"], data["providers_active"], color=colours)
        for i, v in enumerate(data["providers_active"]):
            ax.text(v + 2, i, number(v), va="center", fontsize=9,
                    fontweight="bold" if data["planning_region"].iloc[i] == ZEMGALE else "normal")
        ax.set_xlabel("pakalpojumu sniedzēji (sniedz vai plāno sniegt)")
        ax.set_title(f"Pakalpojumu sniedzēji plānošanas reģionos, {latest:%Y-%m-%d}")
        zemgale = data.loc[data["planning_region"] == ZEMGALE, "providers_active"]
        self.save(fig, Chart(
            "providers_by_region", "Pakalpojumu sniedzēji plānošanas reģionos",
            f"Provider units providing or planning at least one service, per planning region (today's map) at "
            f"{latest:%Y-%m-%d}; Zemgale highlighted"
            + (f" ({number(zemgale.iloc[0])} providers)." if not zemgale.empty else ".")))

    def institutional_vs_community(self) -> None:
        series = "Institutional vs community services"
        data = self.read(series, INSTITUTIONAL_VS_COMMUNITY, "snapshot_date, care_setting")
        if data is None:
            return
        fig, (left, right) = self.plt.subplots(1, 2, figsize=(12, 4.6))
        for setting, colour in (("institutional", COLOURS["second"]), ("community", COLOURS["third"])):
            part = data[data["care_setting"] == setting]
            left.plot(part["snapshot_date"], part["records"], marker="o", color=colour,
                      label=CARE_SETTING_LV[setting])
            right.plot(part["snapshot_date"], part["places"], marker="o", color=colour,
                       label=CARE_SETTING_LV[setting])
        left.set_title("Reģistra ieraksti (sniedz)")
        right.set_title("Vietas (plānotais klientu skaits)")
        for ax in (left, right):
            thousands(ax)
            ax.legend(frameon=False)
        fig.suptitle("Institucionālā aprūpe un sabiedrībā balstīti pakalpojumi", fontweight="bold")
        fig.tight_layout()
        last = data[data["snapshot_date"] == data["snapshot_date"].max()].set_index("care_setting")
        self.save(fig, Chart(
            "institutional_vs_community", "Institucionālā aprūpe un sabiedrībā balstīti pakalpojumi",
            "Register records providing long-term care in institutions against community-based services (day "
            "centres, home care, group homes, shelters, …), and their places; municipal social services and other "
            "services are left out. Latest: " + ", ".join(
                f"{CARE_SETTING_LV[s]} {number(last.loc[s, 'records'])} records"
                for s in CARE_SETTING_LV if s in last.index) + "."))  # institutional first, as in the legend

    def expenditure_per_capita(self) -> None:
        series = "Municipal social-protection spending per inhabitant"
        data = self.read(series, EXPENDITURE_PER_CAPITA, "year")
        if data is None:
            return
        fig, ax = self.plt.subplots(figsize=(9, 4.2))
        ax.plot(data["year"], data["eur_per_capita"], marker="o", color=COLOURS["main"])
        ax.set_ylabel("EUR uz vienu iedzīvotāju")
        ax.set_xticks(data["year"], [str(y) for y in data["year"]], rotation=45)
        ax.set_title("Pašvaldību sociālās aizsardzības izdevumi uz vienu iedzīvotāju")
        last = data.iloc[-1]
        self.save(fig, Chart(
            "expenditure_per_capita", "Sociālās aizsardzības izdevumi uz vienu iedzīvotāju",
            f"Municipal spending on social protection (functional group 10, executed) per inhabitant, all "
            f"municipalities with a population; {int(last.year)}: EUR {last.eur_per_capita:,.0f}."))

    def social_work_norm(self) -> None:
        series = "Municipalities below the social-work norm"
        data = self.read(series, SOCIAL_WORK_NORM, "year")
        if data is None:
            return
        fig, ax = self.plt.subplots(figsize=(9, 4.2))
        ax.bar(data["year"], data["meeting"], color=COLOURS["third"], label="norma izpildīta")
        ax.bar(data["year"], data["below"], bottom=data["meeting"], color=COLOURS["second"],
               label="zem normas (< 1 speciālists uz 1000 iedzīvotājiem)")
        ax.set_xticks(data["year"], [str(y) for y in data["year"]], rotation=45)
        ax.set_ylabel("pašvaldības (šodienas kartē)")
        ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)
        ax.set_title("Sociālā darba speciālistu normas izpilde")
        last = data.iloc[-1]
        self.save(fig, Chart(
            "social_work_norm", "Sociālā darba speciālistu normas izpilde",
            f"Municipalities (today's map) meeting the law's norm of one social-work specialist per 1,000 "
            f"inhabitants, and below it; {int(last.year)}: {int(last.below)} below the norm."))



SERIES: list[Callable[[_Drawer], None]] = [
    _Drawer.long_term_care, _Drawer.home_care, _Drawer.day_care_centres, _Drawer.providers_by_status,
    _Drawer.register_changes,
    _Drawer.providers_by_type, _Drawer.providers_by_region, _Drawer.institutional_vs_community,
    _Drawer.expenditure_per_capita, _Drawer.social_work_norm,
    *coverage_charts.SERIES,  # coverage by territory and the programmes (orchestration/report/coverage_charts.py)
]



def build_report(published_db: Path, folder: Path) -> Report:
    """Draw every series the published copy has the tables for, write the PNGs and index.html to `folder`
    (replacing what was there), and return what was drawn and what was not."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with staged_folder(folder) as staging:
        with duckdb.connect(str(published_db), read_only=True) as con:
            drawer = _Drawer(con, staging)
            for draw in SERIES:
                draw(drawer)
            snapshots = _distinct(drawer, PROVIDERS_BY_STATUS, "snapshot_date")
            years = _distinct(drawer, HOME_CARE, "year")
        manifest = Path(published_db).parent / "manifest.json"
        published_at = (json.loads(manifest.read_text(encoding="utf-8")).get("published_at")
                        if manifest.exists() else None)
        report = Report(folder, folder / "index.html", drawer.charts, drawer.missing, snapshots, years)
        (staging / "index.html").write_text(page_html(report, published_at), encoding="utf-8")
    for chart in report.charts:
        chart.file = folder / chart.file.name
    return report


def _distinct(drawer: _Drawer, table: str, column: str) -> list:
    """The distinct values of a series' column, for the page's heading ([] without the table)."""
    if not drawer.has(table):
        return []
    return [r[0] for r in drawer.con.execute(f"select distinct {column} from {table} order by 1").fetchall()]
