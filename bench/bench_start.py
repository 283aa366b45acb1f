"""The workbench from process start to the first answer on the screen, as the user runs it.

    python bench/bench_start.py --db /tmp/bench100k.db [--repeat 7]

Each run starts a process under a new pseudo-terminal of 120 × 36 (TERM=xterm-256color),
the way a terminal starts ``qualcode tui DB``, and reads everything it writes to the
terminal. Three programs, interleaved run by run so that they meet the machine in the
same state:

* **qualcode**: ``qualcode tui COPY --coder bench`` (``_first_answer.py``: the CLI's
  own ``main`` with a hook on Textual's ``Screen._compositor_refresh``). The time is from
  just before the process is started to the moment the benchmark reads the hook's signal,
  sent right after the first frame in which the coding screen shows an item has been
  written to the terminal. The hook then quits the app.
* **floor, bare**: ``floors/first_answer.py``: a bare Python process that opens the file
  as the workbench does and runs the statements the coding screen runs before its first
  item (the queue, the coded and reviewed items, the live counts, the item), then writes
  the item's text and the top of the queue to the terminal.
* **floor, Textual**: ``floors/textual_hello.py``: the smallest Textual app (one Static
  with the same text), to its first frame: what the framework costs any program.

Also reported: the process's own clock at the signal (seconds since it started, from
/proc, 10 ms ticks), and when the first words of the item were seen in the terminal's
output (ANSI sequences taken out), a check that the frame really was written. Every run
works on one private copy of the project (the workbench writes to the file it opens).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import signal
import sqlite3
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BENCH, emit, median, user_env  # noqa: E402

ROWS, COLS = 36, 120
_ANSI = re.compile(  # CSI and OSC sequences, charset and keypad switches
    rb"\x1b(?:\[[0-9;?<=>]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-B]|[=>78])"
)


def in_terminal(argv: list[str], env: dict, timeout: float = 120.0) -> dict:
    """Run ``argv`` under a new pseudo-terminal until it exits; when it signalled (on the
    file descriptor in $QUALCODE_BENCH_FD) and what it wrote."""
    read_end, write_end = os.pipe()
    os.set_inheritable(write_end, True)
    env = dict(env, QUALCODE_BENCH_FD=str(write_end), TERM="xterm-256color")
    t0 = time.perf_counter()
    pid, master = pty.fork()
    if pid == 0:  # the child: the terminal's size, then the program
        try:
            os.close(read_end)
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    os.close(write_end)
    chunks: list[tuple[float, bytes]] = []
    message = b""
    signalled = None
    deadline = t0 + timeout
    open_fds = [master, read_end]
    try:
        while open_fds:
            left = deadline - time.perf_counter()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                raise TimeoutError(f"{argv} did not finish in {timeout:.0f} s")
            ready, _w, _x = select.select(open_fds, [], [], left)
            now = time.perf_counter() - t0
            for fd in ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:  # EIO: the terminal's other side is closed
                    data = b""
                if not data:
                    open_fds.remove(fd)
                elif fd == master:
                    chunks.append((now, data))
                else:
                    if signalled is None:
                        signalled = now
                    message += data
    finally:
        os.close(master)
        os.close(read_end)
        _pid, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if signalled is None:
        shown = b"".join(c for _t, c in chunks).decode("utf-8", "replace")[-3000:]
        raise RuntimeError(f"{argv[1:3]} exited ({code}) without a first answer:\n{shown}")
    info = json.loads(message.decode("utf-8").splitlines()[0])
    return {
        "seconds": signalled,
        "marks": info.get("marks", []),
        "since_start": info["since_start"],
        "cpu": info.get("cpu"),
        "on_terminal": seen_at(chunks, info["text"]),
        "exit_code": code,
        "text": info["text"],
    }


def seen_at(chunks: list[tuple[float, bytes]], text: str) -> float | None:
    """When the first words of ``text`` had been written to the terminal."""
    words = " ".join(text.split()[:3])
    if not words:
        return None
    screen = b""
    for at, data in chunks:
        screen += data
        if words in _ANSI.sub(b"", screen).decode("utf-8", "replace"):
            return at
    return None


def median_timeline(runs: list[list]) -> list[tuple[str, float]]:
    """Each mark's median over the runs (the first time it happened in each run), in order;
    and at the end the first answer on screen (the signal's own time)."""
    seen: dict[str, list[float]] = {}
    for marks in runs:
        firsts: dict[str, float] = {}
        for label, at in marks:
            firsts.setdefault(label, at)
        for label, at in firsts.items():
            seen.setdefault(label, []).append(at)
    return sorted(((label, median(v)) for label, v in seen.items()), key=lambda m: m[1])


def private_copy(db: Path, target: Path) -> Path:
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    src.backup(dst)
    dst.close()
    src.close()
    return target


def stats(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"median": median(ordered), "min": ordered[0], "max": ordered[-1], "all": ordered}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--question", default="strategier")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-floors", action="store_true")
    args = parser.parse_args(argv)
    python = sys.executable
    loads = [os.getloadavg()[0]]
    runs: dict[str, list[dict]] = {"qualcode": [], "floor": [], "textual": []}
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-start-") as tmp:
        tmpdir = Path(tmp)
        env = user_env(dict(os.environ, QUALCODE_CODER="bench"))
        env.setdefault("QUALCODE_HOME", str(tmpdir / "home"))
        db = private_copy(args.db, tmpdir / args.db.name)
        programs = {
            "qualcode": [python, str(BENCH / "_first_answer.py"), str(db), "--coder", "bench"],
            "floor": [python, str(BENCH / "floors" / "first_answer.py"), str(db), args.question],
        }
        # one untimed run of each: the bytecode compiled, the file in the page cache
        first = in_terminal(programs["qualcode"], env)
        text_file = tmpdir / "answer.txt"
        text_file.write_text(first["text"], encoding="utf-8")
        programs["textual"] = [python, str(BENCH / "floors" / "textual_hello.py"), str(text_file)]
        if args.no_floors:
            del programs["floor"], programs["textual"]
        for name in programs:
            if name != "qualcode":
                in_terminal(programs[name], env)
        for i in range(args.repeat):
            order = list(programs)
            if i % 2:
                order.reverse()
            for name in order:
                runs[name].append(in_terminal(programs[name], env))
            loads.append(os.getloadavg()[0])
    result: dict = {"repeat": args.repeat, "load_min": min(loads), "load_max": max(loads)}
    if runs["qualcode"]:
        result["timeline"] = median_timeline([r["marks"] for r in runs["qualcode"]])
    for name, done in runs.items():
        if not done:
            continue
        result[name] = {
            "seconds": stats([r["seconds"] for r in done]),
            "since_start": stats([r["since_start"] for r in done]),
            "cpu": stats([r["cpu"] for r in done]) if done[0].get("cpu") is not None else None,
            "on_terminal": [r["on_terminal"] for r in done],
        }
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
