"""Deterministic sample of every non-register source of docs/inputs.md, one module per source beside
this one: CFLA project lists (`esf_cfla`), the APIA workbook (`esf_apia`), municipal budgets, statistics and staffing
(`municipal`) and population, by municipality and by age group (`population`), all drawing on one `world.World` of municipalities."""

from __future__ import annotations

from pathlib import Path

from ingestion.sample.esf_apia import write_apia
from ingestion.sample.esf_cfla import CFLA_2014_2020, CFLA_2021_2027, write_cfla
from ingestion.sample.municipal import write_budgets
from ingestion.sample.population import write_population, write_population_by_age
from ingestion.sample.world import World


def write_other_sources(landing: Path, seed: int = 20120102) -> dict[str, int]:
    """Write every non-register source into `landing`; return data rows written per file (relative path).

    The APIA workbook counts the data rows of both sheets together.
    """
    landing = Path(landing)
    for folder in ("esf", "budgets", "reference"):
        (landing / folder).mkdir(parents=True, exist_ok=True)
    world = World(seed)
    written = {
        "esf/es_fondu_projekti_2014_2020.csv": write_cfla(world, landing, "2014_2020", CFLA_2014_2020),
        "esf/es_fondu_projekti_2021_2027.csv": write_cfla(world, landing, "2021_2027", CFLA_2021_2027),
        "esf/apia_1_4_1_2_4.xlsx": write_apia(world, landing),
    }
    written.update(write_budgets(world, landing))
    written["reference/iedzivotaji.csv"] = write_population(world, landing)
    written["reference/iedzivotaji_vecuma_grupas.csv"] = write_population_by_age(world, landing)
    return written
