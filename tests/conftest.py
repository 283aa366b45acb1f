"""Shared fixtures: temporary projects, files written in the encodings analysts meet,
the demo project built once per session, and each chart drawn once per session."""

from __future__ import annotations

import os
import pickle
import shutil
from contextlib import contextmanager
from pathlib import Path

# The tests read qualcode in its default language, Danish, whatever the machine's locale;
# set before qualcode is imported, since the CLI's help and the workbench's key
# descriptions are read in the language of the moment they are imported. A test about
# another language chooses it (the ``english`` and ``language`` fixtures).
os.environ["QUALCODE_LANG"] = "da"

import pytest  # noqa: E402

from helpers import ANSWERS, write_csv  # noqa: E402
from qualcode import i18n  # noqa: E402
from qualcode.core.project import Project  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "fresh_charts: draw every chart anew (the test compares charts drawn at two times)",
    )


@pytest.fixture(autouse=True)
def _danish_unless_chosen():
    """Every test starts in the default language, whatever the one before it chose."""
    i18n.use(None)
    yield
    i18n.use(None)


@pytest.fixture
def language(monkeypatch):
    """``language("en")`` switches this test to a language (as QUALCODE_LANG would)."""

    def choose(lang: str) -> None:
        monkeypatch.setenv("QUALCODE_LANG", lang)
        i18n.use(None)

    return choose


@pytest.fixture
def english(language):
    """This test reads qualcode in English (``pytestmark = pytest.mark.usefixtures(
    "english")`` for a whole module)."""
    language("en")


@pytest.fixture(scope="session", autouse=True)
def _charts_drawn_once():
    """Draw each chart once per session: ``charts.chart_bytes`` remembers what it drew.

    Matplotlib's drawing was a fifth of the CPU of the tests outside tests/tui, most of it
    the demo's same few charts drawn again for every report, in tests about writing files
    safely, locks or personal data. A chart's bytes depend only on its counts frame (with
    its attrs), the format and the keyword options (title, published), so they are kept
    under exactly those, pickled; that the same input gives the same bytes is tested in
    tests/test_charts.py (which calls the real function), in the tests marked
    ``fresh_charts``, which draw anew, and with :func:`charts_drawn_anew`. (For the
    session, so that module fixtures that write reports have it too.) The language in use
    is part of the key: a chart's axis label and legend are in it."""
    from qualcode.io import charts

    draw = charts.chart_bytes
    drawn: dict[bytes, bytes] = {}

    def chart_bytes(frame, fmt="png", **options):
        try:
            # the language too: the axis label and the legend are in it
            key = pickle.dumps((i18n.language(), fmt, sorted(options.items()), frame, frame.attrs))
        except Exception:  # noqa: BLE001 (something in it does not pickle: draw it)
            return draw(frame, fmt, **options)
        if key not in drawn:
            drawn[key] = draw(frame, fmt, **options)
        return drawn[key]

    chart_bytes.__wrapped__ = draw  # the real one, for the tests that draw anew
    charts.chart_bytes = chart_bytes
    yield
    charts.chart_bytes = draw


@pytest.fixture
def charts_drawn_anew(monkeypatch):
    """``with charts_drawn_anew():``, the charts are drawn anew, not remembered: for a test
    that compares them with the charts drawn before (remembered, or drawn then)."""
    from qualcode.io import charts

    @contextmanager
    def anew():
        with monkeypatch.context() as m:
            m.setattr(charts, "chart_bytes", charts.chart_bytes.__wrapped__)
            yield

    return anew


@pytest.fixture(autouse=True)
def _fresh_charts(request, charts_drawn_anew):
    """A test marked ``fresh_charts`` draws every chart anew."""
    if request.node.get_closest_marker("fresh_charts") is None:
        yield
        return
    with charts_drawn_anew():
        yield


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Never touch the user's real data folder; a fixed coder name."""
    monkeypatch.setenv("QUALCODE_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("QUALCODE_CODER", "testkoder")


@pytest.fixture
def answers_csv(tmp_path) -> Path:
    return write_csv(tmp_path / "svar.csv", ANSWERS)


@pytest.fixture
def project_path(tmp_path) -> Path:
    return tmp_path / "projekt.qualcode.db"


@pytest.fixture
def project(project_path, answers_csv):
    """A small project: four jobcentres answering 'strategier' (one blank)."""
    from qualcode.io.answers import read_answers

    p = Project.open(project_path, create=True)
    p.import_answers(
        read_answers(
            str(answers_csv),
            respondent_col="jobcenter_id",
            text_cols=["svar"],
            questions=["strategier"],
            codebooks=["lokalpolitiske-strategier"],
            attr_cols=["region"],
        )
    )
    yield p
    p.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo project, built once through the real importers (read-only in tests)."""
    from qualcode.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.qualcode.db"
    build_demo(path)
    return path


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> Path:
    """A private, writable copy of the demo project."""
    target = tmp_path / "demo.qualcode.db"
    shutil.copy(demo_db, target)
    return target
