"""The real app in a real terminal: start it in tmux, code with a number key, quit with q,
and find the coding in the project file."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _capture(session: str) -> str:
    out = subprocess.run(["tmux", "capture-pane", "-t", session, "-p"], capture_output=True,
                         text=True)
    return out.stdout


def _wait_for(session: str, text: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _capture(session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"'{text}' never appeared on screen:\n{screen}")


def test_code_with_number_key_in_tmux_then_quit(demo_copy, tmp_path):
    session = f"qc-{uuid.uuid4().hex[:8]}"
    command = (f"cd {tmp_path} && QUALCODE_CODER=tmux-koder {sys.executable} -m qualcode "
               f"tui {demo_copy}")
    env = {**os.environ, "TERM": "xterm-256color"}
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36",
                    command], check=True, env=env)
    try:
        screen = _wait_for(session, "kodet 35 af 35")
        assert "Generelt fokus" in screen and "Kod" in screen
        subprocess.run(["tmux", "send-keys", "-t", session, "5"], check=True)
        _wait_for(session, "Kodet JC04: Fleksjob")
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            alive = subprocess.run(["tmux", "has-session", "-t", session],
                                   capture_output=True).returncode == 0
            if not alive:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the app did not quit on q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    conn = sqlite3.connect(demo_copy)
    rows = conn.execute(
        "SELECT i.respondent_id, k.key FROM codings c JOIN items i ON i.id = c.item_id"
        " JOIN codes k ON k.id = c.code_id WHERE c.coder = 'tmux-koder'").fetchall()
    conn.close()
    assert rows == [("JC04", "fleksjob")]
