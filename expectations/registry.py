"""Expectations on the raw register table: what every loaded register record must satisfy."""

from __future__ import annotations

from ingestion.common import fold_lv_sql
from ingestion.reference import register_status_wording

SUITE = "raw_registry_provider_services"


def known_statuses() -> list[str]:
    """The status wording the register has used, folded: the seed `register_status_wording`, which the staging
    model looks statuses up in. Anything else is a new wording to add there."""
    return sorted(register_status_wording())


def expectations() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnToExist(column=c) for c in
        ("register_number", "status", "service_name", "_source_file", "_source_row", "_snapshot_date")
    ] + [
        gxe.ExpectColumnValuesToNotBeNull(column="register_number"),
        gxe.ExpectColumnValuesToMatchRegex(column="register_number", regex=r"^\s*\d+\s*$"),
        gxe.ExpectColumnValuesToNotBeNull(column="service_name"),
        gxe.ExpectColumnValuesToNotBeNull(column="_snapshot_date"),
        gxe.ExpectColumnValuesToBeInSet(column="status_folded", value_set=known_statuses()),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["_source_file", "_source_row"]),
        gxe.ExpectColumnValuesToBeBetween(column="planned_clients_number", min_value=0, max_value=5000,
                                          mostly=1.0),
        gxe.ExpectColumnValuesToBeInSet(column="source_format", value_set=["json", "csv", "xlsx"]),
    ]


# The frame the suite validates: raw columns plus two derived for checking (status folded as the staging model
# folds it before its lookup, numeric capacity).
QUERY = f"""
select register_number, status, service_name, source_format, _source_file, _source_row, _snapshot_date,
       {fold_lv_sql("status")} as status_folded,
       try_cast(planned_clients as integer) as planned_clients_number
from raw.registry_provider_services
"""
