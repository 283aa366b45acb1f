"""A real notebook, run by nbclient in a Jupyter kernel on this environment's Python: it
opens the demo read-only, gets every question's counts in one call and a matrix of
respondents × themes in another, draws a theme matrix and shows a chart as a picture.
The outputs are read back as Jupyter returns them (the HTML of a frame, the PNG of a
figure) and checked against the same calls made here.

One kernel start for the whole module (a few seconds); the kernel is this test's Python
(``sys.executable``), registered under its own name in a folder of the test's, so
neither a kernel the machine has installed nor the user's Jupyter settings take part."""

from __future__ import annotations

import ast
import base64
import io
import json
import sys

import pandas as pd
import pytest

from qualcode.core.project import Project

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

KERNEL = "qualcode-test"


def cells(project_path: str) -> list[str]:
    return [
        "from qualcode import Project\n"
        "from qualcode.io.charts import chart_figure\n"
        f"p = Project.open({project_path!r}, readonly=True)\n"
        "p",
        "counts = p.counts()  # every question's counts, one call\ncounts",
        "counts['question'].drop_duplicates().tolist()",
        "coded = p.coded_frame('strategier')  # respondents × themes, one call\ncoded.shape",
        "list(coded.columns), int(coded.to_numpy().sum())",
        "p.matrix('strategier', by='lokalpolitisk_fokus')",
        "chart_figure(p.counts('strategier'))",
    ]


@pytest.fixture(scope="module")
def ran(demo_db, tmp_path_factory) -> list[dict]:
    """The notebook's cells after a run: each cell's outputs (as nbformat keeps them)."""
    home = tmp_path_factory.mktemp("jupyter")
    spec = home / "data" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.joinpath("kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "qualcode tests", "language": "python"}),
        encoding="utf-8",
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells(str(demo_db))]
    with pytest.MonkeyPatch.context() as m:
        # only this folder's kernels and settings, nothing written to the user's home
        m.setenv("JUPYTER_PATH", str(home / "data"))
        m.setenv("JUPYTER_DATA_DIR", str(home / "data"))
        m.setenv("JUPYTER_CONFIG_DIR", str(home / "config"))
        m.setenv("JUPYTER_RUNTIME_DIR", str(home / "runtime"))
        m.setenv("IPYTHONDIR", str(home / "ipython"))
        m.setenv("JUPYTER_PLATFORM_DIRS", "1")
        client = nbclient.NotebookClient(
            nb, kernel_name=KERNEL, timeout=120, startup_timeout=120, allow_errors=False
        )
        client.execute(cwd=str(home))
    return [cell.outputs for cell in nb.cells]


def result(outputs: list[dict], mime: str = "text/plain") -> str:
    """The cell's result (or displayed object) as ``mime``."""
    for out in outputs:
        if out["output_type"] in ("execute_result", "display_data") and mime in out["data"]:
            return out["data"][mime]
    raise AssertionError(f"no {mime} output in {outputs}")


def test_the_notebook_runs_every_cell_in_order(ran):
    assert len(ran) == len(cells("x"))
    for outputs in ran:  # (an error would have stopped the run: allow_errors=False)
        assert not [o for o in outputs if o["output_type"] == "error"]
        assert [o for o in outputs if o["output_type"] in ("execute_result", "display_data")]


def test_the_project_shows_what_it_holds(ran, demo_db):
    html = result(ran[0], "text/html")
    with Project.open(demo_db, readonly=True) as p:
        assert html.count("<tr>") == len(p.questions()) + 1
    assert "&lt;Projekt demo.qualcode.db: 82 jobcentre" in html  # the kernel runs in Danish too


def test_every_questions_counts_in_one_call(ran, demo_db):
    with Project.open(demo_db, readonly=True) as p:
        questions = [q.id for q in p.questions()]
        want = p.counts()
    assert ast.literal_eval(result(ran[2])) == questions
    shown = pd.read_html(io.StringIO(result(ran[1], "text/html")))[0]
    assert {"question", "code", "label", "respondents", "answered", "percent"} <= set(shown.columns)
    assert "mentioned" not in shown.columns
    assert f"{len(want)} rows × {len(want.columns)} columns" in result(ran[1], "text/html")


def test_respondents_by_themes_in_one_call(ran, demo_db):
    with Project.open(demo_db, readonly=True) as p:
        want = p.coded_frame("strategier")
        answered = p.answered("strategier")
    assert ast.literal_eval(result(ran[3])) == want.shape == (answered, len(want.columns))
    columns, ones = ast.literal_eval(result(ran[4]))
    assert columns == list(want.columns)
    assert ones == int(want.to_numpy().sum()) > 0


def test_the_theme_matrix_as_the_notebook_shows_it(ran, demo_db):
    with Project.open(demo_db, readonly=True) as p:
        want = p.matrix("strategier", by="lokalpolitisk_fokus")
    shown = pd.read_html(io.StringIO(result(ran[5], "text/html")), index_col=0)[0]
    assert list(shown["group"]) == list(want["group"])
    assert list(shown["respondents"]) == list(want["respondents"])
    assert list(shown["percent"]) == pytest.approx(list(want["percent"]))


def test_a_chart_is_a_picture(ran):
    png = base64.b64decode(result(ran[6], "image/png"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
