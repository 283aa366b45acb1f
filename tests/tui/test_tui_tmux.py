"""The real app in a real terminal: start it in tmux, code with a number key, quit with q,
and find the coding in the project file."""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _app(tmp_path, *args: object) -> str:
    """The shell command tmux runs: the workbench with ARGS, from the qualcode these tests
    import, with this test's data folder. Set in the command itself: a tmux server that is
    already running gives a new pane its own environment, not this process's, and a
    relative PYTHONPATH would not hold after the 'cd' (another checkout's code would run)."""
    import qualcode

    src = str(Path(qualcode.__file__).resolve().parent.parent)
    path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p)
    env = {
        "PYTHONPATH": path,
        "QUALCODE_HOME": os.environ.get("QUALCODE_HOME", ""),
        "QUALCODE_CODER": "tmux-koder",
    }
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    words = " ".join(shlex.quote(str(a)) for a in (sys.executable, "-m", "qualcode", "tui", *args))
    return f"cd {shlex.quote(str(tmp_path))} && env {assignments} {words}"


def _capture(session: str) -> str:
    out = subprocess.run(
        ["tmux", "capture-pane", "-t", session, "-p"], capture_output=True, text=True
    )
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
    command = _app(tmp_path, demo_copy)
    env = {**os.environ, "TERM": "xterm-256color"}
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36", command],
        check=True,
        env=env,
    )
    try:
        screen = _wait_for(session, "gennemgået 35 af 35")
        assert "Generelt fokus" in screen and "Kod" in screen
        subprocess.run(["tmux", "send-keys", "-t", session, "5"], check=True)
        _wait_for(session, "Kodet JC04: Fleksjob")
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            alive = (
                subprocess.run(
                    ["tmux", "has-session", "-t", session], capture_output=True
                ).returncode
                == 0
            )
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
        " JOIN codes k ON k.id = c.code_id WHERE c.coder = 'tmux-koder'"
    ).fetchall()
    conn.close()
    assert rows == [("JC04", "fleksjob")]


