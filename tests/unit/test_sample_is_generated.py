"""The committed sample is exactly what the committed generator writes (deterministic, nothing edited by hand)."""

from ingestion.sample.__main__ import main as generate
from tests.conftest import SAMPLE_LANDING


def test_committed_sample_matches_the_generator(tmp_path):
    out = tmp_path / "landing"
    assert generate(["--out", str(out)]) == 0
    committed = {p.relative_to(SAMPLE_LANDING): p.read_bytes() for p in SAMPLE_LANDING.rglob("*") if p.is_file()}
    generated = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert sorted(committed) == sorted(generated)
    differing = [str(k) for k in committed if committed[k] != generated[k]]
    assert not differing, f"regenerate with `python -m ingestion.sample`: {differing}"
    assert sum(len(b) for b in committed.values()) < 6_000_000
