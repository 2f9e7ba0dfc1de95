"""The report's charts of coverage by territory and of the programmes (issue 19): the coverage of home care and day
centres per municipality on a tile map, the rural population without them per planning region, the care balance
over time and programme targets against results. Each draws its own table `reporting.rpt_chart_<series>` (dbt
computes the figures) through the report's drawer: `read()` lists a missing or empty table as not drawn, `save()`
writes the PNG. No package installable here carries Latvia's municipal boundaries offline, so the map is a tile map:
one square per municipality in its approximate place (seed `municipality_tiles`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol

from orchestration.report.drawing import COLOURS, number, thousands, wrap
from orchestration.report.page import Chart

if TYPE_CHECKING:
    import pandas as pd

SERVICE_COVERAGE_MAP = "reporting.rpt_chart_service_coverage_map"
RURAL_WITHOUT_SERVICE = "reporting.rpt_chart_rural_without_service"
CARE_BALANCE = "reporting.rpt_chart_care_balance"
PROGRAMME_TARGETS = "reporting.rpt_chart_programme_targets"
TABLES = (SERVICE_COVERAGE_MAP, RURAL_WITHOUT_SERVICE, CARE_BALANCE, PROGRAMME_TARGETS)

SERVICE_GROUP_LV = {"home_care": "aprūpe mājās", "day_centres": "dienas centri"}
WITHOUT_LV = {"home_care": "bez aprūpes mājās", "day_centres": "bez dienas centra"}
TARGET_STATUS_LV = {"met": "sasniegts", "not_met": "nav sasniegts", "not_due": "termiņš vēl nav pienācis"}
TARGET_COLOURS = {"met": COLOURS["third"], "not_met": COLOURS["second"], "not_due": COLOURS["muted"]}
NO_FIGURES = "#eeeeee"
BORDER_EDGE = "#1d2733"
REGION = " plānošanas reģions"


class Drawer(Protocol):
    plt: object

    def read(self, series: str, table: str, order: str) -> pd.DataFrame | None: ...

    def save(self, fig, chart: Chart) -> None: ...


def service_coverage_map(drawer: Drawer) -> None:
    series = "Coverage of home care and day centres per municipality (tile map)"
    data = drawer.read(series, SERVICE_COVERAGE_MAP, "service_group, tile_row, tile_column")
    if data is None:
        return
    from matplotlib.colors import Normalize
    from matplotlib.patches import Rectangle

    plt = drawer.plt
    groups = [g for g in SERVICE_GROUP_LV if g in set(data["service_group"])]
    values = data["places_per_1000_65plus"].dropna()
    norm = Normalize(0, max(float(values.max()) if not values.empty else 0.0, 1.0))
    cmap = plt.get_cmap("Blues")
    columns, rows = int(data["tile_column"].max()) + 1, int(data["tile_row"].max()) + 1
    fig, axes = plt.subplots(len(groups), 1, figsize=(12.5, 6.6 * len(groups) + 0.6), squeeze=False)
    fig.subplots_adjust(left=0.01, right=0.88, top=1 - 0.75 / fig.get_figheight(), bottom=0.4 / fig.get_figheight(),
                        hspace=0.12)
    for ax, group in zip(axes[:, 0], groups):
        for tile in data[data["service_group"] == group].itertuples():
            value = tile.places_per_1000_65plus
            known = value is not None and not math.isnan(value)
            colour = cmap(norm(value)) if known else NO_FIGURES
            ax.add_patch(Rectangle((tile.tile_column + 0.04, -tile.tile_row + 0.04), 0.92, 0.92, facecolor=colour,
                                   edgecolor=BORDER_EDGE if tile.is_border else "white",
                                   linewidth=2.4 if tile.is_border else 0.5))
            ink = "white" if known and norm(value) > 0.55 else BORDER_EDGE
            ax.text(tile.tile_column + 0.5, -tile.tile_row + 0.62, wrap(tile.name_lv.replace(" novads", " nov."), 15),
                    ha="center", va="center", fontsize=7, color=ink)
            ax.text(tile.tile_column + 0.5, -tile.tile_row + 0.25, f"{value:.1f}" if known else "–",
                    ha="center", va="center", fontsize=10, fontweight="bold", color=ink)
        ax.set_xlim(0, columns)
        ax.set_ylim(-rows + 1, 1)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(f"{SERVICE_GROUP_LV[group].capitalize()}: vietas uz 1000 iedzīvotājiem 65+", loc="left")
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=axes[:, 0].tolist(), shrink=0.4, pad=0.01,
                       fraction=0.04)
    bar.set_label("vietas uz 1000 iedzīvotājiem 65+")
    latest = data["snapshot_date"].max()
    fig.suptitle(f"Aprūpe mājās un dienas centri pašvaldībās, {latest:%Y-%m-%d} (kvadrātu karte)",
                 fontweight="bold")
    fig.text(0.02, 0.01, "Biezā mala: pašvaldība pie valsts sauszemes robežas. Katra pašvaldība ir viens kvadrāts "
             "aptuveni savā vietā (nav robežu kartes).", fontsize=8, color="#4a5868")
    day = data[(data["service_group"] == "day_centres") & data["places_per_1000_65plus"].notna()]
    caption = (f"Places per 1,000 residents aged 65+ at {latest:%Y-%m-%d}, per municipality on today's map, for home "
               "care and day centres. A tile map, not a boundary map: each municipality is one square in its "
               "approximate place (no municipal boundaries are at hand offline); a thick edge marks a municipality "
               "on the land border.")
    if not day.empty:
        top = day.loc[day["places_per_1000_65plus"].idxmax()]
        none = int((day["places"] == 0).sum())
        caption += (f" Day centres: most in {top.name_lv} ({top.places_per_1000_65plus:.1f} places per 1,000 aged "
                    f"65+); {none} of {len(day)} municipalities have no day-centre places.")
    drawer.save(fig, Chart("service_coverage_map", "Aprūpe mājās un dienas centri pašvaldībās (kvadrātu karte)",
                           caption))


def rural_without_service(drawer: Drawer) -> None:
    series = "Rural population without home care or day centres, per planning region"
    data = drawer.read(series, RURAL_WITHOUT_SERVICE, "planning_region, service_group")
    if data is None:
        return
    wide = data.pivot_table(index="planning_region", columns="service_group",
                            values="rural_population_without_service", aggfunc="first", dropna=False)
    share = data.pivot_table(index="planning_region", columns="service_group",
                             values="share_of_population_percent", aggfunc="first", dropna=False)
    groups = [g for g in SERVICE_GROUP_LV if g in wide]
    wide = wide.sort_values(groups[0])
    pos = range(len(wide))
    fig, ax = drawer.plt.subplots(figsize=(10, 4.6))
    for offset, group, colour in zip((0.2, -0.2), groups, (COLOURS["main"], COLOURS["highlight"])):
        bars = wide[group].fillna(0)
        ax.barh([p + offset for p in pos], bars, height=0.4, color=colour, label=WITHOUT_LV[group])
        for p, region, v in zip(pos, wide.index, bars):
            pct = share.loc[region, group] if group in share else math.nan
            ax.text(v, p + offset, f" {number(v)}" + ("" if math.isnan(pct) else f" ({pct:.0f}%)"), va="center",
                    fontsize=8)
    ax.set_yticks(list(pos), list(wide.index))
    ax.set_xlabel("iedzīvotāji pagastos, kuros pakalpojuma nav (% no reģiona iedzīvotājiem)")
    thousands(ax, "x")
    ax.margins(x=0.12)
    ax.legend(frameon=False, loc="lower right")
    latest = data["snapshot_date"].max()
    ax.set_title(f"Lauku iedzīvotāji bez pakalpojuma savā pagastā, {latest:%Y-%m-%d}")
    totals = wide.sum()
    caption = (f"People living in parishes where no record of the service group provides, per planning region (today's "
               f"map), at {latest:%Y-%m-%d}: " + ", ".join(
                   f"{number(totals[g])} without {g.replace('_', ' ')}" for g in groups) + " in all regions")
    if wide[groups[0]].notna().any():
        caption += f"; most without {groups[0].replace('_', ' ')} in {wide[groups[0]].idxmax()}"
    drawer.save(fig, Chart("rural_without_service", "Lauku iedzīvotāji bez aprūpes mājās un dienas centra",
                           caption + "."))


def care_balance(drawer: Drawer) -> None:
    series = "Care balance over time: institutional vs community places"
    data = drawer.read(series, CARE_BALANCE, "year")
    if data is None:
        return
    fig, (left, right) = drawer.plt.subplots(1, 2, figsize=(12, 4.6))
    places = data[data["institutional_places"].notna()]
    left.plot(places["year"], places["institutional_places"], marker="o", color=COLOURS["second"],
              label="institucionālā aprūpe")
    left.plot(places["year"], places["community_places"], marker="o", color=COLOURS["third"],
              label="sabiedrībā balstīti pakalpojumi")
    left.set_title("Vietas (gada pirmajā reģistra momentuzņēmumā)")
    thousands(left)
    left.legend(frameon=False)
    right.plot(places["year"], places["places_ratio"], marker="o", color=COLOURS["main"], label="vietas")
    clients = data[data["clients_ratio"].notna()]
    if not clients.empty:
        right.plot(clients["year"], clients["clients_ratio"], marker="s", color=COLOURS["highlight"],
                   label="klienti gada laikā (pašvaldību pārskati)")
    right.axhline(1, color=COLOURS["muted"], linewidth=1)
    right.set_title("Attiecība: institucionālā pret sabiedrībā balstīto")
    right.legend(frameon=False)
    for ax in (left, right):
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.suptitle("Institucionālās un sabiedrībā balstītās aprūpes līdzsvars", fontweight="bold")
    fig.tight_layout()
    caption = ("Places of institutional long-term care against community-based services in the register's first "
               "snapshot of each year (left), and institutional places (and the year's clients, from the "
               "municipalities' statistics) per community one (right), all regions")
    if not places.empty:
        first, last = places.iloc[0], places.iloc[-1]
        caption += (f"; {int(last.year)}: {number(last.institutional_places)} institutional against "
                    f"{number(last.community_places)} community places, ratio {last.places_ratio:.2f} "
                    f"({first.places_ratio:.2f} in {int(first.year)})")
    drawer.save(fig, Chart("care_balance", "Institucionālās un sabiedrībā balstītās aprūpes līdzsvars",
                           caption + "."))


def programme_targets(drawer: Drawer) -> None:
    series = "Programme targets vs results"
    data = drawer.read(series, PROGRAMME_TARGETS, "achieved_percent desc, target_key")
    if data is None:
        return
    data = data.iloc[::-1].reset_index(drop=True)  # the largest on top
    fig, ax = drawer.plt.subplots(figsize=(11, 0.55 * len(data) + 1.8))
    percent = data["achieved_percent"].fillna(0)
    ax.barh(data.index, percent, color=[TARGET_COLOURS[s] for s in data["status"]])
    for i, row in data.iterrows():
        ax.text(percent[i], i, f" {number(row.achieved)} / {number(row.target_value)}", va="center", fontsize=8)
    labels = [wrap(f"{r.planning_region.removesuffix(REGION)} r.: {r.indicator} ({int(r.target_year)})", 55)
              for r in data.itertuples()]
    ax.set_yticks(list(data.index), labels, fontsize=8)
    ax.axvline(100, color=BORDER_EDGE, linewidth=1, linestyle="--")
    ax.set_xlim(0, max(120.0, float(percent.max()) * 1.2))
    ax.set_xlabel("sasniegtais, % no mērķa (skaitļi: sasniegts / mērķis)")
    from matplotlib.patches import Patch

    present = [s for s in TARGET_STATUS_LV if s in set(data["status"])]
    ax.legend([Patch(color=TARGET_COLOURS[s]) for s in present], [TARGET_STATUS_LV[s] for s in present],
              frameon=False, loc="lower right")
    ax.set_title("Plānošanas reģionu programmu mērķi un rezultāti")
    counts = data["status"].value_counts()
    caption = (f"Result indicators of the regional development programmes: what was achieved in % of the "
                    f"target (the dashed line), coloured by status; {counts.get('met', 0)} of {len(data)} met, "
                    f"{counts.get('not_met', 0)} not met, {counts.get('not_due', 0)} not yet due (measured on the "
                    "latest data).")
    drawer.save(fig, Chart("programme_targets", "Programmu mērķi un rezultāti", caption))


SERIES = [service_coverage_map, rural_without_service, care_balance, programme_targets]
