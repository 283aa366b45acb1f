"""Bar charts of a question's counts, as PNG or SVG (matplotlib, Agg, no pyplot).

One horizontal bar per theme, top to bottom in the order of the report's table, the
length the percent of the jobcentres that answered, the number of jobcentres written at
the end of each bar, and the report's published figure, where the codebook has one, as a
thin mark on the same scale. SVG output is deterministic (fixed hash salt, no date) and
keeps its text as text, so Danish labels stay searchable and æ ø å are the viewer's font.

    >>> png = chart_bytes(project.counts("strategier"), "png")   # doctest: +SKIP
    >>> write_file("figur-1.png", png)                            # doctest: +SKIP
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.io.fmt import units
from qualcode.safe import visible

_, _n = translator("io")

if TYPE_CHECKING:
    import pandas as pd

CHART_FORMATS = ("png", "svg")
HASH_SALT = "qualcode"
LABEL_WIDTH = 34  # characters before a theme's label wraps
TITLE_WIDTH = 60  # characters before the title wraps (never cut off at the edge)
WIDTH_IN = 15.2 / 2.54  # inches: the text column of an A4 page with the report's margins
DPI = 150  # the figure's own scale (and the SVG's)
PNG_DPI = 300  # a PNG is printed: print resolution
# the document's family first (DOCX and HTML use Calibri), then metric-compatible stand-ins,
# then one that is always there; a PNG is drawn in the first one installed, an SVG names
# them all and the reader's machine picks
FONTS = ["Calibri", "Carlito", "DejaVu Sans"]


def chart_format(path: str, given: str | None = None) -> str:
    """'png' or 'svg' from ``given`` or the file's suffix; anything else is an error."""
    from pathlib import Path

    fmt = (given or Path(path).suffix.lstrip(".")).lower()
    if fmt not in CHART_FORMATS:
        raise QualcodeError(_("a chart is written as .png or .svg"), file=str(path))
    return fmt


def _axis_text(frame: pd.DataFrame) -> str:
    answered = int(frame["answered"].iloc[0]) if len(frame) else 0
    noun = units(frame.attrs)
    if frame.attrs.get("kind") == "interview":
        text = _("Andel af de {n} interviewede {units} (%)").format(n=answered, units=noun)
    else:
        text = _("Andel af de {n} {units} der har svaret (%)").format(n=answered, units=noun)
    basis = frame.attrs.get("basis_label")
    return text + (f"\n{visible(basis)}" if basis else "")


def chart_figure(frame: pd.DataFrame, *, title: str | None = None, published: bool = True):
    """A matplotlib Figure (not registered with pyplot) of the counts ``frame``; the
    published figure marked where the codebook has one, unless ``published`` is False."""
    from matplotlib.figure import Figure

    rows = list(frame.itertuples())
    marks: list[float | None] = [
        float(r.published_percent) if published and not _missing(r.published_percent) else None
        for r in rows
    ]
    # labels are right-aligned, so a nested theme is marked with a dash per level; control
    # characters in them as visible symbols (an SVG, which is XML, cannot hold them)
    labels = [
        "\n".join(textwrap.wrap("– " * int(r.depth) + visible(r.label), LABEL_WIDTH) or [""])
        for r in rows
    ]
    lines = sum(label.count("\n") + 1 for label in labels)
    height = max(2.4, 0.9 + 0.32 * lines + 0.18 * len(rows))
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    values = [0.0 if _missing(r.percent) else float(r.percent) for r in rows]
    colors = [r.color or "#7F7F7F" for r in rows]
    ypos = list(range(len(rows)))
    bars = ax.barh(ypos, values, color=colors, edgecolor="none", height=0.7)
    top = max(
        [
            *values,
            *[m for m in marks if m is not None],
            1.0,
        ]
    )
    ax.set_xlim(0, min(100.0, top * 1.18) if top < 90 else 105)
    for bar, r in zip(bars, rows, strict=True):
        ax.annotate(
            f"{int(r.respondents)}",
            xy=(bar.get_width(), bar.get_y() + 0.35),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=9,
        )
    shown = [(y, m) for y, m in zip(ypos, marks, strict=True) if m is not None]
    if shown:
        year = frame["published_year"].dropna()
        name = _("Rapporten {year}").format(year=int(year.iloc[0])) if len(year) else _("Rapporten")
        ax.scatter(
            [p for _, p in shown],
            [y for y, _ in shown],
            marker="|",
            s=260,
            linewidths=2,
            color="#222222",
            zorder=3,
            label=name,
        )
        ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.set_yticks(ypos, labels, fontsize=9)
    ax.invert_yaxis()  # the table's first row at the top
    ax.set_xlabel(_axis_text(frame), fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    heading = visible(title if title is not None else frame.attrs.get("title", ""))
    if heading:  # over the whole figure, wrapped, never cut off; '' for a figure whose
        # caption is outside it (the report's)
        fig.suptitle("\n".join(textwrap.wrap(heading, TITLE_WIDTH)), x=0.02, ha="left", fontsize=11)
    # a notebook shows the figure as a picture, also when pyplot was never imported
    # (matplotlib registers its display hook for figures only with pyplot's backends)
    setattr(fig, "_repr_png_", lambda: _png(fig))  # noqa: B010 - an attribute IPython looks for
    return fig


def _png(fig) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.canvas is None or not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)  # on screen: the figure's own scale
    return buf.getvalue()


def _missing(value: object) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def chart_bytes(
    frame: pd.DataFrame, fmt: str = "png", *, title: str | None = None, published: bool = True
) -> bytes:
    """The chart as PNG or SVG bytes; SVG is byte-for-byte the same on every run.
    ``published=False`` leaves out the mark of the published figure."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # no pyplot, no GUI backend

    if fmt not in CHART_FORMATS:
        raise QualcodeError(
            _("unknown chart format '{format}' (use png or svg)").format(format=fmt)
        )
    with _style(matplotlib):
        fig = chart_figure(frame, title=title, published=published)
        FigureCanvasAgg(fig)
        buf = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {"Software": "qualcode"}
        fig.savefig(buf, format=fmt, metadata=metadata, dpi=PNG_DPI if fmt == "png" else DPI)
    return buf.getvalue()


def _style(matplotlib):
    import logging

    # a font of the list that is not installed is normal: no warning per chart
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    return matplotlib.rc_context(
        {
            "svg.hashsalt": HASH_SALT,
            "svg.fonttype": "none",
            "font.family": "sans-serif",
            "font.sans-serif": FONTS,
        }
    )


def inline_svg(svg: bytes) -> str:
    """The SVG as an element to put inside HTML: without the XML prolog and doctype."""
    text = svg.decode("utf-8")
    return text[text.index("<svg") :]
