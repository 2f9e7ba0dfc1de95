"""`lvsocial rejected`: the input rows the loaders rejected, counted by source and reason, then the rows themselves
with their file, row number and raw record (read from audit.rejected_rows in the warehouse file)."""

from __future__ import annotations

import sys

from orchestration.cli.locations import settings_from


def cmd_rejected(args) -> int:
    """List rejected input rows by source and reason, then the rows themselves."""
    import duckdb

    settings = settings_from(args)
    warehouse = settings.warehouse
    if not warehouse.exists():
        print(f"error: no warehouse at {warehouse}; run `lvsocial run` first", file=sys.stderr)
        return 2
    try:
        con = duckdb.connect(str(warehouse), read_only=True, config=settings.duckdb_config())
    except duckdb.IOException as exc:
        print(f"error: cannot read {warehouse} while the pipeline writes it ({exc}); try again when the run ends",
              file=sys.stderr)
        return 2
    where, params = [], []
    if args.source:
        where.append("source = ?")
        params.append(args.source)
    if args.file:
        where.append("source_file like ?")
        params.append(f"%{args.file}%")
    clause = ("where " + " and ".join(where)) if where else ""
    with con:
        try:
            counts = con.execute(f"select source, reason, count(*), count(distinct source_file) from "
                                 f"audit.rejected_rows {clause} group by 1, 2 order by 1, 3 desc", params).fetchall()
        except duckdb.CatalogException:
            print("no audit tables yet: run `lvsocial run` first")
            return 0
        if not counts:
            print("no rejected rows")
            return 0
        print(f"{'source':<28} {'rows':>6} {'files':>6}  reason")
        for source, reason, n, files in counts:
            print(f"{source:<28} {n:>6} {files:>6}  {reason}")
        rows = con.execute(f"select source, source_file, source_row, reason, raw_record from audit.rejected_rows "
                           f"{clause} order by source, source_file, source_row limit ?",
                           [*params, args.limit]).fetchall()
    print(f"\nfirst {len(rows)} rejected rows (file:row — reason — raw record):")
    for source, file, row, reason, raw in rows:
        raw = raw if len(raw) <= 200 or args.full else raw[:200] + "…"
        print(f"  [{source}] {file}:{row} — {reason}\n      {raw}")
    return 0
