"""The publisher catalogue, ingestion/publishers.toml: one entry per source that can be fetched, read into `Source`
objects (what to ask for, how to pick the resource, what to check, the landing name it becomes)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[1] / "publishers.toml"
KINDS = ("ckan", "pxweb")
CHECKS = ("json_data_list", "csv_header", "pxweb_table")


class CatalogueError(ValueError):
    """The catalogue names something it may not (an unknown kind or check, a source without a package)."""


@dataclass(frozen=True)
class Source:
    name: str
    kind: str  # ckan | pxweb
    check: str  # one of CHECKS
    landing: str  # landing path relative to the landing folder; `{date}` = YYYYMMDD of the resource name
    description: str = ""
    package: str = ""  # ckan: package name or id
    format: str = ""  # ckan: resource format (compared case-insensitively)
    name_pattern: str = ""  # ckan: regular expression the resource's file name must match (group `date`)
    contract: str = ""  # csv_header: whose header rules apply (esf_cfla)
    table: str = ""  # pxweb: the table's path under the base
    response_format: str = "json-stat2"  # pxweb: json-stat2 | csv
    area_dimension: str = ""
    time_dimension: str = ""
    query: list = field(default_factory=list)  # pxweb: the query's `query` list

    @property
    def extension(self) -> str:
        """The file extension of what the publisher serves (the archive keeps it)."""
        if self.kind == "pxweb":
            return "json" if self.response_format == "json-stat2" else "csv"
        suffixes = Path(self.landing).suffixes
        return "".join(suffixes).lstrip(".") or "bin"

    def matches(self, resource_name: str) -> re.Match | None:
        return re.match(self.name_pattern, resource_name) if self.name_pattern else None


@dataclass(frozen=True)
class Catalogue:
    portal: str
    pxweb: str
    sources: dict[str, Source]

    def select(self, names: list[str] | None) -> list[Source]:
        """The sources named (all when none are); an unknown name is an error listing the known ones."""
        if not names:
            return list(self.sources.values())
        unknown = [n for n in names if n not in self.sources]
        if unknown:
            raise CatalogueError(f"unknown source(s) {', '.join(unknown)}; the catalogue has "
                                 f"{', '.join(self.sources)}")
        return [self.sources[n] for n in names]


def load(path: Path | str = CATALOGUE) -> Catalogue:
    """Read and check the catalogue; CatalogueError names the entry and what is wrong with it."""
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    defaults = doc.get("defaults", {})
    sources = {}
    for name, entry in doc.get("sources", {}).items():
        try:
            source = Source(name=name, **entry)
        except TypeError as exc:
            raise CatalogueError(f"{path}: source {name}: {exc}") from exc
        problem = _problem(source)
        if problem:
            raise CatalogueError(f"{path}: source {name}: {problem}")
        sources[name] = source
    return Catalogue(defaults.get("portal", ""), defaults.get("pxweb", ""), sources)


def _problem(source: Source) -> str | None:
    if source.kind not in KINDS:
        return f"kind {source.kind!r} is not one of {', '.join(KINDS)}"
    if source.check not in CHECKS:
        return f"check {source.check!r} is not one of {', '.join(CHECKS)}"
    if source.kind == "ckan" and not (source.package and source.name_pattern):
        return "a CKAN source needs a package and a name_pattern"
    if source.kind == "pxweb" and not (source.table and source.area_dimension and source.time_dimension):
        return "a PxWeb source needs a table, an area_dimension and a time_dimension"
    if source.response_format not in ("json-stat2", "csv"):
        return f"response_format {source.response_format!r} is not json-stat2 or csv"
    if source.check == "csv_header" and not source.contract:
        return "check csv_header needs a contract"
    if Path(source.landing).is_absolute() or ".." in Path(source.landing).parts:
        return f"landing {source.landing!r} must be a path inside the landing folder"
    return None
