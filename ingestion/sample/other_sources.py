"""Deterministic sample of every non-register source of docs/inputs.md, one module per source beside
this one: CFLA project lists (`esf_cfla`), the APIA workbook (`esf_apia`), municipal budgets, statistics and staffing
(`municipal`), long-term care clients by age group (`long_term_care`), population (`population`) and the programmes'
result indicators (`programmes`), all drawing on one `world.World` of municipalities."""

from __future__ import annotations

from pathlib import Path

from ingestion.sample.esf_apia import write_apia
from ingestion.sample.esf_cfla import CFLA_2014_2020, CFLA_2021_2027, write_cfla
from ingestion.sample.long_term_care import write_long_term_care
from ingestion.sample.municipal import write_budgets
from ingestion.sample.population import write_population, write_population_by_age
from ingestion.sample.programmes import write_programme_targets
from ingestion.sample.world import World
from ingestion.sources import (
    BUDGET_EXPENDITURE,
    ESF_APIA,
    ESF_CFLA,
    POPULATION,
    POPULATION_BY_AGE,
    PROGRAMME_TARGETS,
    WHOLE_KEY,
)


def write_other_sources(landing: Path, seed: int = 20120102) -> dict[str, int]:
    """Write every non-register source into `landing`; return data rows written per file (relative path).

    The APIA workbook counts the data rows of both sheets together.
    """
    landing = Path(landing)
    for source in (ESF_CFLA, ESF_APIA, BUDGET_EXPENDITURE, POPULATION):
        (landing / source.subfolder).mkdir(parents=True, exist_ok=True)
    world = World(seed)

    def name(source, key: str) -> str:
        return f"{source.subfolder}/{source.file_name(key)}"

    written = {name(ESF_CFLA, period): write_cfla(world, landing, period, rows)
               for period, rows in zip(ESF_CFLA.partitions, (CFLA_2014_2020, CFLA_2021_2027), strict=True)}
    written[name(ESF_APIA, ESF_APIA.partitions[0])] = write_apia(world, landing)
    written.update(write_budgets(world, landing))
    written.update(write_long_term_care(world, landing))
    written[name(POPULATION, WHOLE_KEY)] = write_population(world, landing)
    written[name(POPULATION_BY_AGE, WHOLE_KEY)] = write_population_by_age(world, landing)
    written[name(PROGRAMME_TARGETS, WHOLE_KEY)] = write_programme_targets(landing)
    return written
