"""The whole pipeline on the shipped sample: the run itself, nothing lost, the Dagster record of the run, the
municipality map and the personal-data rule. Published figures and the marts' contract have their own files."""

from __future__ import annotations

import re

from dagster import DagsterInstance, DagsterRunStatus

from orchestration.sources import all_sources


def test_run_prints_a_summary(sample_run):
    out = sample_run.output
    assert "Summary" in out
    assert re.search(r"checks: \d+ passed, 0 failed", out), out[-2000:]
    assert re.search(r"marts\.fct_provider_services\s+[\d,]+", out)
    assert str(sample_run.warehouse) in out
    assert "materialised raw/registry_provider_services (17 partitions)" in out


def test_every_register_row_is_loaded_or_rejected(sample_run):
    files = sample_run.query("select source_file, rows_read, rows_loaded, rows_rejected from audit.load_log "
                             "where source = 'registry'")
    assert len(files) == 17
    for name, read, loaded, rejected in files:
        assert read == loaded + rejected, name
    raw = sample_run.scalar("select count(*) from raw.registry_provider_services")
    fct = sample_run.scalar("select count(*) from marts.fct_provider_services")
    assert raw == fct == sum(f[2] for f in files)
    missing = sample_run.scalar("""
        select count(*) from raw.registry_provider_services r
        anti join marts.fct_provider_services f on f.source_file = r._source_file and f.source_row = r._source_row
    """)
    assert missing == 0


def test_bad_rows_are_kept_with_reasons(sample_run):
    rows = sample_run.query("select source_file, source_row, reason, raw_record from audit.rejected_rows "
                            "where source = 'registry' order by source_file, source_row")
    reasons = {(f, r): why for f, r, why, _ in rows}
    assert reasons[("sps_registrs_2013-01-02.csv", 904)] == "missing register number"
    assert reasons[("sps_registrs_2013-01-02.csv", 905)] == "missing status"
    assert reasons[("sps_registrs_2015-01-02.csv", 940)] == "missing service name"
    assert reasons[("pakalpojumusniedzejudati_20190102.json.gz", 1010)] == "missing address"
    assert all(raw.startswith("{") for *_, raw in rows)


def test_run_is_recorded_in_the_dagster_instance(sample_run, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(sample_run.dagster_home))
    with DagsterInstance.get() as instance:
        runs = instance.get_runs()
        # One run per source loads all its files (every register snapshot in one), one builds the marts; all kept
        # for the UI's history.
        assert sorted(r.job_name for r in runs) == sorted([s.job_name for s in all_sources()] + ["transform"])
        assert all(r.status == DagsterRunStatus.SUCCESS for r in runs)
        ingest = next(r for r in runs if r.job_name == "ingest_registry")
        assert ingest.tags["dagster/asset_partition_range_start"] == "2010-01-02"
        assert ingest.tags["dagster/asset_partition_range_end"] == "2026-01-02"
        partitions = instance.get_dynamic_partitions("register_snapshots")
        assert len(partitions) == 17 and "2012-01-02" in partitions and "2023-01-02" in partitions


def test_municipality_map(sample_run):
    counts = dict(sample_run.query("select municipality_type, count(*) from marts.dim_municipality group by 1"))
    assert counts == {"republikas pilsēta": 9, "novads": 147, "valstspilsēta": 7}
    assert sample_run.scalar("select count(*) from marts.dim_municipality where is_current") == 42
    # A 2012 record in Varakļānu novads lies today in Madonas novads 0038001.
    assert sample_run.query("select successor_atvk_code from marts.dim_municipality "
                            "where name_lv = 'Varakļānu novads'") == [("0038001",)] * 2
    assert sample_run.scalar("select count(*) from marts.dim_municipality where successor_atvk_code is null") == 0
    # Every fact row resolves to a version valid on its snapshot date and to a current municipality.
    bad = sample_run.scalar("""
        select count(*) from marts.fct_provider_services f
        left join marts.dim_municipality m on m.municipality_key = f.municipality_key
        left join marts.dim_municipality c on c.municipality_key = f.current_municipality_key
        where m.municipality_key is null or not (f.snapshot_date between m.valid_from and m.valid_to)
           or not c.is_current
    """)
    assert bad == 0


def test_old_names_after_the_reform_land_on_todays_map(sample_run):
    rows = dict(sample_run.query("""
        select distinct f.municipality_as_written, m.name_lv
        from marts.fct_provider_services f join marts.dim_municipality m using (municipality_key)
        where f.snapshot_date = '2023-01-02' and f.municipality_as_written in ('Cesvaines nov.', 'Alojas nov.')
    """))
    assert rows == {"Cesvaines nov.": "Madonas novads", "Alojas nov.": "Limbažu novads"}
    written = dict(sample_run.query("""
        select f.municipality_as_written, any_value(m.name_lv) from marts.fct_provider_services f
        join marts.dim_municipality m using (municipality_key)
        where f.snapshot_date between '2010-01-01' and '2016-12-31' group by 1
    """))
    assert written.get("Rīgas pilsēta") == "Rīga"
    assert written.get("Ogres nov.") == "Ogres novads"
    assert any(k.isascii() and v != k for k, v in written.items()), "no name without diacritics was resolved"


