"""Expectations on the raw register table: what every loaded register record must satisfy."""

from __future__ import annotations

SUITE = "raw_registry_provider_services"

# Status wording the register has used, folded (lower case, single spaces); anything else is a new wording to map.
KNOWN_STATUSES = ["sniedz", "plāno sniegt", "pārtraukta darbība", "sniedz pakalpojumus", "pārtraucis darbību"]


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
        gxe.ExpectColumnValuesToBeInSet(column="status_folded", value_set=KNOWN_STATUSES),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["_source_file", "_source_row"]),
        gxe.ExpectColumnValuesToBeBetween(column="planned_clients_number", min_value=0, max_value=5000,
                                          mostly=1.0),
        gxe.ExpectColumnValuesToBeInSet(column="source_format", value_set=["json", "csv", "xlsx"]),
    ]


# The frame the suite validates: raw columns plus two derived for checking (folded status, numeric capacity).
QUERY = """
select register_number, status, service_name, source_format, _source_file, _source_row, _snapshot_date,
       trim(regexp_replace(lower(status), '\\s+', ' ', 'g')) as status_folded,
       try_cast(planned_clients as integer) as planned_clients_number
from raw.registry_provider_services
"""
