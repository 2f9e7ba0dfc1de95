"""The register's history as a whole: a warning when one snapshot registers and removes more records than a
normal month or year does. A format switch or a wording change that breaks record identity shows here at once,
naming the service types that jump, before anyone reads the jump as growth in a chart."""


import dagster as dg

from orchestration.resources import Warehouse
from orchestration.run_scope import run_partition_range

CHANGES = dg.AssetKey(["marts", "fct_register_changes"])
# Registered + removed records of one snapshot, as a share of the previous snapshot's records, beyond which the
# snapshot is reported. Genuine growth can pass it too (the register's first years doubled it): a warning to read.
BURST_SHARE = 0.10
TYPES_NAMED = 6


def bursts(warehouse: Warehouse, share: float = BURST_SHARE) -> list[dict]:
    """Snapshots whose registered + removed records exceed `share` of the previous snapshot's records, each with
    the service types of most turnover (registered, removed, records before)."""
    rows = warehouse.rows(f"""
        with per_service as (
            select snapshot_date, service_key, count(*) as records
            from marts.fct_provider_services group by snapshot_date, service_key
        ),
        totals as (
            select snapshot_date, sum(records) as records,
                   lag(sum(records)) over (order by snapshot_date) as previous_records
            from per_service group by snapshot_date
        ),
        turnover as (
            select snapshot_date, previous_snapshot_date, service_key,
                   sum(case when change_type = 'registered' then 1 else 0 end) as registered,
                   sum(case when change_type = 'removed' then 1 else 0 end) as removed
            from marts.fct_register_changes
            where change_type in ('registered', 'removed')
            group by snapshot_date, previous_snapshot_date, service_key
        ),
        burst as (
            select t.snapshot_date, max(o.previous_records) as previous_records,
                   sum(t.registered) as registered, sum(t.removed) as removed
            from turnover as t inner join totals as o on o.snapshot_date = t.snapshot_date
            group by t.snapshot_date
            having sum(t.registered + t.removed) > {share} * max(o.previous_records)
        )
        select cast(b.snapshot_date as varchar) as snapshot_date, b.previous_records, b.registered, b.removed,
               s.service_code, t.registered as service_registered, t.removed as service_removed,
               coalesce(p.records, 0) as service_records_before
        from burst as b
        inner join turnover as t on t.snapshot_date = b.snapshot_date
        inner join marts.dim_service as s on s.service_key = t.service_key
        left join per_service as p on p.snapshot_date = t.previous_snapshot_date and p.service_key = t.service_key
        order by 1, t.registered + t.removed desc, s.service_code
    """)
    out: dict[str, dict] = {}
    for snapshot, previous, registered, removed, code, reg, rem, before in rows:
        entry = out.setdefault(snapshot, {"snapshot_date": snapshot, "previous_records": int(previous),
                                          "registered": int(registered), "removed": int(removed), "types": []})
        if len(entry["types"]) < TYPES_NAMED:
            entry["types"].append({"service_code": code, "registered": int(reg), "removed": int(rem),
                                   "records_before": int(before)})
    return list(out.values())


def describe(burst: dict) -> str:
    types = ", ".join(f"{t['service_code']} (+{t['registered']} −{t['removed']} of {t['records_before']})"
                      for t in burst["types"])
    share = (burst["registered"] + burst["removed"]) / max(burst["previous_records"], 1)
    return (f"{burst['snapshot_date']}: {burst['registered']} registered + {burst['removed']} removed = "
            f"{share:.0%} of the previous snapshot's {burst['previous_records']} records; most: {types}")


@dg.asset_check(asset=CHANGES, name="register_continuity", blocking=False,
                description=f"Warns when one snapshot's registered + removed records exceed {BURST_SHARE:.0%} of the "
                            "previous snapshot's records, naming the service types that jump: a format or wording "
                            "break in the register shows up at once.")
def register_continuity(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    # A run for new snapshots (the sensor's) looks at the changes they brought: the first of them and later ones
    # (a late snapshot also changes what its successor shows); other runs look at the whole history.
    scope = run_partition_range(context)
    found = [b for b in bursts(warehouse) if scope is None or b["snapshot_date"] >= scope[0]]
    lines = [describe(b) for b in found]
    return dg.AssetCheckResult(
        passed=not found, severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(lines[:3]) if found else None,
        metadata={"threshold": f"{BURST_SHARE:.0%} of the previous snapshot's records",
                  "snapshots_checked": "all" if scope is None else f"{scope[0]} and later",
                  "snapshots_over_threshold": len(found),
                  "bursts": dg.MetadataValue.md("\n".join(f"- {line}" for line in lines) or "none")})


CHECKS = [register_continuity]
