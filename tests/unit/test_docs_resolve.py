"""Every citation of the project's docs resolves inside the repository: a `docs/<file>.md#anchor` written anywhere in
the code, the dbt project, the scripts or the docs names a file in `docs/` and a heading of it (GitHub's slugs), and
relative links between Markdown files land. No file cites the designers' notes kept outside the repository."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest


def _repo_root() -> Path:
    here = Path(__file__).resolve()
    return next(p for p in here.parents if (p / "pyproject.toml").exists())


REPO = _repo_root()
SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".md", ".sh", ".toml", ".csv"}
# Generated, installed or data folders: nothing there is written by hand.
SKIP_DIRS = {".git", ".venv", ".bi-venv", "venv", "node_modules", "__pycache__", "target", "logs", "data", "artifacts",
             "warehouse", ".dagster_home", "dbt_packages", "results", ".pytest_cache", ".ruff_cache"}

CITATION = re.compile(r"(?<![\w/.-])docs/([\w.-]+\.md)(?:#([\w-]+))?")
MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
EXPLICIT_ID = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
FENCE = re.compile(r"^\s*(```|~~~)")
# Names of the designers' notes, and phrasings that cite them by section or number. The patterns are written so that
# their own source text does not match them.
OUTSIDE_NOTES = re.compile(r"\b(?:DATA_CONTRACT|DESIGN|STYLE)\.md\b|/work/share[d]\b")
NUMBERED = re.compile(r"contract\s*\(?\s*§|\bdata\s+contract\b|\bdecisions?\s+\d+", re.IGNORECASE)


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: tags and link targets dropped, lower case, punctuation other than `-` and `_`
    removed, each space a hyphen (`D9 — One writer` gives `d9--one-writer`)."""
    text = re.sub(r"<[^>]+>", "", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every anchor a Markdown file offers: heading slugs (repeats numbered as GitHub does) and explicit ids."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    in_fence = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if m := HEADING.match(line):
            base = slug(m.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
            found.update(EXPLICIT_ID.findall(line))
    return found


def source_files(root: Path) -> list[Path]:
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]  # pruned, not walked: .venv alone holds 100,000 files
        files += [Path(folder) / n for n in names if Path(n).suffix in SUFFIXES]
    return sorted(files)


def _lines(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return
    yield from enumerate(text.splitlines(), start=1)


def broken_citations(root: Path) -> list[str]:
    """`file:line: what` for each `docs/…md#…` citation and each relative Markdown link that does not resolve."""
    cache: dict[Path, set[str]] = {}

    def has_anchor(target: Path, anchor: str | None) -> bool:
        if anchor is None:
            return True
        if target not in cache:
            cache[target] = anchors(target.read_text(encoding="utf-8"))
        return anchor in cache[target]

    problems = []
    for path in source_files(root):
        where = path.relative_to(root)
        for number, line in _lines(path):
            for name, anchor in CITATION.findall(line):
                target = root / "docs" / name
                if not target.is_file():
                    problems.append(f"{where}:{number}: docs/{name} does not exist")
                elif not has_anchor(target, anchor or None):
                    problems.append(f"{where}:{number}: docs/{name} has no heading #{anchor}")
            if path.suffix != ".md":
                continue
            for link in MD_LINK.findall(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", link):  # http:, mailto:, …
                    continue
                file_part, _, anchor = link.partition("#")
                target = (path.parent / file_part).resolve() if file_part else path
                if not target.exists():
                    problems.append(f"{where}:{number}: link to {link}: {file_part} does not exist")
                elif target.suffix == ".md" and not has_anchor(target, anchor or None):
                    problems.append(f"{where}:{number}: link to {link}: no heading #{anchor} in {target.name}")
    return problems


def outside_citations(root: Path) -> list[str]:
    """`file:line: text` for each line that cites the notes outside the repository, or cites a contract section or a
    numbered decision without naming the page of `docs/` that holds it."""
    problems = []
    for path in source_files(root):
        where = path.relative_to(root)
        for number, line in _lines(path):
            if OUTSIDE_NOTES.search(line) or (NUMBERED.search(line) and not CITATION.search(line)):
                problems.append(f"{where}:{number}: {line.strip()[:100]}")
    return problems


def test_every_docs_citation_resolves():
    problems = broken_citations(REPO)
    assert not problems, "citations that do not resolve:\n" + "\n".join(problems)


TEST_PATH = re.compile(r"(?<![\w/.-])(tests/[\w/]*test_\w+\.py)")


def missing_test_files(root: Path) -> list[str]:
    """`tests/.../test_x.py` named in prose or comments that does not exist (tests move between folders)."""
    return [f"{path.relative_to(root)}:{n}: {name}"
            for path in source_files(root) for n, line in _lines(path)
            for name in TEST_PATH.findall(line) if not (root / name).is_file()]


def test_every_named_test_file_exists(tmp_path):
    assert missing_test_files(REPO) == []
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "tests" / "unit" / "test_here.py").write_text("")
    here, gone = "tests/unit/" + "test_here.py", "tests/" + "test_gone.py"  # split, or this file would name them
    (tmp_path / "a.md").write_text(f"see {here} and {gone}\n")
    assert missing_test_files(tmp_path) == [f"a.md:1: {gone}"]


def test_nothing_cites_notes_outside_the_repository():
    problems = outside_citations(REPO)
    assert not problems, "cite docs/<page>.md#<anchor> instead:\n" + "\n".join(problems)


def test_the_docs_are_cited():
    """The pages exist and the code points at them (a check that found no citation at all would pass vacuously)."""
    pages = {p.name for p in (REPO / "docs").glob("*.md")}
    assert {"inputs.md", "marts.md", "design.md", "register.md"} <= pages
    cited = {name for path in source_files(REPO) if path.suffix != ".md" for _, line in _lines(path)
             for name, _ in CITATION.findall(line)}
    assert {"inputs.md", "marts.md", "design.md"} <= cited


@pytest.mark.parametrize(("heading", "expected"), [
    ("The landing folder", "the-landing-folder"),
    ("EU funds: CFLA lists", "eu-funds-cfla-lists"),
    ("Reference facts (seeds)", "reference-facts-seeds"),
    ("The `lvsocial` command", "the-lvsocial-command"),
    ('<a id="d9"></a>D9 — One writer; readers get the published copy', "d9--one-writer-readers-get-the-published-copy"),
    ("Ķekava un Rīga", "ķekava-un-rīga"),
])
def test_slugs_follow_github(heading, expected):
    assert slug(heading) == expected


def test_bad_citations_are_caught(tmp_path):
    # The bad citations are assembled from pieces, so that this file itself cites nothing that fails.
    d, note, numbered = "docs/", "DESIGN" + ".md", "deci" + "sion 9"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "inputs.md").write_text("# Inputs\n\n## Register JSON\n\n```\n# not a heading\n```\n"
                                                 '## <a id="d1"></a>D1 — Lineage\n', encoding="utf-8")
    (tmp_path / "ok.py").write_text(f'"""See {d}inputs.md#register-json and {d}inputs.md#d1."""\n')
    (tmp_path / "bad.sql").write_text(f"-- {d}inputs.md#register-csv\n-- {d}missing.md#x\n"
                                      f"-- {d}inputs.md#not-a-heading\n")
    (tmp_path / "bad.md").write_text(f"[x]({d}inputs.md#nowhere) [y](nothing.md)\n", encoding="utf-8")
    (tmp_path / "notes.yml").write_text(f"# see {note} {numbered}\n# data {'contract'} §4\n"
                                        f"# {numbered} ({d}inputs.md#d1)\n")
    assert sorted(broken_citations(tmp_path)) == [
        f"bad.md:1: {d}inputs.md has no heading #nowhere",
        f"bad.md:1: link to {d}inputs.md#nowhere: no heading #nowhere in inputs.md",
        "bad.md:1: link to nothing.md: nothing.md does not exist",
        f"bad.sql:1: {d}inputs.md has no heading #register-csv",
        f"bad.sql:2: {d}missing.md does not exist",
        f"bad.sql:3: {d}inputs.md has no heading #not-a-heading",
    ]
    assert outside_citations(tmp_path) == [f"notes.yml:1: # see {note} {numbered}",
                                           f"notes.yml:2: # data {'contract'} §4"]
