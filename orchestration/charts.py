"""The report for decision makers: the seed presentation's series drawn as PNG charts (matplotlib, Agg) from the
published copy of the marts, and one static HTML page beside them, in `report/` next to the warehouse file.
Series that need tables this warehouse does not hold (the municipal statistics and budgets) are not drawn: the
page lists them with the reason."""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

import duckdb

REPORT_FOLDER = "report"
FONT = "DejaVu Sans"  # ships with matplotlib and has every Latvian letter
ZEMGALE = "Zemgales plānošanas reģions"
STATUS_LV = {"providing": "sniedz", "planning": "plāno sniegt", "stopped": "pārtraukta darbība"}
CARE_SETTING_LV = {"institutional": "institucionālā aprūpe", "community": "sabiedrībā balstīti pakalpojumi"}
CHANGE_LV = {"registered": "reģistrēti", "removed": "izslēgti", "status_changed": "mainīts statuss",
             "renamed": "mainīts nosaukums", "moved": "mainīta adrese", "capacity_changed": "mainīts vietu skaits"}
COLOURS = {"main": "#1f5a96", "second": "#c8553d", "third": "#6a994e", "muted": "#b8c4d0", "highlight": "#e0a100"}

# Tables of the municipal statistics and budgets (another source): charts that need them are drawn only when the
# published copy holds them.
HOME_AND_DAY_CARE = "reporting.rpt_home_and_day_care"
SERVICE_STATISTICS = "marts.fct_social_service_statistics"
EXPENDITURE_PER_CAPITA = "reporting.rpt_expenditure_per_capita"
SOCIAL_WORK_NORM = "reporting.rpt_social_work_norm"


def report_dir(warehouse: Path) -> Path:
    return Path(warehouse).parent / REPORT_FOLDER


class ReportError(RuntimeError):
    pass


@dataclass
class Chart:
    name: str  # file stem
    title: str  # Latvian, as on the chart
    caption: str  # what it shows and where from, for the page
    file: Path | None = None


@dataclass
class Missing:
    series: str
    reason: str


@dataclass
class Report:
    folder: Path
    index: Path
    charts: list[Chart]
    missing: list[Missing]
    snapshots: list[dt.date]
    years: list[int] = field(default_factory=list)

    def as_markdown(self, embed: bool = True) -> str:
        """The charts as Markdown with the PNGs embedded (data URIs), for the asset's metadata in the UI."""
        parts = [f"**Register snapshots** {_range(self.snapshots)}" + (
            f"; **statistics years** {self.years[0]}–{self.years[-1]}" if self.years else "")]
        for chart in self.charts:
            parts.append(f"### {chart.title}\n\n{chart.caption}")
            if embed:
                data = base64.b64encode(chart.file.read_bytes()).decode("ascii")
                parts.append(f"![{chart.name}](data:image/png;base64,{data})")
        if self.missing:
            parts.append("### Not drawn\n\n" + "\n".join(f"- {m.series}: {m.reason}" for m in self.missing))
        return "\n\n".join(parts)


def _range(dates) -> str:
    if not dates:
        return "none"
    return f"{dates[0]:%Y-%m-%d} … {dates[-1]:%Y-%m-%d} ({len(dates)})"


# --- drawing -------------------------------------------------------------------------------------------------------

def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.family": FONT, "font.size": 10, "axes.spines.top": False,
                         "axes.spines.right": False, "axes.titleweight": "bold", "figure.dpi": 100})
    return plt


