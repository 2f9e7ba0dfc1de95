"""The landing folder: which files belong to which source and partition (docs/inputs.md#the-landing-folder). Files of
other names are reported, never an error."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingestion import registry

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LANDING = REPO_ROOT / "data" / "sample" / "landing"

# Every source of docs/inputs.md: subfolder and file-name pattern (group 1 = partition where there is one).
SOURCES = {
    "registry": ("registry", None),
    "esf_cfla": ("esf", re.compile(r"^es_fondu_projekti_(2014_2020|2021_2027)\.csv$")),
    "esf_apia": ("esf", re.compile(r"^(apia_1_4_1_2_4)\.xlsx$")),
    "budget_expenditure": ("budgets", re.compile(r"^pasvaldibu_izdevumi_(\d{4})\.csv$")),
    "social_service_statistics": ("budgets", re.compile(r"^soc_pakalpojumi_(\d{4})\.csv$")),
    "social_service_staffing": ("budgets", re.compile(r"^soc_dienesti_(\d{4})\.csv$")),
    "population": ("reference", re.compile(r"^(iedzivotaji)\.csv$")),
    "population_by_age": ("reference", re.compile(r"^(iedzivotaji_vecuma_grupas)\.csv$")),
}


def landing_dir(value: str | os.PathLike | None = None) -> Path:
    """The landing folder: the argument, else $LVSOCIAL_LANDING_DIR, else the shipped sample."""
    return Path(value or os.environ.get("LVSOCIAL_LANDING_DIR") or DEFAULT_LANDING).resolve()


@dataclass
class Landing:
    root: Path
    files: dict[str, dict[str, list[Path]]] = field(default_factory=dict)  # source -> partition -> files
    ignored: list[Path] = field(default_factory=list)
    reasons: dict[Path, str] = field(default_factory=dict)  # why an ignored file was not taken

    def ignored_with_reasons(self) -> list[tuple[Path, str]]:
        return [(p, self.reasons.get(p, "a file of unknown name")) for p in self.ignored]

    def register_snapshots(self) -> dict[str, list[Path]]:
        return self.files.get("registry", {})

    def absent_sources(self) -> list[str]:
        return [s for s in SOURCES if not self.files.get(s)]


def scan(root: Path) -> Landing:
    landing = Landing(root)
    if not root.is_dir():
        return landing
    claimed: set[Path] = set()
    for source, (sub, pattern) in SOURCES.items():
        folder = root / sub
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if not path.is_file():
                continue
            if not path.resolve().is_relative_to(root.resolve()):
                landing.reasons[path] = f"points outside the landing folder ({path.resolve()}): not followed"
                continue
            if source == "registry":
                date: dt.date | None = registry.snapshot_date_of(path)
                key = date.isoformat() if date else None
                if key is None and registry.LOOKS_LIKE_SNAPSHOT.match(path.name):
                    digits = re.sub(r"\D", "", path.name.split("_", 1)[1])[:8]
                    landing.reasons[path] = (f"named like a register snapshot, but {digits[:4]}-{digits[4:6]}-"
                                             f"{digits[6:8]} is not a date")
            else:
                m = pattern.match(path.name)
                key = m.group(1) if m else None
            if key:
                landing.files.setdefault(source, {}).setdefault(key, []).append(path)
                claimed.add(path)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path not in claimed and not path.name.startswith("."):
            landing.ignored.append(path)
    return landing
