"""The form a fetched download takes in the landing folder: the bytes as served (CKAN files), or the landing format
the reader takes (a PxWeb answer, turned into `reference/iedzivotaji.csv`). One function, used by the fetch and by
the loader's provenance lookup, so both derive the same bytes."""

from __future__ import annotations

from functools import lru_cache

from ingestion.fetch import catalogue, pxweb


@lru_cache(maxsize=1)
def _sources() -> dict[str, catalogue.Source]:
    return catalogue.load().sources


def to_landing(source: catalogue.Source, data: bytes) -> bytes:
    if source.kind == "pxweb":
        return pxweb.landing_bytes(pxweb.parse_answer(source, data))
    return data


def landing_bytes(source_name: str, data: bytes) -> bytes | None:
    """The landing bytes of an archived download of the catalogue's source `source_name` (None when the catalogue
    no longer has it, or the download does not convert)."""
    source = _sources().get(source_name)
    if source is None:
        return None
    try:
        return to_landing(source, data)
    except pxweb.TableError:
        return None
