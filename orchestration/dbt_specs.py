"""The dbt assets' specs (keys, dependencies, groups, descriptions, metadata, dbt tests as checks), cached as JSON
next to the manifest so that loading the definitions does not import dagster-dbt and dbt-core (about 3 s of every
definitions load: each UI start, code-server reload, sensor tick's run and `lvsocial run`).

The cache is written from dagster-dbt's own definition (`orchestration.dbt_build.real_dbt_assets`) and is valid for
one manifest, one version of the translator's code and one dagster/dagster-dbt version: any change rebuilds it the
next time the definitions load (the slow way, once)."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import dagster as dg

from orchestration.config import MANIFEST

CACHE = MANIFEST.parent / "lvsocial_dagster_specs.json"
FORMAT = 1
# Python objects dagster-dbt keeps in each spec's metadata for its own use at run time; the step reads them from
# dagster-dbt's definition instead (orchestration.dbt_build._DbtContext).
RUNTIME_ONLY = ("dagster_dbt/manifest", "dagster_dbt/dagster_dbt_translator", "dagster_dbt/project")
TRANSLATOR_CODE = Path(__file__).with_name("dbt_build.py")


@dataclass(frozen=True)
class DbtSpecs:
    assets: list[dg.AssetSpec]
    checks: list[dg.AssetCheckSpec]
    op_tags: dict[str, str]


def cache_key() -> str:
    """What the cached specs were made from: the manifest, the translator's code, dagster's and dagster-dbt's
    versions."""
    digest = hashlib.sha256()
    digest.update(MANIFEST.read_bytes())
    digest.update(TRANSLATOR_CODE.read_bytes())
    digest.update(f"{FORMAT}|{version('dagster')}|{version('dagster-dbt')}".encode())
    return digest.hexdigest()


def load_specs() -> DbtSpecs:
    """The cached specs when they are current, else dagster-dbt's (and the cache written for the next load)."""
    if not MANIFEST.exists():
        raise FileNotFoundError(
            f"The dbt manifest {MANIFEST} is missing: run `lvsocial prepare` (or `lvsocial run`, which prepares it) "
            "before loading the Dagster definitions.")
    key = cache_key()
    try:
        cached = json.loads(CACHE.read_text(encoding="utf-8"))
        if cached.get("key") == key:
            return _from_json(cached)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # missing, partial or from another version: rebuilt below
    return write_cache(key)


def write_cache(key: str | None = None) -> DbtSpecs:
    """Build the specs with dagster-dbt and keep them in CACHE (written atomically: loads may run side by side)."""
    from orchestration.dbt_build import real_dbt_assets

    real = real_dbt_assets()
    document = {"key": key or cache_key(), "op_tags": dict(real.op.tags),
                "assets": [_asset_json(spec) for spec in real.specs],
                "checks": [_check_json(spec) for spec in real.check_specs]}
    tmp = CACHE.with_name(f"{CACHE.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(document), encoding="utf-8")
        os.replace(tmp, CACHE)
    except OSError as exc:  # a read-only deployment: every load then takes the slow way, but loads
        warnings.warn(f"could not write the dbt specs cache {CACHE}: {exc}", stacklevel=2)
        tmp.unlink(missing_ok=True)
    return _from_json(document)  # the same specs a later load reads back


def _serialize_metadata(metadata) -> str:
    from dagster._core.definitions.metadata import normalize_metadata
    from dagster_shared.serdes import serialize_value

    kept = {k: v for k, v in metadata.items() if k not in RUNTIME_ONLY}
    return serialize_value(dict(normalize_metadata(kept)))


def _deserialize_metadata(text: str) -> dict:
    from dagster_shared.serdes import deserialize_value

    return dict(deserialize_value(text, dict))


def _asset_json(spec: dg.AssetSpec) -> dict:
    return {"key": list(spec.key.path), "deps": [list(dep.asset_key.path) for dep in spec.deps],
            "group_name": spec.group_name, "description": spec.description, "tags": dict(spec.tags),
            "owners": list(spec.owners), "code_version": spec.code_version, "skippable": spec.skippable,
            "metadata": _serialize_metadata(spec.metadata)}


def _check_json(spec: dg.AssetCheckSpec) -> dict:
    return {"name": spec.name, "asset": list(spec.asset_key.path), "description": spec.description,
            "blocking": spec.blocking, "additional_deps": [list(d.asset_key.path) for d in spec.additional_deps],
            "metadata": _serialize_metadata(spec.metadata)}


def _from_json(document: dict) -> DbtSpecs:
    assets = [dg.AssetSpec(key=dg.AssetKey(a["key"]), deps=[dg.AssetKey(d) for d in a["deps"]],
                           group_name=a["group_name"], description=a["description"], tags=a["tags"],
                           owners=a["owners"], code_version=a["code_version"], skippable=a["skippable"],
                           metadata=_deserialize_metadata(a["metadata"]))
              for a in document["assets"]]
    checks = [dg.AssetCheckSpec(name=c["name"], asset=dg.AssetKey(c["asset"]), description=c["description"],
                                blocking=c["blocking"], additional_deps=[dg.AssetKey(d) for d in c["additional_deps"]],
                                metadata=_deserialize_metadata(c["metadata"]))
              for c in document["checks"]]
    return DbtSpecs(assets=assets, checks=checks, op_tags=dict(document["op_tags"]))