def missing_glyphs(text: str, family: str = FONT) -> set[str]:
    """Characters of `text` the font has no glyph for (they would print as empty boxes, 'tofu')."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    font = FT2Font(font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))
    return {ch for ch in text if not ch.isspace() and font.get_char_index(ord(ch)) == 0}


def _check_glyphs(fig, name: str) -> None:
    from matplotlib import font_manager
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        content = text.get_text()
        if not content:
            continue
        family = Path(font_manager.findfont(text.get_fontproperties())).stem
        if not family.startswith("DejaVuSans"):
            raise ReportError(f"chart {name}: text {content!r} is set in {family}, not {FONT}")
        lost = missing_glyphs(content)
        if lost:
            raise ReportError(f"chart {name}: no glyph for {''.join(sorted(lost))!r} in {content!r}")


def _save(fig, folder: Path, chart: Chart) -> Chart:
    plt = _pyplot()
    _check_glyphs(fig, chart.name)
    chart.file = folder / f"{chart.name}.png"
    fig.savefig(chart.file, format="png", bbox_inches="tight", metadata={"Software": "lvsocial report"})
    plt.close(fig)
    return chart


def _mid_year(years) -> list[pd.Timestamp]:
    """A yearly figure (clients or spending during the year) drawn at 1 July of its year."""
    import pandas as pd

    return [pd.Timestamp(int(y), 7, 1) for y in years]


def _thousands(ax, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}".replace(",", " "))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _number(n) -> str:
    return f"{n:,.0f}".replace(",", " ")


class _Drawer:
    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path):
        self.con, self.folder = con, folder
        self.tables = {f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        self.charts: list[Chart] = []
        self.missing: list[Missing] = []
        self.plt = _pyplot()

    def df(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()

    def has(self, table: str) -> bool:
        return table in self.tables

    def need(self, series: str, *tables: str) -> bool:
        absent = [t for t in tables if not self.has(t)]
        if absent:
            self.missing.append(Missing(series, f"needs {', '.join(f'`{t}`' for t in absent)} (municipal "
                                                "social-service statistics and budgets), which this warehouse "
                                                "does not hold yet"))
        return not absent

    def empty(self, series: str, frame: pd.DataFrame, table: str) -> bool:
        if frame.empty:
            self.missing.append(Missing(series, f"`{table}` has no rows (no such files in the landing folder)"))
        return frame.empty

    def save(self, fig, chart: Chart) -> None:
        self.charts.append(_save(fig, self.folder, chart))

    # --- the series ---

    def long_term_care(self) -> None:
        series = "Long-term care institutions, their places and clients"
        reg = self.df("""
            select snapshot_date, sum(providers) as institutions, sum(places) as places
            from reporting.rpt_register_by_service
            where service_code = 'ltc_institution' and status = 'providing'
            group by 1 order by 1""")
        if self.empty(series, reg, "reporting.rpt_register_by_service"):
            return
        clients = None
        if self.need("Long-term care clients per year (line on the long-term care chart)", SERVICE_STATISTICS):
            clients = self.df(f"""
                select f.year, sum(f.clients) as clients
                from {SERVICE_STATISTICS} as f join marts.dim_service as s on s.service_key = f.service_key
                where s.service_code = 'ltc_institution' group by 1 order by 1""")
        fig, ax = self.plt.subplots(figsize=(9, 4.6))
        ax.bar(reg["snapshot_date"], reg["institutions"], width=200, color=COLOURS["muted"],
               label="institūcijas (reģistrā, sniedz)")
        ax.set_ylabel("institūciju skaits")
        right = ax.twinx()
        right.spines["right"].set_visible(True)
        right.plot(reg["snapshot_date"], reg["places"], marker="o", color=COLOURS["main"],
                   label="vietas (plānotais klientu skaits)")
        if clients is not None and not clients.empty:
            right.plot(_mid_year(clients["year"]), clients["clients"], marker="s", color=COLOURS["second"],
                       label="klienti gada laikā (pašvaldību pārskati)")
        right.set_ylabel("vietas, klienti")
        _thousands(right)
        handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
        labels = ax.get_legend_handles_labels()[1] + right.get_legend_handles_labels()[1]
        ax.legend(handles, labels, loc="upper left", frameon=False)
        ax.set_title("Ilgstošās sociālās aprūpes un rehabilitācijas institūcijas")
        last = reg.iloc[-1]
        caption = (f"Long-term social care and rehabilitation institutions providing the service in the register "
                   f"(bars) and their places (planned clients); at {last.snapshot_date:%Y-%m-%d}: "
                   f"{_number(last.institutions)} institutions, {_number(last.places or 0)} places.")
        if clients is not None and not clients.empty:
            caption += " Clients during each year from the municipalities' statistics (drawn at mid-year)."
        self.save(fig, Chart("long_term_care", "Ilgstošās sociālās aprūpes institūcijas, vietas un klienti",
                             caption))

    def home_care(self) -> None:
        series = "Home-care recipients and municipal home-care spending"
        if not self.need(series, HOME_AND_DAY_CARE):
            return
        data = self.df(f"""
            select year, sum(home_care_clients) as clients, sum(home_care_eur) / 1e6 as eur_million
            from {HOME_AND_DAY_CARE} group by 1 order by 1""")
        if self.empty(series, data, HOME_AND_DAY_CARE):
            return
        fig, ax = self.plt.subplots(figsize=(9, 4.6))
        ax.bar(data["year"], data["clients"], color=COLOURS["muted"], label="aprūpes mājās saņēmēji")
        ax.set_ylabel("klientu skaits")
        _thousands(ax)
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
            f"lats converted at 0.702804), all municipalities; {int(last.year)}: {_number(last.clients)} "
            f"recipients, EUR {last.eur_million:,.1f} million."))

    def day_care_centres(self) -> None:
        series = "Day-care centres over time and by client group"
        total = self.df("""
            select snapshot_date, status, sum(providers) as centres
            from reporting.rpt_register_by_service
            where service_code = 'day_care_centre' and status <> 'stopped'
            group by 1, 2 order by 1""")
        groups = self.df("""
            select snapshot_date, client_group_code as code, client_group_name_lv as grp, centres
            from reporting.rpt_day_care_centres_by_client_group where status = 'providing'""")
        if self.empty(series, total, "reporting.rpt_register_by_service"):
            return
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
        if not groups.empty:
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
            right.set_yticks(list(pos), [_wrap(g, 38) for g in by_group.index], fontsize=8)
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
        data = self.df("""
            select snapshot_date, status, sum(records) as records
            from reporting.rpt_register_by_region_and_type group by 1, 2 order by 1""")
        if self.empty(series, data, "reporting.rpt_register_by_region_and_type"):
            return
        wide = data.pivot_table(index="snapshot_date", columns="status", values="records", aggfunc="sum",
                                fill_value=0)
        order = [s for s in ("providing", "planning", "stopped") if s in wide]
        fig, ax = self.plt.subplots(figsize=(9, 4.6))
        ax.stackplot(wide.index, *[wide[s] for s in order], labels=[STATUS_LV[s] for s in order],
                     colors=[COLOURS["main"], COLOURS["highlight"], COLOURS["muted"]][:len(order)], alpha=0.9)
        ax.set_ylabel("reģistra ieraksti")
        _thousands(ax)
        ax.legend(loc="upper left", frameon=False)
        ax.set_title("Sociālo pakalpojumu sniedzēju reģistrs: ieraksti pēc statusa")
        last = wide.iloc[-1]
        self.save(fig, Chart(
            "providers_by_status", "Reģistra ieraksti pēc statusa",
            f"Register records (provider unit × service × address) by status, stacked, per snapshot; at "
            f"{wide.index[-1]:%Y-%m-%d}: " + ", ".join(f"{_number(last[s])} {STATUS_LV[s]}" for s in order) + "."))

    def register_changes(self) -> None:
        series = "What changed in the register, month by month"
        data = self.df("""
            select month, change_type, sum(changes) as changes
            from reporting.rpt_register_changes_by_month group by 1, 2 order by 1""")
        if self.empty(series, data, "reporting.rpt_register_changes_by_month"):
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
        _thousands(ax)
        ax.legend(loc="upper right", frameon=False, ncols=2)
        ax.set_title("Kas mainījās reģistrā, mēnesi pa mēnesim")
        totals = wide.sum()
        self.save(fig, Chart(
            "register_changes", "Kas mainījās reģistrā, mēnesi pa mēnesim",
            f"Changes of register records between consecutive snapshots, counted in the month of the snapshot "
            f"that first shows them ({_range(list(wide.index))}): " + ", ".join(
                f"{_number(totals[c])} {CHANGE_LV[c]}" for c in order) + ". A record keeps its identity across "
            "the 2017 format switch and the 2021 reform, so neither shows as a burst."))

    def providers_by_type(self) -> None:
        series = "Registered providers by type"
        data = self.df("""
            select snapshot_date, report_group_lv as grp, sum(records) as records
            from reporting.rpt_register_by_region_and_type group by 1, 2""")
        if self.empty(series, data, "reporting.rpt_register_by_region_and_type"):
            return
        first, last = data["snapshot_date"].min(), data["snapshot_date"].max()
        data["share"] = 100 * data["records"] / data.groupby("snapshot_date")["records"].transform("sum")
        wide = data[data["snapshot_date"].isin([first, last])].pivot_table(
            index="grp", columns="snapshot_date", values="share", aggfunc="sum", fill_value=0)
        wide = wide.sort_values(last)
        pos = range(len(wide))
        fig, ax = self.plt.subplots(figsize=(10, 6))
        ax.barh([p + 0.2 for p in pos], wide[last], height=0.4, color=COLOURS["main"], label=f"{last:%Y-%m-%d}")
        if first != last:
            ax.barh([p - 0.2 for p in pos], wide[first], height=0.4, color=COLOURS["muted"],
                    label=f"{first:%Y-%m-%d}")
        for p, v in zip(pos, wide[last]):
            ax.text(v + 0.3, p + 0.2, f"{v:.0f}%", va="center", fontsize=8)
        ax.set_yticks(list(pos), [_wrap(g, 45) for g in wide.index], fontsize=8)
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
        data = self.df("""
            select planning_region, providers_active from reporting.rpt_register_by_region
            where snapshot_date = (select max(snapshot_date) from reporting.rpt_register_by_region)
            order by providers_active""")
        if self.empty(series, data, "reporting.rpt_register_by_region"):
            return
        latest = self.con.execute("select max(snapshot_date) from reporting.rpt_register_by_region").fetchone()[0]
        data["planning_region"] = data["planning_region"].fillna("vieta nav noteikta")
        colours = [COLOURS["highlight"] if r == ZEMGALE else COLOURS["main"] for r in data["planning_region"]]
        fig, ax = self.plt.subplots(figsize=(9, 4.2))
        ax.barh(data["planning_region"], data["providers_active"], color=colours)
        for i, v in enumerate(data["providers_active"]):
            ax.text(v + 2, i, _number(v), va="center", fontsize=9,
                    fontweight="bold" if data["planning_region"].iloc[i] == ZEMGALE else "normal")
        ax.set_xlabel("pakalpojumu sniedzēji (sniedz vai plāno sniegt)")
        ax.set_title(f"Pakalpojumu sniedzēji plānošanas reģionos, {latest:%Y-%m-%d}")
        zemgale = data.loc[data["planning_region"] == ZEMGALE, "providers_active"]
        self.save(fig, Chart(
            "providers_by_region", "Pakalpojumu sniedzēji plānošanas reģionos",
            f"Provider units providing or planning at least one service, per planning region (today's map) at "
            f"{latest:%Y-%m-%d}; Zemgale highlighted"
            + (f" ({_number(zemgale.iloc[0])} providers)." if not zemgale.empty else ".")))

    def institutional_vs_community(self) -> None:
        series = "Institutional vs community services"
        data = self.df("""
            select snapshot_date, care_setting, sum(records) as records, sum(places) as places
            from reporting.rpt_register_by_service
            where status = 'providing' and care_setting in ('institutional', 'community')
            group by 1, 2 order by 1""")
        if self.empty(series, data, "reporting.rpt_register_by_service"):
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
            _thousands(ax)
            ax.legend(frameon=False)
        fig.suptitle("Institucionālā aprūpe un sabiedrībā balstīti pakalpojumi", fontweight="bold")
        fig.tight_layout()
        last = data[data["snapshot_date"] == data["snapshot_date"].max()].set_index("care_setting")
        self.save(fig, Chart(
            "institutional_vs_community", "Institucionālā aprūpe un sabiedrībā balstīti pakalpojumi",
            "Register records providing long-term care in institutions against community-based services (day "
            "centres, home care, group homes, shelters, …), and their places; municipal social services and other "
            "services are left out. Latest: " + ", ".join(
                f"{CARE_SETTING_LV[s]} {_number(last.loc[s, 'records'])} records" for s in last.index) + "."))

    def expenditure_per_capita(self) -> None:
        series = "Municipal social-protection spending per inhabitant"
        if not self.need(series, EXPENDITURE_PER_CAPITA):
            return
        data = self.df(f"""
            select year, sum(executed_eur) / sum(population) as eur_per_capita
            from {EXPENDITURE_PER_CAPITA}
            where is_group_total and population > 0 group by 1 order by 1""")
        if self.empty(series, data, EXPENDITURE_PER_CAPITA):
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
        if not self.need(series, SOCIAL_WORK_NORM):
            return
        data = self.df(f"""
            select year, sum(case when meets_norm then 1 else 0 end) as meeting,
                   sum(case when not meets_norm then 1 else 0 end) as below
            from {SOCIAL_WORK_NORM} where meets_norm is not null group by 1 order by 1""")
        if self.empty(series, data, SOCIAL_WORK_NORM):
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


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


SERIES: list[Callable[[_Drawer], None]] = [
    _Drawer.long_term_care, _Drawer.home_care, _Drawer.day_care_centres, _Drawer.providers_by_status,
    _Drawer.register_changes,
    _Drawer.providers_by_type, _Drawer.providers_by_region, _Drawer.institutional_vs_community,
    _Drawer.expenditure_per_capita, _Drawer.social_work_norm,
]


# --- the page ------------------------------------------------------------------------------------------------------

def _page(report: Report, published_at: str | None) -> str:
    esc = html.escape
    figures = "\n".join(
        f'<figure id="{esc(c.name)}">\n  <h2>{esc(c.title)}</h2>\n'
        f'  <img src="{esc(c.file.name)}" alt="{esc(c.title)}">\n  <figcaption>{esc(c.caption)}</figcaption>\n'
        f"</figure>" for c in report.charts)
    missing = ""
    if report.missing:
        missing = ('<section id="missing">\n  <h2>Not drawn</h2>\n  <ul>\n' + "\n".join(
            f"    <li><b>{esc(m.series)}</b>: {_code(m.reason)}</li>" for m in report.missing)
            + "\n  </ul>\n</section>")
    years = (f" · statistics years {report.years[0]}–{report.years[-1]}" if report.years else "")
    return f"""<!DOCTYPE html>
