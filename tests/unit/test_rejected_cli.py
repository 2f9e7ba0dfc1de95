"""`lvsocial rejected` on a small purpose-made warehouse: the counts and rows, and a reader that stops early
(`lvsocial rejected | head`) ends it quietly with exit code 0 instead of a BrokenPipeError."""

import subprocess
import sys
from pathlib import Path

import duckdb

from ingestion.common import ensure_audit

LVSOCIAL = str(Path(sys.executable).parent / "lvsocial")


def _warehouse(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "lvsocial.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_audit(con)
        con.execute("""insert into audit.rejected_rows select 'registry', 'pakalpojumusniedzejudati_20200301.json',
                       i, 'no register number', '{"Nosaukums": "x"}', '2020-03-01', now()
                       from range(1, ? + 1) t(i)""", [rows])
    return path


def test_lists_counts_then_rows(tmp_path):
    out = subprocess.run([LVSOCIAL, "rejected", "--warehouse", str(_warehouse(tmp_path, 3))],
                         capture_output=True, text=True, check=True).stdout
    assert "registry" in out and "no register number" in out
    assert "pakalpojumusniedzejudati_20200301.json:3" in out


def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    warehouse = _warehouse(tmp_path, 20_000)
    proc = subprocess.Popen([LVSOCIAL, "rejected", "--warehouse", str(warehouse), "--limit", "20000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()  # then close our end, as `head -1` does
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert first.startswith(b"source")
    assert "BrokenPipeError" not in err and "Traceback" not in err
