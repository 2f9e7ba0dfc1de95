"""The sample's population file (PxWeb export): the post-reform municipalities by code, the pre-reform ones
with their `(līdz 01.07.2021.)` label, `..` where a municipality did not exist in a year."""

from __future__ import annotations

import csv
from pathlib import Path

from ingestion.sample.world import POPULATION_YEARS, REFORM, World, municipalities_for_year
from ingestion.sources import POPULATION, WHOLE_KEY

# --- Population -----------------------------------------------------------------------------------------------

def write_population(world: World, landing: Path) -> int:
    years = list(POPULATION_YEARS)
    rows: list[list[object]] = []
    present = {y: {m.atvk for m in municipalities_for_year(world.munis, y)} for y in years}
    post = sorted((m for m in world.munis if m.valid_from >= REFORM), key=lambda m: m.atvk)
    pre = [m for m in world.munis if m.valid_to is not None and m.valid_to < REFORM]
    for m in post:
        # PxWeb recalculates the 2021 map back to 1 January 2021; earlier years stay with the old labels.
        rows.append([f"LV{m.atvk} {m.name}"] + [world.population[m.atvk][y] if m.atvk in present[y] else ".."
                                                for y in years])
    for m in pre:
        rows.append([f"{m.name} (līdz 01.07.2021.)"] + [world.population[m.atvk][y] if m.atvk in present[y]
                                                        else ".." for y in years])
    path = POPULATION.path(landing, WHOLE_KEY)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow(["Teritoriālā vienība", *[str(y) for y in years]])
        writer.writerows(rows)
    return len(rows)
