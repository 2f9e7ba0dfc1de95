"""Expectations on the key marts: grain, domains, ranges and the map of municipalities, checked on what BI reads."""

from __future__ import annotations

SUITES = {}


def _suite(name: str, query: str):
    def register(fn):
        SUITES[name] = (query, fn)
        return fn
    return register


@_suite("marts_fct_provider_services", """
    select f.*, m.valid_from as municipality_valid_from, m.valid_to as municipality_valid_to,
           c.is_current as current_is_current,
           f.snapshot_date between m.valid_from and m.valid_to as municipality_valid_on_date
    from marts.fct_provider_services f
    left join marts.dim_municipality m on m.municipality_key = f.municipality_key
    left join marts.dim_municipality c on c.municipality_key = f.current_municipality_key
""")
def fct_provider_services() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["snapshot_date", "record_key"]),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["source_file", "source_row"]),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=["providing", "planning", "stopped"]),
        gxe.ExpectColumnValuesToNotBeNull(column="provider_key"),
        gxe.ExpectColumnValuesToNotBeNull(column="service_key"),
        gxe.ExpectColumnValuesToBeBetween(column="capacity", min_value=0, max_value=5000),
        gxe.ExpectColumnValuesToBeBetween(column="register_number", min_value=1),
        # Every row maps to a municipality version valid on its date (a few unresolved names are tolerated).
        gxe.ExpectColumnValuesToNotBeNull(column="municipality_key", mostly=0.99),
        gxe.ExpectColumnValuesToBeInSet(column="municipality_valid_on_date", value_set=[True]),
        gxe.ExpectColumnValuesToBeInSet(column="current_is_current", value_set=[True]),
    ]


@_suite("marts_dim_municipality", "select * from marts.dim_municipality")
def dim_municipality() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeUnique(column="municipality_key"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["atvk_code", "valid_from"]),
        gxe.ExpectColumnValuesToMatchRegex(column="atvk_code", regex=r"^\d{7}$"),
        gxe.ExpectColumnValuesToBeInSet(column="municipality_type",
                                        value_set=["republikas pilsēta", "novads", "valstspilsēta"]),
        gxe.ExpectColumnValuesToNotBeNull(column="successor_atvk_code"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="valid_to", column_B="valid_from", or_equal=True),
        gxe.ExpectColumnValuesToBeInSet(column="planning_region", value_set=[
            "Rīgas plānošanas reģions", "Vidzemes plānošanas reģions", "Kurzemes plānošanas reģions",
            "Zemgales plānošanas reģions", "Latgales plānošanas reģions"]),
    ]


@_suite("marts_dim_provider", "select * from marts.dim_provider")
def dim_provider() -> list:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeUnique(column="provider_key"),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["register_number", "valid_from"]),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="valid_to", column_B="valid_from", or_equal=True),
        gxe.ExpectColumnValuesToBeInSet(column="provider_sector",
                                        value_set=["municipal", "state", "ngo", "private", "religious"]),
        # Natural persons never appear by name.
        gxe.ExpectColumnValuesToMatchRegex(column="provider_name", regex=r"^Fiziska persona #[0-9a-f]{8}$",
                                           row_condition='is_natural_person == True', condition_parser="pandas"),
    ]
