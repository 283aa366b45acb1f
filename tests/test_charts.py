"""Bar charts of a question's counts: PNG and SVG, bars in the table's order, percent on the
axis, N on each bar, Danish labels, deterministic SVG, and the `chart` command."""

from __future__ import annotations

import warnings
from xml.etree import ElementTree

import pytest

from helpers import assert_one_line_error, run
from qualcode.core.project import Project
from qualcode.io.charts import chart_bytes, chart_figure, inline_svg

pytestmark = pytest.mark.fresh_charts  # these tests are about the drawing: never remembered

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def frames(demo_db):
    with Project.open(demo_db) as p:
        return {q: p.counts(q) for q in ("strategier", "udfordringer-fysiske", "interview")}


def test_bars_follow_the_table(frames):
    frame = frames["strategier"]
    fig = chart_figure(frame)
    ax = fig.axes[0]
    bars = list(ax.patches)
    assert len(bars) == len(frame) == 7
    # top to bottom in the table's order: the y axis is inverted, so y grows downwards
    assert ax.yaxis_inverted()
    assert [b.get_y() for b in bars] == sorted(b.get_y() for b in bars)
    assert [round(b.get_width(), 1) for b in bars] == list(frame["percent"])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].replace("\n", " ") == 'Generelt fokus på "borgere på kanten"'
    assert labels[-1] == "Andet"
    on_bars = [t.get_text() for t in ax.texts]
    assert on_bars == [str(n) for n in frame["respondents"]]
    assert "35 jobcentre der har svaret (%)" in ax.get_xlabel()
    assert ax.get_legend().get_texts()[0].get_text() == "Rapporten 2018"


def test_nested_themes_are_marked_and_interviews_say_interviewed(frames):
    frame = frames["interview"]
    ax = chart_figure(frame).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    depth = dict(zip(frame["label"], frame["depth"], strict=True))
    assert any(label.startswith("– Hjælpemidler") for label in labels)
    assert depth["Hjælpemidler"] == 1
    assert "15 interviewede jobcentre" in ax.get_xlabel()
    assert ax.get_legend() is None  # no published figures for the interviews


def test_png_has_danish_glyphs(frames):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph (æ, ø, å) would warn
        data = chart_bytes(frames["udfordringer-fysiske"], "png")
    assert data.startswith(PNG_SIGNATURE)
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(data))
    assert image.width > 1000 and image.height > 300


def test_svg_is_deterministic_and_keeps_text(frames):
    frame = frames["udfordringer-fysiske"]
    first, second = chart_bytes(frame, "svg"), chart_bytes(frame, "svg")
    assert first == second
    text = first.decode("utf-8")
    assert "<dc:date>" not in text
    root = ElementTree.fromstring(first)
    texts = ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Større videnskrav" in texts
    assert "Manglende motivation eller tro hos borger" in " ".join(texts)  # wrapped in lines
    for n in frame["respondents"]:
        assert str(n) in texts
    assert inline_svg(first).startswith("<svg")


def test_unknown_format_is_refused(frames):
    from qualcode.errors import QualcodeError

    with pytest.raises(QualcodeError):
        chart_bytes(frames["strategier"], "gif")


def test_chart_command_writes_png_and_svg(demo_db, tmp_path):
    png, svg = tmp_path / "figur.png", tmp_path / "Figur æøå.svg"
    result = run("chart", demo_db, "--question", "strategier", "-o", png)
    assert result.exit_code == 0, result.output
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    assert run("chart", demo_db, "--question", "strategier", "-o", svg).exit_code == 0
    assert b"Fleksjob" in svg.read_bytes()
    with Project.open(demo_db) as p:
        assert svg.read_bytes() == chart_bytes(p.counts("strategier"), "svg")


def test_chart_command_errors(demo_db, tmp_path):
    assert_one_line_error(
        run("chart", demo_db, "--question", "strategier", "-o", tmp_path / "figur.gif"),
        "figur.gif",
        ".png eller .svg",
    )
    assert not (tmp_path / "figur.gif").exists()
    assert_one_line_error(
        run("chart", demo_db, "--question", "nej", "-o", tmp_path / "f.png"),
        "intet spørgsmål 'nej'",
    )
    existing = tmp_path / "f.svg"
    existing.write_text("mine", encoding="utf-8")
    assert_one_line_error(
        run("chart", demo_db, "--question", "strategier", "-o", existing), "findes allerede"
    )
    assert existing.read_text(encoding="utf-8") == "mine"
    assert (
        run("chart", demo_db, "--question", "strategier", "-o", existing, "--force").exit_code == 0
    )
    assert existing.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert_one_line_error(
        run("chart", demo_db, "--question", "strategier", "-o", tmp_path / "mangler" / "f.png"),
        "mappen findes ikke",
    )


def test_a_long_title_wraps_and_the_chart_fits_an_a4_text_column(frames):
    from io import BytesIO

    from PIL import Image

    from qualcode.io.charts import PNG_DPI, TITLE_WIDTH, WIDTH_IN

    frame = frames["strategier"]
    title = "Figur 1: " + "Indhold i lokalpolitiske strategier eller tilkendegivelser " * 3
    fig = chart_figure(frame, title=title)
    shown = fig.get_suptitle()
    assert shown.replace("\n", " ") == title.strip()  # every word, none cut off
    assert all(len(line) <= TITLE_WIDTH for line in shown.splitlines())
    assert fig.get_figwidth() == WIDTH_IN <= 15.2 / 2.54
    with Image.open(BytesIO(chart_bytes(frame, "png", title=title))) as png:
        assert abs(png.width - WIDTH_IN * PNG_DPI) <= 1  # print resolution
    assert not chart_figure(frame, title="").get_suptitle()
