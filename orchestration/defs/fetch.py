"""Fetching from the publishers in Dagster: the job `fetch_publishers`, one op per source of the catalogue
(ingestion/publishers.toml) with a retry policy, the HTTP client as the resource `publishers`, and the schedule
`fetch_publishers_daily` (stopped until switched on). Each attempt's outcome (new / unchanged / failed, the URL,
bytes, SHA-256, archive and landing paths, the reason) is the op's metadata in the UI, and a manifest line.

Ops, not assets: a fetch writes the archive and the landing folder, not the warehouse; the sensors then load what
landed. So `lvsocial run` and the `transform` job never fetch."""


import json
from dataclasses import asdict

import dagster as dg
from pydantic import Field

from ingestion.fetch import archive, catalogue, fetcher
from ingestion.fetch.http import USER_AGENT, HttpClient
from orchestration.resources import LandingFolder

CODE = "https://github.com/lvsocial/lvsocial/blob/main/ingestion/fetch/fetcher.py"
# The client retries each request 4 times within seconds; the op retries the whole source later, for an outage.
FETCH_RETRY = dg.RetryPolicy(max_retries=2, delay=300, backoff=dg.Backoff.EXPONENTIAL)


class Publishers(dg.ConfigurableResource):
    """Where the publishers are and how they are asked: the CKAN portal and PxWeb bases (empty: $LVSOCIAL_PORTAL_URL
    / $LVSOCIAL_PXWEB_URL, else the catalogue's), the archive folder, and the HTTP client's timeouts and tries."""

    portal: str = Field(default="", description="CKAN portal base; empty: $LVSOCIAL_PORTAL_URL or the catalogue's")
    pxweb: str = Field(default="", description="PxWeb API base; empty: $LVSOCIAL_PXWEB_URL or the catalogue's")
    archive: str = Field(default="", description="archive folder; empty: $LVSOCIAL_ARCHIVE_DIR or archive/")
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    tries: int = 4
    backoff: float = 1.0
    user_agent: str = USER_AGENT

    def client(self) -> HttpClient:
        return HttpClient(user_agent=self.user_agent, connect_timeout=self.connect_timeout,
                          read_timeout=self.read_timeout, tries=self.tries, backoff=self.backoff)

    def archive_root(self):
        return archive.archive_dir(self.archive or None)


def _metadata(result: fetcher.Result, attempt: int) -> dict:
    entry = result.entry
    meta = {"outcome": result.outcome, "attempt": attempt, "retrieved_at": entry.retrieved_at,
            "url": dg.MetadataValue.url(entry.url) if entry.url else "none",
            "http_status": entry.http_status if entry.http_status is not None else "none",
            "bytes": entry.bytes if entry.bytes is not None else 0, "sha256": entry.sha256 or "none",
            "archive_path": entry.archive_path or "none", "landing_path": entry.landing_path or "none",
            "reason": entry.reason or "none", "code": dg.MetadataValue.url(CODE)}
    if result.notes:
        meta["notes"] = dg.MetadataValue.md("\n".join(f"- {n}" for n in result.notes))
    return meta


def fetch_op(source: catalogue.Source) -> dg.OpDefinition:
    @dg.op(name=f"fetch_{source.name}", out=dg.Out(dg.Nothing),
           tags={"lvsocial/source": source.name}, description=f"Fetch {source.description or source.name} "
           f"({source.kind}) into the archive and the landing folder ({source.landing}).")
    def _fetch(context: dg.OpExecutionContext, publishers: Publishers, landing: LandingFolder):
        cat = catalogue.load()
        portal, pxweb = fetcher.bases(cat, publishers.portal or None, publishers.pxweb or None)
        try:
            result = fetcher.fetch_source(cat.sources[source.name], publishers.client(), portal=portal,
                                          pxweb_base=pxweb, landing=landing.path,
                                          archive_root=publishers.archive_root())
        except fetcher.LandingRefused as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from exc
        meta = _metadata(result, context.retry_number + 1)
        context.log.info(f"attempt {context.retry_number + 1}: {json.dumps(asdict(result.entry), ensure_ascii=False)}")
        if result.outcome == "failed":
            # Retried later only when the trouble may pass (a 404, an HTML page or a wrong header will not).
            raise dg.Failure(description=f"{source.name}: {result.outcome} — {result.reason}", metadata=meta,
                             allow_retries=result.transient)
        context.log.info(f"{source.name}: {result.outcome}, {result.entry.bytes} bytes, "
                         f"landing {result.entry.landing_path or 'unchanged'}")
        yield dg.Output(None, metadata=meta)

    return _fetch


@dg.graph(name="fetch_publishers_graph")
def _fetch_all():
    for source in catalogue.load().sources.values():
        fetch_op(source)()


def fetch_job(retry_policy: dg.RetryPolicy = FETCH_RETRY) -> dg.JobDefinition:
    """The job, its ops retried by `retry_policy` (tests give one without delay)."""
    return _fetch_all.to_job(
        name="fetch_publishers", op_retry_policy=retry_policy,
        description="Fetch every source of ingestion/publishers.toml into the archive and the landing folder (one "
                    "op per source; a failed source does not stop the others). The sensors load what lands.")


fetch_publishers = fetch_job()

fetch_publishers_daily = dg.ScheduleDefinition(
    name="fetch_publishers_daily", job=fetch_publishers, cron_schedule="30 5 * * *",
    execution_timezone="Europe/Riga", default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every day at 05:30 (Riga): fetch the publishers' files (the register changes daily and keeps no "
                "history; what is not fetched is lost). Stopped until switched on in the UI.")

JOBS = [fetch_publishers]
SCHEDULES = [fetch_publishers_daily]


def resources() -> dict:
    return {"publishers": Publishers()}
