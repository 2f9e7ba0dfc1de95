"""`lvsocial fetch`: fetch the catalogue's sources (ingestion/publishers.toml) from the publishers into the archive
and the landing folder, printing each source's outcome and a summary; exit code 1 when any source failed (the
others are fetched all the same), 2 when it cannot start (the shipped sample as landing, an unknown source)."""

from __future__ import annotations

import sys

from orchestration.cli.progress import Progress


def cmd_fetch(args) -> int:
    from ingestion.fetch import archive, catalogue, fetcher
    from ingestion.fetch.http import HttpClient
    from orchestration.cli.locations import settings_from

    settings = settings_from(args)  # the flags over LVSOCIAL_LANDING_DIR / LVSOCIAL_ARCHIVE_DIR (exported: the loader
    #                                 reads the archive's manifest for the provenance of what it loads)
    try:
        cat = catalogue.load()
        sources = cat.select(args.source)
        landing = fetcher.check_landing(settings.landing_dir)
    except (catalogue.CatalogueError, fetcher.LandingRefused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    root = settings.archive_dir
    portal, pxweb = fetcher.bases(cat, args.portal, args.pxweb)
    print(f"lvsocial fetch\n  landing {landing}\n  archive {root}\n  portal  {portal}\n  pxweb   {pxweb}", flush=True)
    progress = Progress()
    client = HttpClient(tries=args.tries, connect_timeout=args.connect_timeout, read_timeout=args.read_timeout)

    def report(result: fetcher.Result) -> None:
        entry = result.entry
        if result.outcome == "failed":
            progress.say(f"{result.source}: FAILED — {result.reason}")
        else:
            where = entry.archive_path or "no new file (same bytes as the latest archived version)"
            progress.say(f"{result.source}: {result.outcome} — {entry.bytes:,} bytes, sha256 {entry.sha256[:12]}; "
                         f"archive: {where}; landing: {entry.landing_path or 'unchanged'}"
                         + (f" ({result.reason})" if result.reason else ""))
        for note in result.notes:
            progress.say(f"  {note}")

    results = fetcher.fetch_all(cat, [s.name for s in sources], client, landing=landing, archive_root=root,
                                portal=portal, pxweb_base=pxweb, on_result=report)
    counts = {o: sum(1 for r in results if r.outcome == o) for o in archive.OUTCOMES}
    print(f"\nSummary: {counts['new']} new, {counts['unchanged']} unchanged, {counts['failed']} failed "
          f"(manifest: {root / archive.MANIFEST})")
    for r in results:
        if r.outcome == "failed":
            print(f"  failed {r.source}: {r.reason}")
    if counts["new"]:
        print(f"  load them with `lvsocial run --landing {landing}` (or the sensors of `lvsocial ui`/`daemon`)")
    return 1 if counts["failed"] else 0


def add_parser(sub) -> None:
    fetch = sub.add_parser("fetch", help="fetch the publishers' files into the archive and a landing folder")
    fetch.add_argument("--source", action="append", metavar="NAME",
                       help="only this source of ingestion/publishers.toml (repeatable; default: all)")
    fetch.add_argument("--portal", help="CKAN portal base (default: $LVSOCIAL_PORTAL_URL or https://data.gov.lv/dati)")
    fetch.add_argument("--pxweb", help="PxWeb API base (default: $LVSOCIAL_PXWEB_URL or "
                                       "https://data.stat.gov.lv/api/v1/lv)")
    fetch.add_argument("--landing", help="landing folder to write (default: $LVSOCIAL_LANDING_DIR; never the shipped "
                                         "sample)")
    fetch.add_argument("--archive", help="archive folder (default: $LVSOCIAL_ARCHIVE_DIR or archive/)")
    fetch.add_argument("--tries", type=int, default=4, help="attempts per request at most (default 4)")
    fetch.add_argument("--connect-timeout", type=float, default=10.0, help="seconds to connect (default 10)")
    fetch.add_argument("--read-timeout", type=float, default=60.0,
                       help="seconds a read may stall (default 60)")
    fetch.set_defaults(func=cmd_fetch)
