"""The dbt project as Dagster assets: seeds, staging, intermediate, marts and reporting models, with dbt tests
as asset checks. Source keys come from `meta.dagster.asset_key`, equal to the ingestion assets' keys, so the
lineage runs unbroken from a landing file to a mart.

Loading builds the assets from specs cached next to the manifest (orchestration/dbt_specs.py), without importing
dagster-dbt or dbt-core; the step imports them and builds (orchestration/dbt_build.py)."""

import dagster as dg

from orchestration.dbt_specs import load_specs
from orchestration.resources import Warehouse
from orchestration.settings import Settings


class DbtBuildConfig(dg.Config):
    # Column lineage: sqlglot reads every model's SQL after the build. It shows which upstream columns feed each
    # column in the UI, and costs about 12 s of a one-minute run on the sample (a fifth), so it is asked for:
    # `lvsocial run --column-lineage`, or this config in the launchpad. Some DuckDB-specific SQL is beyond
    # sqlglot; those models get none, and its traceback goes to the run's log.
    column_lineage: bool = False


class DbtSettings(dg.ConfigurableResource):
    """dbt on the target of this process (`lvsocial run --target`, $LVSOCIAL_TARGET); the step makes dagster-dbt's
    resource from it (orchestration.dbt_build.dbt_cli)."""

    target: str = "duckdb"


def dbt_resource(settings: Settings) -> DbtSettings:
    from orchestration.engines.targets import target_name

    return DbtSettings(target=target_name(settings.target))


SPECS = load_specs()


@dg.multi_asset(name="lvsocial_dbt_assets", specs=SPECS.assets, check_specs=SPECS.checks, can_subset=True,
                op_tags=SPECS.op_tags, pool="warehouse")
def lvsocial_dbt_assets(context: dg.AssetExecutionContext, config: DbtBuildConfig, dbt: DbtSettings,
                        warehouse: Warehouse):
    from orchestration.dbt_build import build, dbt_cli

    yield from build(context, config, dbt_cli(dbt.target), warehouse)
