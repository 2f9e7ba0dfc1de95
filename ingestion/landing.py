"""The landing folder: which files belong to which source and partition (docs/inputs.md#the-landing-folder), by
the declarations of `ingestion.sources`. Files of other names are reported, never an error."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingestion.sources import REGISTRY, SOURCES, STATIC, YEAR, Source  # noqa: F401  (SOURCES re-exported)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LANDING = REPO_ROOT / "data" / "sample" / "landing"


@dataclass
class Landing:
    root: Path
    files: dict[str, dict[str, list[Path]]] = field(default_factory=dict)  # source -> partition -> files
    ignored: list[Path] = field(default_factory=list)
    reasons: dict[Path, str] = field(default_factory=dict)  # why an ignored file was not taken

    def ignored_with_reasons(self) -> list[tuple[Path, str]]:
        return [(p, self.reasons.get(p, "a file of unknown name")) for p in self.ignored]

    def of(self, source: Source | str) -> dict[str, list[Path]]:
        """partition key -> files of one source."""
        return self.files.get(source if isinstance(source, str) else source.name, {})

    def register_snapshots(self) -> dict[str, list[Path]]:
        return self.of(REGISTRY)

    def absent_sources(self) -> list[str]:
        return [s for s in SOURCES if not self.files.get(s)]


def _near_miss(source: Source, name: str) -> str | None:
    """Why a file named like one of the source's is not taken (a date that is none, a partition it does not have)."""
    if source.near_miss is not None and source.near_miss.match(name):
        digits = "".join(c for c in name.split("_", 1)[1] if c.isdigit())[:8]
        return f"named like a register snapshot, but {digits[:4]}-{digits[4:6]}-{digits[6:8]} is not a date"
    for pattern in source.patterns:
        m = pattern.match(name)
        if m and source.partition_kind in (YEAR, STATIC):
            return (f"named like a {source.name} file, but {m.group(1)} is none of its partitions "
                    f"({source.partitions[0]} … {source.partitions[-1]})")
    return None


def scan(root: Path) -> Landing:
    landing = Landing(root)
    if not root.is_dir():
        return landing
    claimed: set[Path] = set()
    for source in SOURCES.values():
        folder = root / source.subfolder
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if not path.is_file():
                continue
            if not path.resolve().is_relative_to(root.resolve()):
                landing.reasons[path] = f"points outside the landing folder ({path.resolve()}): not followed"
                continue
            key = source.partition_of(path.name)
            if key:
                landing.files.setdefault(source.name, {}).setdefault(key, []).append(path)
                claimed.add(path)
            elif (why := _near_miss(source, path.name)) is not None:
                landing.reasons.setdefault(path, why)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path not in claimed and not path.name.startswith("."):
            landing.ignored.append(path)
    return landing
