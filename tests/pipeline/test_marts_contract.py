"""The marts' promise to BI (docs/marts.md#the-promise): names, grain keys, columns and their types."""

import pytest

CONTRACT = {
    "dim_municipality": {
        "municipality_key": "VARCHAR", "atvk_code": "VARCHAR", "name_lv": "VARCHAR", "municipality_type": "VARCHAR",
        "planning_region": "VARCHAR", "statistical_region": "VARCHAR", "valid_from": "DATE", "valid_to": "DATE",
        "is_current": "BOOLEAN", "successor_atvk_code": "VARCHAR"},
    "dim_service": {
        "service_key": "VARCHAR", "service_code": "VARCHAR", "name_lv": "VARCHAR", "name_en": "VARCHAR",
        "law_kind": "VARCHAR", "care_setting": "VARCHAR"},
    "dim_provider": {
        "provider_key": "VARCHAR", "register_number": "INTEGER", "provider_name": "VARCHAR",
        "legal_status": "VARCHAR", "provider_sector": "VARCHAR", "valid_from": "DATE", "valid_to": "DATE",
        "is_current": "BOOLEAN"},
    "fct_provider_services": {
        "snapshot_date": "DATE", "register_number": "INTEGER", "provider_key": "VARCHAR", "service_key": "VARCHAR",
        "municipality_key": "VARCHAR", "current_municipality_key": "VARCHAR", "status": "VARCHAR",
        "capacity": "INTEGER", "registered_on": "DATE", "source_file": "VARCHAR", "source_row": "INTEGER"},
    "fct_municipal_expenditure": {
        "year": "INTEGER", "municipality_key": "VARCHAR", "current_municipality_key": "VARCHAR",
        "function_code": "VARCHAR", "planned_eur": "DECIMAL(18,2)", "executed_eur": "DECIMAL(18,2)",
        "original_currency": "VARCHAR", "executed_original": "DECIMAL(18,2)"},
    "fct_social_service_statistics": {
        "year": "INTEGER", "municipality_key": "VARCHAR", "current_municipality_key": "VARCHAR",
        "service_key": "VARCHAR", "clients": "INTEGER", "expenditure_eur": "DECIMAL(18,2)"},
    "fct_social_work_staffing": {
        "year": "INTEGER", "municipality_key": "VARCHAR", "social_work_specialists": "INTEGER",
        "population": "INTEGER", "specialists_per_1000": "DOUBLE", "meets_norm": "BOOLEAN"},
}
GRAIN = {
    "dim_municipality": ["municipality_key"],
    "dim_service": ["service_key"],
    "dim_provider": ["provider_key"],
    "fct_provider_services": ["snapshot_date", "record_key"],
    "fct_municipal_expenditure": ["year", "municipality_key", "function_code"],
    # year × municipality × service, refined by provision (own / purchased / not_split) from the 2017 form
    "fct_social_service_statistics": ["year", "municipality_key", "service_key", "provision"],
    "fct_social_work_staffing": ["year", "municipality_key"],
}


@pytest.mark.parametrize("table", sorted(CONTRACT))
def test_columns_and_types(sample_run, table):
    actual = dict(sample_run.query("select column_name, data_type from information_schema.columns "
                                   "where table_schema = 'marts' and table_name = ?", [table]))
    for column, data_type in CONTRACT[table].items():
        assert column in actual, f"marts.{table} lacks {column}"
        assert actual[column] == data_type, f"marts.{table}.{column} is {actual[column]}, promised {data_type}"


@pytest.mark.parametrize("table", sorted(GRAIN))
def test_grain_is_unique(sample_run, table):
    cols = ", ".join(GRAIN[table])
    dupes = sample_run.scalar(f"select count(*) from (select {cols} from marts.{table} group by {cols} "
                              f"having count(*) > 1)")
    assert dupes == 0
    assert sample_run.scalar(f"select count(*) from marts.{table}") > 0


def test_enumerations(sample_run):
    assert {s for (s,) in sample_run.query("select distinct status from marts.fct_provider_services")} == \
        {"providing", "planning", "stopped"}
    assert {s for (s,) in sample_run.query("select distinct care_setting from marts.dim_service")} == \
        {"institutional", "community", "other"}
    assert {s for (s,) in sample_run.query("select distinct provider_sector from marts.dim_provider")} <= \
        {"municipal", "state", "ngo", "private", "religious"}


def test_every_raw_service_name_maps(sample_run):
    unmapped = sample_run.query("select distinct service_name_as_written from marts.fct_provider_services "
                                "where not is_service_mapped")
    assert unmapped == []


def test_dbt_contract_is_enforced():
    import yaml

    from orchestration.config import DBT_PROJECT_DIR

    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["models"]["lvsocial"]["marts"]["+contract"]["enforced"] is True
    models = [model for path in sorted((DBT_PROJECT_DIR / "models/marts").rglob("*.yml"))
              for model in yaml.safe_load(path.read_text())["models"]]
    assert {"fct_municipal_expenditure", "fct_social_service_statistics", "fct_social_work_staffing"} <= \
        {model["name"] for model in models}
    for model in models:
        for column in model["columns"]:
            assert column.get("data_type") and column.get("description"), f"{model['name']}.{column['name']}"