def test_provider_history_is_scd2(sample_run):
    overlaps = sample_run.scalar("""
        select count(*) from marts.dim_provider a join marts.dim_provider b
        on a.register_number = b.register_number and a.valid_from < b.valid_from and a.valid_to >= b.valid_from
    """)
    assert overlaps == 0
    assert sample_run.scalar("select count(*) from marts.dim_provider where is_current and "
                             "valid_to <> date '9999-12-31'") == 0
    # Units stopped and later removed from the register have a closed last version.
    assert sample_run.scalar("select count(*) from marts.dim_provider where not is_current") > 0


PERSONAL_CODE = re.compile(r"\b[0-3]\d[01]\d\d\d-?[0-9]\d{4}\b|\b32\d{9}\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def test_no_personal_data_in_marts(sample_run):
    tables = sample_run.query("select table_schema, table_name from information_schema.tables "
                              "where table_schema in ('marts', 'reporting')")
    assert len(tables) >= 5
    for schema, table in tables:
        cols = sample_run.query("select column_name from information_schema.columns where table_schema = ? "
                                "and table_name = ? and data_type = 'VARCHAR'", [schema, table])
        for (col,) in cols:
            values = [v for (v,) in sample_run.query(f'select distinct "{col}" from {schema}.{table}') if v]
            hits = [v for v in values if PERSONAL_CODE.search(v) or EMAIL.search(v)]
            assert not hits, f"{schema}.{table}.{col}: {hits[:3]}"
    # Natural persons appear under a pseudonym, never their name.
    names = sample_run.query("select distinct provider_name from marts.dim_provider where is_natural_person")
    assert names and all(n.startswith("Fiziska persona #") for (n,) in names)


def test_materialisations_carry_row_counts(sample_run, monkeypatch):
    from dagster import AssetKey

    monkeypatch.setenv("DAGSTER_HOME", str(sample_run.dagster_home))
    with DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(AssetKey(["marts", "fct_provider_services"]))
        metadata = event.asset_materialization.metadata
        assert metadata["dagster/row_count"].value == sample_run.scalar(
            "select count(*) from marts.fct_provider_services")
        assert "dagster/column_lineage" not in metadata  # only with --column-lineage (tests/runs/test_incremental.py)
        # The column schema as built (read from the warehouse after dbt ends, orchestration.dbt_build).
        columns = {c.name: c.type for c in metadata["dagster/column_schema"].value.columns}
        assert columns == dict(sample_run.query(
            "select column_name, data_type from information_schema.columns where table_schema = 'marts' "
            "and table_name = 'fct_provider_services' order by ordinal_position"))
        view = instance.get_latest_materialization_event(AssetKey(["staging", "stg_registry__provider_services"]))
        assert "dagster/row_count" not in view.asset_materialization.metadata  # views are not counted
        assert "dagster/column_schema" in view.asset_materialization.metadata
        raw = instance.get_latest_materialization_event(AssetKey(["raw", "registry_provider_services"]))
        assert raw.asset_materialization.partition is not None  # one materialisation per snapshot partition


def test_the_build_on_a_new_warehouse_skips_parsing(sample_run):
    """`lvsocial run` parses the dbt project for the new warehouse while the sources load (config.start_parse), so
    the build itself finds nothing to parse."""
    import json

    from orchestration.config import dbt_target_dir

    target = dbt_target_dir(sample_run.warehouse)
    assert "Unable to do partial parsing because saved manifest not found" in \
        (target / "background_parse.log").read_text(encoding="utf-8")  # it was the first parse there
    # dbt rotates its log at 10 MB (dbt.log.1 is the newer of the rotated files): read them oldest first.
    logs = sorted(target.glob("dbt.log.*"), key=lambda p: -int(p.suffix[1:])) + [target / "dbt.log"]
    build_events = [json.loads(line)["info"] for log in logs for line in log.read_text(encoding="utf-8").splitlines()
                    if line.startswith("{")]
    invocations = {}
    for info in build_events:
        invocations.setdefault(info["invocation_id"], []).append(info["msg"])
    build = [msgs for msgs in invocations.values() if any("Finished running" in m for m in msgs)]
    assert len(build) == 1, "one dbt build on the sample run's warehouse"
    assert any("no changes found, skipping parsing" in m for m in build[0]), build[0][:10]