def test_escape_sequences_in_an_answer_do_not_reach_the_terminal(demo_copy, tmp_path):
    """An answer that would set the terminal's title (OSC 0) and clear the screen (CSI 2J)
    is shown with visible symbols; the pane's title stays what it was."""
    from helpers import run, write_csv

    src = write_csv(
        tmp_path / "svar.csv",
        [
            ["jobcenter_id", "svar"],
            ["JC01", "Titel \x1b]0;pwned\x07 og \x1b[2J ryd \x9b31m [bold]x[/bold] [CPR]"],
        ],
    )
    result = run(
        "import",
        "answers",
        demo_copy,
        src,
        "--respondent-col",
        "jobcenter_id",
        "--text-col",
        "svar",
        "--question",
        "kontakt",
        "--codebook",
        "lokalpolitiske-strategier",
    )
    assert result.exit_code == 0, result.output
    session = f"qc-{uuid.uuid4().hex[:8]}"
    command = _app(tmp_path, demo_copy, "--question", "kontakt")
    env = {**os.environ, "TERM": "xterm-256color"}
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36", command],
        check=True,
        env=env,
    )
    try:
        subprocess.run(["tmux", "select-pane", "-t", session, "-T", "qc-titel"], check=True)
        screen = _wait_for(session, "gennemgået 0 af 1")
        screen = _wait_for(session, "␛]0;pwned␇")
        # shown as symbols and as typed (the pane may wrap the answer anywhere between)
        assert "␛[2J" in screen and "[bold]x[/bold]" in screen and "[CPR]" in screen
        assert "gennemgået 0 af 1" in screen  # not cleared: the layout is intact
        time.sleep(0.5)  # let any late output arrive
        title = subprocess.run(
            ["tmux", "display", "-p", "-t", session, "#{pane_title}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert title == "qc-titel"
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def _wal(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(f"{path}-wal")
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")
def test_confirmed_codings_survive_cli_runs_and_kill_9(demo_copy, tmp_path):
    """The workbench codes with a number key; a colleague runs 'qualcode counts',
    'suggest', 'info' and 'code' against the file in between (real processes, each
    opening and closing it); the workbench codes again after each; then it is killed
    with SIGKILL. Every coding the screen confirmed is in the file, the file is sound,
    and all along the workbench kept its lock on the file and its -wal was not deleted
    under it (which is how the codings used to vanish)."""
    from tmux_app import Tmux, Workbench

    from crash_child import integrity, lock_holders, qualcode_cli, readonly
    from qualcode.core.project import Project

    with Project.open(demo_copy, readonly=True) as p:
        respondents = [i.respondent for i in p.items("strategier")]
    runs = [
        ("counts", demo_copy),
        ("suggest", demo_copy, "--question", "strategier"),
        ("info", demo_copy),
        (
            "code",
            demo_copy,
            "--question",
            "strategier",
            "--respondent",
            respondents[-1],
            "--code",
            "andet",
            "--coder",
            "kollega",
        ),
        ("counts", demo_copy, "--question", "strategier"),
    ]
    confirmed: set[tuple[str, str]] = set()
    problems: list[str] = []
    with Tmux() as tmux:
        app = Workbench(tmux, tmp_path, demo_copy, coder="tmux-koder")
        app.ready()  # both of its connections are open
        app.code(5, respondents[0], "Fleksjob")
        confirmed.add((respondents[0], "fleksjob"))
        wal = _wal(demo_copy)
        assert wal is not None
        for n, args in enumerate(runs, start=1):
            result = qualcode_cli(*args)
            assert result.returncode == 0 and "locked" not in result.stderr, (args, result)
            if app.pid not in lock_holders(demo_copy):
                problems.append(
                    f"after 'qualcode {args[0]}': the workbench holds no lock on the project file"
                )
            if _wal(demo_copy) != wal:
                problems.append(
                    f"after 'qualcode {args[0]}': the workbench's -wal was "
                    f"deleted or replaced ({wal} -> {_wal(demo_copy)})"
                )
            app.next(respondents[n])
            app.code(5, respondents[n], "Fleksjob")
            confirmed.add((respondents[n], "fleksjob"))
        app.kill()
    with readonly(demo_copy) as conn:
        found = set(
            conn.execute(
                "SELECT i.respondent_id, k.key FROM codings c JOIN items i ON i.id = c.item_id"
                " JOIN codes k ON k.id = c.code_id WHERE c.coder = 'tmux-koder'"
            ).fetchall()
        )
        verdict = conn.execute("PRAGMA integrity_check").fetchall()
    if confirmed - found:
        problems.append(f"confirmed on screen but not in the file: {sorted(confirmed - found)}")
    if found - confirmed:
        problems.append(f"in the file but never confirmed: {sorted(found - confirmed)}")
    if verdict != [("ok",)]:
        problems.append(f"integrity_check: {verdict[:5]}")
    assert not problems, "\n".join(problems)
    with readonly(demo_copy) as conn:
        integrity(conn)
        assert (
            conn.execute("SELECT COUNT(*) FROM codings WHERE coder = 'kollega'").fetchone()[0] == 1
        )


def test_a_number_key_typed_right_after_n_codes_the_item_moved_to(demo_copy, tmp_path):
    """A fast coder types n and a number key at once (type-ahead while the screen is
    busy): the code goes on the answer the queue has moved to and the screen shows,
    never on the one just left."""
    from tmux_app import Tmux, Workbench

    from qualcode.core.project import Project

    with Project.open(demo_copy, readonly=True) as p:
        respondents = [i.respondent for i in p.items("strategier")]
    rounds = 5
    with Tmux() as tmux:
        app = Workbench(tmux, tmp_path, demo_copy, coder="hurtig")
        app.ready()
        for n in range(1, rounds + 1):
            app.keys("n", "5")  # in one write, as the terminal delivers type-ahead
            app.showing(respondents[n])
            deadline = time.monotonic() + 30
            while not any(
                f"✓ Kodet {r}: Fleksjob" in app.screen() for r in respondents[n - 1 : n + 1]
            ):
                assert time.monotonic() < deadline, app.screen()
                time.sleep(0.1)
        app.quit()
    conn = sqlite3.connect(demo_copy)
    coded = [
        r
        for (r,) in conn.execute(
            "SELECT i.respondent_id FROM codings c JOIN items i ON i.id = c.item_id"
            " WHERE c.coder = 'hurtig' ORDER BY c.id"
        )
    ]
    conn.close()
    assert coded == respondents[1 : rounds + 1]
