"""The workbench paints at 120 frames a second unless the user chose otherwise
(TEXTUAL_FPS): Textual reads the rate once, when it is first imported, so it is checked in
a fresh interpreter that opens the workbench through the CLI, as `qualcode tui DB` does.
(What the rate does to a key's latency is measured in bench/bench_tui.py, not here.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qualcode.tui import FRAME_RATE

# `qualcode tui DB` through the CLI's own command, with the app's run replaced by a note
# of the frame rate Textual took and the period of a screen's update clock
OPEN = """
import json, sys
out, db = sys.argv[1], sys.argv[2]
from qualcode.cli import cli
import qualcode.cli.workbench as workbench

def run_tui(db, question, coder):
    from qualcode.tui.app import make_app
    import textual.constants, textual.screen

    make_app(db, question, coder=coder)
    with open(out, "w") as f:
        json.dump({"fps": textual.constants.MAX_FPS, "period": textual.screen.UPDATE_PERIOD}, f)

workbench._run_tui = run_tui
cli(["tui", db], prog_name="qualcode", standalone_mode=False)
"""


def opened(tmp_path: Path, demo_db: Path, fps: str | None) -> dict:
    copy = tmp_path / "copy.db"
    shutil.copy(demo_db, copy)
    report = tmp_path / "fps.json"
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    if fps is not None:
        env["TEXTUAL_FPS"] = fps
    done = subprocess.run(
        [sys.executable, "-c", OPEN, str(report), str(copy)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert report.exists(), done.stdout + done.stderr
    return json.loads(report.read_text())


def test_the_workbench_paints_at_its_own_rate(tmp_path, demo_db):
    result = opened(tmp_path, demo_db, None)
    assert result["fps"] == int(FRAME_RATE) == 120
    assert result["period"] == pytest.approx(1 / 120)


def test_a_rate_the_user_set_is_kept(tmp_path, demo_db):
    result = opened(tmp_path, demo_db, "30")
    assert result["fps"] == 30
    assert result["period"] == pytest.approx(1 / 30)
