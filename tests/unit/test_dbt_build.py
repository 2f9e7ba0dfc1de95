"""Row counts and column schemas attached to the dbt build's events from two queries on the warehouse
(orchestration.dbt_build.with_table_metadata), on a small DuckDB file made here."""

import dagster as dg
import duckdb

from orchestration.dbt_build import memory_hint, with_table_metadata
from orchestration.resources import Warehouse
from orchestration.settings import machine_duckdb_memory_limit

MANIFEST = {
    "metadata": {"adapter_type": "duckdb"},
    "nodes": {
        "model.lvsocial.t": {"unique_id": "model.lvsocial.t", "schema": "marts", "alias": "t",
                             "config": {"materialized": "table"}},
        "model.lvsocial.v": {"unique_id": "model.lvsocial.v", "schema": "staging", "alias": "v",
                             "config": {"materialized": "view"}},
        "model.lvsocial.o'neil": {"unique_id": "model.lvsocial.o'neil", "schema": "marts", "alias": "o'neil",
                                  "config": {"materialized": "table"}},
    },
}


class Log:
    def __init__(self):
        self.warnings = []

    def warning(self, message):
        self.warnings.append(message)


def _events():
    return [dg.Output(None, output_name="marts__t", metadata={"unique_id": "model.lvsocial.t"}),
            dg.AssetMaterialization(asset_key=["staging", "v"], metadata={"unique_id": "model.lvsocial.v"}),
            dg.Output(None, output_name="marts__o_neil", metadata={"unique_id": "model.lvsocial.o'neil"}),
            dg.AssetCheckResult(asset_key=dg.AssetKey(["marts", "t"]), check_name="not_null", passed=True)]


def test_tables_get_row_counts_and_every_relation_its_columns(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema staging")
        con.execute("create table marts.t as select range as id, 'x' as name from range(7)")
        con.execute("create view staging.v as select id from marts.t")
        con.execute("""create table marts."o'neil" (d date)""")
    log = Log()
    out = with_table_metadata(_events(), Warehouse(path=str(path)), MANIFEST, log)
    assert not log.warnings
    table, view, quoted, check = out
    assert table.metadata["dagster/row_count"].value == 7
    assert table.metadata["dagster/storage_kind"].text == "duckdb"
    assert [(c.name, c.type) for c in table.metadata["dagster/column_schema"].schema.columns] == \
        [("id", "BIGINT"), ("name", "VARCHAR")]
    assert table.metadata["unique_id"].text == "model.lvsocial.t"  # dagster-dbt's metadata kept
    assert "dagster/row_count" not in view.metadata  # a view's count would run its query
    assert [c.name for c in view.metadata["dagster/column_schema"].schema.columns] == ["id"]
    assert quoted.metadata["dagster/row_count"].value == 0
    assert isinstance(check, dg.AssetCheckResult) and "dagster/row_count" not in check.metadata  # untouched


def test_metadata_never_fails_the_build(tmp_path):
    log = Log()
    missing = Warehouse(path=str(tmp_path / "nothing_here" / "w.duckdb"))  # read-only open of a missing file fails
    events = _events()
    out = with_table_metadata(events, missing, MANIFEST, log)
    assert [type(e) for e in out] == [type(e) for e in events]
    assert "dagster/row_count" not in out[0].metadata
    assert len(log.warnings) == 1 and "row counts and column schemas not read" in log.warnings[0]


# The end of the error dagster-dbt raised when a ×100 build ran out of DuckDB's 2 GB (session 5).
OUT_OF_MEMORY = """The dbt CLI process with command

`dbt build --exclude resource_type:unit_test --full-refresh`

failed with exit code `1`.

Errors parsed from dbt logs:

  Runtime Error in model int_registry_records_conformed (models/intermediate/int_registry_records_conformed.sql)
  Out of Memory Error: failed to pin block of size 256.0 KiB (1.8 GiB/1.8 GiB used)

  Runtime Error in model int_provider_versions_derived (models/intermediate/int_provider_versions_derived.sql)
  Out of Memory Error: failed to pin block of size 256.0 KiB (1.8 GiB/1.8 GiB used)
"""


def test_out_of_memory_says_which_models_and_what_to_set(monkeypatch):
    monkeypatch.delenv("LVSOCIAL_DUCKDB_MEMORY_LIMIT", raising=False)
    hint = memory_hint(OUT_OF_MEMORY, "duckdb")
    computed = machine_duckdb_memory_limit()  # the default comes from this machine
    assert hint.startswith(f"dbt's DuckDB ran out of memory (limit {computed}) in int_provider_versions_derived, "
                           "int_registry_records_conformed.")
    assert "25% of the free memory, at most 1536 MiB" in hint and "LVSOCIAL_DUCKDB_MEMORY_LIMIT higher" in hint
    monkeypatch.setenv("LVSOCIAL_DUCKDB_MEMORY_LIMIT", "3GB")
    assert "(limit 3GB)" in memory_hint(OUT_OF_MEMORY, "duckdb")
    assert memory_hint(OUT_OF_MEMORY, "postgres") is None  # the setting is DuckDB's
    assert memory_hint("Compilation Error in model x", "duckdb") is None  # other errors stay as they were


def test_asset_groups_come_from_the_model_folders():
    """Every model's group is `<area>_<layer>`, the area being the folder under its layer (a staging folder of
    budget files is `municipal`); seeds are `reference`."""
    import json

    from orchestration.config import MANIFEST as PARSED
    from orchestration.dbt_build import translator

    nodes = json.loads(PARSED.read_text(encoding="utf-8"))["nodes"].values()
    models = [n for n in nodes if n["resource_type"] == "model"]
    assert models
    for node in models:
        layer, folder = node["original_file_path"].split("/")[1:3]
        area = {"budgets": "municipal"}.get(folder, folder)
        assert translator.get_group_name(node) == f"{area}_{layer}", node["original_file_path"]
    groups = {translator.get_group_name(n) for n in models}
    assert {"registry_marts", "shared_marts", "population_intermediate", "municipal_staging"} <= groups
    seed = next(n for n in nodes if n["resource_type"] == "seed")
    assert translator.get_group_name(seed) == "reference"
