"""The report's page: what was drawn (charts with their Latvian titles and English captions) and what was not, as
one static HTML page beside the PNGs and as Markdown for the asset's metadata in the UI."""

from __future__ import annotations

import base64
import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path


class ReportError(RuntimeError):
    pass


@dataclass
class Chart:
    name: str  # file stem
    title: str  # Latvian, as on the chart
    caption: str  # what it shows and where from, for the page
    file: Path | None = None


@dataclass
class Missing:
    series: str
    reason: str


@dataclass
class Report:
    folder: Path
    index: Path
    charts: list[Chart]
    missing: list[Missing]
    snapshots: list[dt.date]
    years: list[int] = field(default_factory=list)

    def as_markdown(self, embed: bool = True) -> str:
        """The charts as Markdown with the PNGs embedded (data URIs), for the asset's metadata in the UI."""
        parts = [f"**Register snapshots** {date_range(self.snapshots)}" + (
            f"; **statistics years** {self.years[0]}–{self.years[-1]}" if self.years else "")]
        for chart in self.charts:
            parts.append(f"### {chart.title}\n\n{chart.caption}")
            if embed:
                data = base64.b64encode(chart.file.read_bytes()).decode("ascii")
                parts.append(f"![{chart.name}](data:image/png;base64,{data})")
        if self.missing:
            parts.append("### Not drawn\n\n" + "\n".join(f"- {m.series}: {m.reason}" for m in self.missing))
        return "\n\n".join(parts)



def date_range(dates) -> str:
    if not dates:
        return "none"
    return f"{dates[0]:%Y-%m-%d} … {dates[-1]:%Y-%m-%d} ({len(dates)})"



def page_html(report: Report, published_at: str | None) -> str:
    esc = html.escape
    figures = "\n".join(
        f'<figure id="{esc(c.name)}">\n  <h2>{esc(c.title)}</h2>\n'
        f'  <img src="{esc(c.file.name)}" alt="{esc(c.title)}">\n  <figcaption>{esc(c.caption)}</figcaption>\n'
        f"</figure>" for c in report.charts)
    missing = ""
    if report.missing:
        missing = ('<section id="missing">\n  <h2>Not drawn</h2>\n  <ul>\n' + "\n".join(
            f"    <li><b>{esc(m.series)}</b>: {_code(m.reason)}</li>" for m in report.missing)
            + "\n  </ul>\n</section>")
    years = (f" · statistics years {report.years[0]}–{report.years[-1]}" if report.years else "")
    return f"""<!DOCTYPE html>
<html lang="lv">
<head>
<meta charset="utf-8">
<title>lvsocial — sociālie pakalpojumi Latvijā</title>
<style>
  body {{ font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1250px; margin: 2em auto; padding: 0 1em;
         color: #1d2733; }}
  figure {{ margin: 2.5em 0; }} img {{ max-width: 100%; border: 1px solid #e3e8ee; }}
  figcaption {{ color: #4a5868; max-width: 900px; }} .meta {{ color: #4a5868; }}
</style>
</head>
<body>
<h1>Sociālie pakalpojumi Latvijā</h1>
<p class="meta">Register snapshots {esc(date_range(report.snapshots))}{esc(years)} · from the published copy of the
marts{esc(f" (published {published_at})" if published_at else "")} · drawn by the lvsocial pipeline
(asset <code>report/charts</code>) on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.</p>
{figures}
{missing}
</body>
</html>
"""


def _code(text: str) -> str:
    """Escape text for HTML, with `backticked` table names as <code>."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))

