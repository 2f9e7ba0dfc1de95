"""Drawing the report's charts with matplotlib (Agg): one font that has every Latvian letter (a text it cannot set
fails the chart instead of printing boxes), the colours and Latvian labels of the series, axis helpers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.report.page import Chart, ReportError

if TYPE_CHECKING:
    import pandas as pd

FONT = "DejaVu Sans"  # ships with matplotlib and has every Latvian letter
ZEMGALE = "Zemgales plānošanas reģions"
STATUS_LV = {"providing": "sniedz", "planning": "plāno sniegt", "stopped": "pārtraukta darbība"}
CARE_SETTING_LV = {"institutional": "institucionālā aprūpe", "community": "sabiedrībā balstīti pakalpojumi"}
CHANGE_LV = {"registered": "reģistrēti", "removed": "izslēgti", "status_changed": "mainīts statuss",
             "renamed": "mainīts nosaukums", "moved": "mainīta adrese", "capacity_changed": "mainīts vietu skaits"}
COLOURS = {"main": "#1f5a96", "second": "#c8553d", "third": "#6a994e", "muted": "#b8c4d0", "highlight": "#e0a100"}


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.family": FONT, "font.size": 10, "axes.spines.top": False,
                         "axes.spines.right": False, "axes.titleweight": "bold", "figure.dpi": 100})
    return plt


def missing_glyphs(text: str, family: str = FONT) -> set[str]:
    """Characters of `text` the font has no glyph for (they would print as empty boxes, 'tofu')."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    font = FT2Font(font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False))
    return {ch for ch in text if not ch.isspace() and font.get_char_index(ord(ch)) == 0}


def check_glyphs(fig, name: str) -> None:
    from matplotlib import font_manager
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        content = text.get_text()
        if not content:
            continue
        family = Path(font_manager.findfont(text.get_fontproperties())).stem
        if not family.startswith("DejaVuSans"):
            raise ReportError(f"chart {name}: text {content!r} is set in {family}, not {FONT}")
        lost = missing_glyphs(content)
        if lost:
            raise ReportError(f"chart {name}: no glyph for {''.join(sorted(lost))!r} in {content!r}")


def save(fig, folder: Path, chart: Chart) -> Chart:
    plt = pyplot()
    check_glyphs(fig, chart.name)
    chart.file = folder / f"{chart.name}.png"
    fig.savefig(chart.file, format="png", bbox_inches="tight", metadata={"Software": "lvsocial report"})
    plt.close(fig)
    return chart


def mid_year(years) -> list[pd.Timestamp]:
    """A yearly figure (clients or spending during the year) drawn at 1 July of its year."""
    import pandas as pd

    return [pd.Timestamp(int(y), 7, 1) for y in years]


def thousands(ax, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: f"{v:,.0f}".replace(",", " "))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def number(n) -> str:
    return f"{n:,.0f}".replace(",", " ")



def wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(str(text), width)) or str(text)

