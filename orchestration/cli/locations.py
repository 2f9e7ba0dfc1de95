"""The settings every command works on (landing folder, warehouse, target, Dagster home, …: orchestration/settings.py),
built once from the flags over the environment, and exported so that what the command starts — Dagster code
locations, dbt, the Spark worker — and the definitions it loads in this process see the same."""

from __future__ import annotations

from orchestration.settings import Settings


def settings_from(args) -> Settings:
    """The settings of this command: its flags (those it has and was given) over the environment's. Exported
    (`Settings.export`), with the Dagster home created when new. A target of no known name is a TargetError."""
    from orchestration.engines.targets import target_name

    settings = Settings.from_flags(landing_dir=getattr(args, "landing", None),
                                   archive_dir=getattr(args, "archive", None),
                                   warehouse=getattr(args, "warehouse", None),
                                   target=getattr(args, "target", None))
    target_name(settings.target)
    settings.ensure_dagster_home()
    settings.export()
    return settings