<html lang="lv">
<head>
<meta charset="utf-8">
<title>lvsocial — sociālie pakalpojumi Latvijā</title>
<style>
  body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1250px; margin: 2em auto; padding: 0 1em;
         color: #1d2733; }}
  figure {{ margin: 2.5em 0; }} img {{ max-width: 100%; border: 1px solid #e3e8ee; }}
  figcaption {{ color: #4a5868; max-width: 900px; }} .meta {{ color: #4a5868; }}
</style>
</head>
<body>
<h1>Sociālie pakalpojumi Latvijā</h1>
<p class="meta">Register snapshots {esc(_range(report.snapshots))}{esc(years)} · from the published copy of the
marts{esc(f" (published {published_at})" if published_at else "")} · drawn by the lvsocial pipeline
(asset <code>report/charts</code>) on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.</p>
{figures}
{missing}
</body>
</html>
"""


def _code(text: str) -> str:
    """Escape text for HTML, with `backticked` table names as <code>."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def build_report(published_db: Path, folder: Path) -> Report:
    """Draw every series the published copy has the tables for, write the PNGs and index.html to `folder`
    (replacing what was there), and return what was drawn and what was not."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    staging = folder.parent / f".{folder.name}-{stamp}.tmp"
    staging.mkdir()
    try:
        with duckdb.connect(str(published_db), read_only=True) as con:
            drawer = _Drawer(con, staging)
            for draw in SERIES:
                draw(drawer)
            snapshots = [r[0] for r in con.execute(
                "select distinct snapshot_date from reporting.rpt_register_by_service order by 1").fetchall()]
            years: list[int] = []
            if drawer.has(HOME_AND_DAY_CARE):
                years = [r[0] for r in con.execute(
                    f"select distinct year from {HOME_AND_DAY_CARE} order by 1").fetchall()]
        manifest = Path(published_db).parent / "manifest.json"
        published_at = (json.loads(manifest.read_text(encoding="utf-8")).get("published_at")
                        if manifest.exists() else None)
        report = Report(folder, folder / "index.html", drawer.charts, drawer.missing, snapshots, years)
        (staging / "index.html").write_text(_page(report, published_at), encoding="utf-8")
        _swap_in(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for chart in report.charts:
        chart.file = folder / chart.file.name
    return report


def _swap_in(new: Path, folder: Path) -> None:
    """Replace `folder` by `new` with two renames: a reader sees the old page or the new one, never a mix of
    both (between the renames, for an instant, none)."""
    old = folder.parent / f".{folder.name}-old-{os.getpid()}.tmp"
    if folder.exists():
        os.replace(folder, old)
    os.replace(new, folder)
    shutil.rmtree(old, ignore_errors=True)
