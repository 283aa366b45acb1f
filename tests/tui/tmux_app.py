"""The real workbench in a real terminal, for tests that need real processes: started in a
tmux session on a tmux server of the test's own (so no other tmux, and no environment a
running server would give a new pane, gets in the way), driven with keys, read from the
screen, and quit or killed with SIGKILL.

The workbench runs this tree's code: the command sets PYTHONPATH to the source folder of
the qualcode the tests import, as an absolute path (see tests/crash_child.py)."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from crash_child import this_tree_env

WAIT = 60.0  # seconds: a bound on any one wait, so that a hang fails instead of hanging
SIZE = ("120", "36")


class Tmux:
    """A private tmux server; ``close()`` ends it and every session on it."""

    def __init__(self) -> None:
        self.socket = f"qc-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=check,
            env={**os.environ, "TERM": "xterm-256color"},
        )

    def close(self) -> None:
        self.run("kill-server", check=False)
        # a server leaves its socket file behind, also when it ended with its last session
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (folder / self.socket).unlink(missing_ok=True)

    def __enter__(self) -> Tmux:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Workbench:
    """``qualcode tui DB --coder CODER`` in a session of ``tmux``."""

    def __init__(self, tmux: Tmux, folder: Path, db: Path, *, coder: str) -> None:
        self.tmux = tmux
        self.session = f"{coder}-{uuid.uuid4().hex[:6]}"
        self.coder = coder
        env = this_tree_env()
        assignments = " ".join(
            f"{k}={shlex.quote(env.get(k, ''))}" for k in ("PYTHONPATH", "QUALCODE_HOME")
        )
        words = " ".join(
            shlex.quote(str(a))
            for a in (sys.executable, "-m", "qualcode", "tui", db, "--coder", coder)
        )
        # exec: the pane's process is the workbench itself, so its pid is the pane's
        command = f"cd {shlex.quote(str(folder))} && exec env {assignments} {words}"
        tmux.run("new-session", "-d", "-s", self.session, "-x", SIZE[0], "-y", SIZE[1], command)
        self.pid = int(
            tmux.run("list-panes", "-t", self.session, "-F", "#{pane_pid}").stdout.split()[0]
        )
        deadline = time.monotonic() + WAIT
        while True:  # the shell execs env, which execs the workbench
            cmdline = Path(f"/proc/{self.pid}/cmdline").read_bytes().split(b"\0")
            if b"qualcode" in cmdline and b"tui" in cmdline:
                break
            assert time.monotonic() < deadline, cmdline
            time.sleep(0.05)

    def screen(self) -> str:
        return self.tmux.run("capture-pane", "-t", self.session, "-p", check=False).stdout

    def wait_for(self, text: str, timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            if not self.alive():
                raise AssertionError(f"the workbench ended before '{text}' appeared:\n{screen}")
            time.sleep(0.1)
        raise AssertionError(f"'{text}' never appeared on {self.coder}'s screen:\n{screen}")

    def keys(self, *keys: str) -> None:
        self.tmux.run("send-keys", "-t", self.session, *keys)

    def alive(self) -> bool:
        return self.tmux.run("has-session", "-t", self.session, check=False).returncode == 0

    def ready(self) -> str:
        """The queue is on screen, and the suggestions are loaded: the workbench holds the
        project on its second connection (the suggestion worker's) too."""
        self.wait_for("gennemgået ")
        return self.wait_for("(T træner)")

    def showing(self, respondent: str) -> str:
        """Wait until the current item is RESPONDENT's (the header above its text)."""
        return self.wait_for(f"│ {respondent} ")

    def next(self, respondent: str) -> None:
        """Next item in the queue, which must be RESPONDENT's; return once it is shown
        (a number key pressed before that would code the item left behind)."""
        self.keys("n")
        self.showing(respondent)

    def code(self, number: int, respondent: str, label: str) -> None:
        """Press a number key on RESPONDENT's item; return once the screen confirms it."""
        self.showing(respondent)
        self.keys(str(number))
        self.wait_for(f"✓ Kodet {respondent}: {label}")

    def quit(self) -> None:
        self.keys("q")
        self.gone()

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as at a crash or a power cut of the program."""
        os.kill(self.pid, signal.SIGKILL)
        self.gone()

    def exited(self) -> bool:
        """The process has ended: no more, or a zombie (its files closed, its locks gone;
        tmux may leave a pane's process unreaped once the session has ended)."""
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except FileNotFoundError:
            return True
        return stat.rpartition(")")[2].split()[0] in ("Z", "X")

    def gone(self) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if not self.alive() and self.exited():
                return
            time.sleep(0.1)
        raise AssertionError(f"{self.coder}'s workbench did not end:\n{self.screen()}")
