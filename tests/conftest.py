"""Shared fixtures: temporary projects, files written in the encodings analysts meet,
and the demo project built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import ANSWERS, write_csv
from qualcode.core.project import Project


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
