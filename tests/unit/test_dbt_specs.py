"""The dbt assets are defined from specs cached next to the manifest (orchestration/dbt_specs.py): they must equal
dagster-dbt's own, loading the definitions must not import dagster-dbt or dbt-core, and a stale cache is rebuilt."""

import json
import subprocess
import sys

import pytest

from orchestration import dbt_specs
from orchestration.config import prepare_manifest
from tests.conftest import REPO


@pytest.fixture(scope="module")
def real():
    prepare_manifest(quiet=True)
    from orchestration.dbt_build import real_dbt_assets

    return real_dbt_assets()


def _asset_view(spec):
    metadata = {k: v for k, v in spec.metadata.items() if k not in dbt_specs.RUNTIME_ONLY}
    return (spec.key, sorted(d.asset_key.to_user_string() for d in spec.deps), spec.group_name, spec.description,
            dict(spec.tags), sorted(spec.kinds), list(spec.owners), spec.code_version, spec.skippable,
            {k: _plain(v) for k, v in metadata.items()})


def _check_view(spec):
    metadata = {k: v for k, v in spec.metadata.items() if k not in dbt_specs.RUNTIME_ONLY}
    return (spec.key, spec.description, spec.blocking, sorted(d.asset_key.to_user_string()
                                                              for d in spec.additional_deps),
            {k: _plain(v) for k, v in metadata.items()})


def _plain(value):
    """A metadata value as its content, whether raw (dagster-dbt's specs) or normalised (the cache's)."""
    from dagster._core.definitions.metadata import normalize_metadata_value

    return normalize_metadata_value(value)


def test_cached_specs_equal_dagster_dbts(real):
    from orchestration.defs.dbt import lvsocial_dbt_assets

    light = {spec.key: _asset_view(spec) for spec in lvsocial_dbt_assets.specs}
    assert light == {spec.key: _asset_view(spec) for spec in real.specs}
    assert len(light) > 40  # seeds, staging, intermediate, marts, reporting
    checks = {spec.key: _check_view(spec) for spec in lvsocial_dbt_assets.check_specs}
    assert checks == {spec.key: _check_view(spec) for spec in real.check_specs}
    assert len(checks) > 100  # dbt's data tests
    assert lvsocial_dbt_assets.op.tags == real.op.tags
    assert lvsocial_dbt_assets.keys_by_output_name == real.keys_by_output_name  # dagster-dbt's outputs match
    assert set(lvsocial_dbt_assets.check_specs_by_output_name) == set(real.check_specs_by_output_name)


def test_loading_the_definitions_imports_neither_dagster_dbt_nor_dbt(real):
    dbt_specs.load_specs()  # a current cache, as `lvsocial prepare` leaves it
    code = ("import sys; from orchestration.definitions import defs; defs.get_repository_def().get_all_jobs(); "
            "print(sorted(m for m in ('dagster_dbt', 'dbt', 'great_expectations', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_stale_or_broken_cache_is_rebuilt(real, tmp_path, monkeypatch):
    cache = tmp_path / "specs.json"
    monkeypatch.setattr(dbt_specs, "CACHE", cache)
    cache.write_text(json.dumps({"key": "made from another manifest", "op_tags": {}, "assets": [], "checks": []}))
    specs = dbt_specs.load_specs()
    assert {spec.key for spec in specs.assets} == set(real.keys)
    assert json.loads(cache.read_text())["key"] == dbt_specs.cache_key()
    cache.write_text('{"key": ')  # cut short, e.g. by a full disk
    assert len(dbt_specs.load_specs().checks) == len(list(real.check_specs))
    assert len(json.loads(cache.read_text())["checks"]) == len(list(real.check_specs))
    # Read back from the cache, not rebuilt: the same specs.
    again = dbt_specs.load_specs()
    assert [s.key for s in again.assets] == [s.key for s in specs.assets]


def test_the_cache_key_follows_the_translators_code(tmp_path, monkeypatch):
    before = dbt_specs.cache_key()
    changed = tmp_path / "dbt_build.py"
    changed.write_text(dbt_specs.TRANSLATOR_CODE.read_text() + "\n# a change to the group names\n")
    monkeypatch.setattr(dbt_specs, "TRANSLATOR_CODE", changed)
    assert dbt_specs.cache_key() != before


def test_relation_names_fit_postgres_identifiers():
    """PostgreSQL cuts identifiers at 63 bytes and dbt refuses longer model and unit-test names there; checked here,
    on the manifest, so that a long name fails the quick suite and not only the PostgreSQL build."""
    manifest = json.loads(prepare_manifest().read_text(encoding="utf-8"))
    long = [n["name"] for n in list(manifest["nodes"].values()) + list(manifest.get("unit_tests", {}).values())
            if len(n["name"].encode()) > 63 and n["resource_type"] in ("model", "seed", "unit_test")]
    assert not long
