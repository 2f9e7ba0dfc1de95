"""The sample's population files (PxWeb exports): by municipality, the post-reform municipalities by code, the
pre-reform ones with their `(līdz 01.07.2021.)` label, `..` where a municipality did not exist in a year; and by
territory and age group on the 2021 map."""

from __future__ import annotations

import csv
from pathlib import Path

from ingestion.sample.world import (
    POPULATION_YEARS,
    REFORM,
    World,
    load_territorial_units,
    municipalities_for_year,
)
from ingestion.sources import POPULATION, POPULATION_BY_AGE, WHOLE_KEY

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


# --- Population by territory and age group ---------------------------------------------------------------------

AGE_LABELS = {"total": "Pavisam", "0_17": "0–17", "18_64": "18–64", "65_plus": "65 un vairāk"}
AGE_YEARS = range(2018, 2026)  # years of the JSON snapshots, which place records in their units; a small file
AGE_TITLE = "Iedzīvotāju skaits gada sākumā pēc teritoriālā iedalījuma un vecuma grupām (2021. gada robežās)"


def _split(total: int, weights: dict[str, float]) -> dict[str, int]:
    """`total` split in proportion to `weights`, whole numbers adding up exactly (largest remainder)."""
    raw = {k: total * w / sum(weights.values()) for k, w in weights.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (out[k] - raw[k], k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def write_population_by_age(world: World, landing: Path) -> int:
    """The 2021 municipalities and their towns and parishes (seed `territorial_units`; a state city is its own
    municipality and has no line of its own), each by age group, on the 2021 map for 2018–2025: each municipality's
    total is the population file's, its groups add up to it, and its units' groups add up to its groups. The country
    ages (65+ gains about a third of a point a year, 0–17 loses a little) and the parishes shrink and age faster
    than the towns. Deterministic: its own random stream."""
    rng = world.rng("population_by_age")
    units = load_territorial_units()
    years = list(AGE_YEARS)
    rows: list[list[object]] = []
    for m in sorted((m for m in world.munis if m.valid_from == REFORM), key=lambda m: m.atvk):
        old, young = rng.uniform(0.17, 0.23), rng.uniform(0.16, 0.20)
        inside = [u for u in units.get(m.atvk, []) if not (u.kind == "city" and u.name == m.name)]
        base = {u.name: rng.uniform(8, 20) if u.kind == "city" else rng.uniform(3, 10) if u.kind == "town"
                else rng.uniform(0.5, 2.0) for u in inside}
        lines: dict[str, dict[str, list[int]]] = {"": {g: [] for g in AGE_LABELS}}
        lines.update({u.name: {g: [] for g in AGE_LABELS} for u in inside})
        for y in years:
            total, t = world.population[m.atvk][y], y - years[0]
            groups = {"65_plus": round(total * (old + 0.0035 * t)), "0_17": round(total * (young - 0.0008 * t))}
            groups["18_64"] = total - groups["65_plus"] - groups["0_17"]
            by_unit: dict[str, dict[str, int]] = {u.name: {} for u in inside}
            for g, n in groups.items():
                lean = {"65_plus": 1.25, "0_17": 0.9, "18_64": 1.0}[g]
                weights = {u.name: base[u.name] * ((0.985 ** t) * lean if u.kind == "parish" else 0.997 ** t)
                           for u in inside}
                for name, part in (_split(n, weights) if inside else {}).items():
                    by_unit[name][g] = part
            for name, values in [("", groups), *by_unit.items()]:
                for g in AGE_LABELS:
                    lines[name][g].append(sum(values.values()) if g == "total" else values[g])
        for name, series in lines.items():
            label = f"LV{m.atvk} {m.name}" + (f" / {name}" if name else "")
            rows += [[label, AGE_LABELS[g], *series[g]] for g in AGE_LABELS]
    path = POPULATION_BY_AGE.path(landing, WHOLE_KEY)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:  # quoted only where needed: a smaller file
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow([AGE_TITLE])
        writer.writerow(["Teritoriālā vienība", "Vecuma grupa", *[str(y) for y in years]])
        writer.writerows(rows)
    return len(rows)
