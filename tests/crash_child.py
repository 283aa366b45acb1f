"""Child processes for the crash-safety and two-writer tests, and the model they are checked
against.

Run as a script (``sys.executable tests/crash_child.py MODE CONFIG_JSON``):

- ``serve``: a fork server for tests/test_crash_safety.py. It imports qualcode once, then
  for each ``{"op": "run", ...}`` line on stdin forks a child that opens the project and
  codes until it is killed (so a round costs a fork, not a Python start-up). The child is
  never reaped until the parent says ``{"op": "reap", "pid": ...}``, so the parent's
  SIGKILL can never hit a re-used process id.
- ``writer``: codes the project as one coder until stdin closes; or, if the config gives
  ``actions``, for that many turns, from the first byte on stdin (tests/test_two_writers.py).
- ``hold``: takes the write lock, writes one coding and holds the transaction open until
  told to commit (the busy-timeout test).
- ``workbench``: holds the project as the workbench does, on two connections (the coder's,
  and the suggestion worker's with a Suggester on it), and codes or suggests on command
  until it is killed (tests/test_locks.py).

The coding child prints ``BEGIN {action}`` before each call and ``DONE {n, result}`` after
the call has returned, i.e. after its transaction committed. Each line is one write(2) of
under PIPE_BUF bytes, so a line is either wholly in the pipe or not at all when the child
is killed.

The parent replays the acknowledged actions on a :class:`Model` (the coder's codings, the
settled consensus, memos, and the undo/redo stacks exactly as the event log defines them)
and :func:`check_round` compares the model with the file: every acknowledged action has
its event, in order, and its effect; the one action in flight may or may not be there, but
whole (its effect if and only if its event).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

Key = tuple[int, str, int | None, int | None]  # item id, code key, start, end


# -- the child ------------------------------------------------------------------------


def emit(kind: str, **data: Any) -> None:
    """One line in one write(2): never half-buffered when the process is killed."""
    line = (kind + " " + json.dumps(data, ensure_ascii=False) + "\n").encode()
    assert len(line) < 4096, "keep lines under PIPE_BUF so they are written atomically"
    os.write(1, line)


def spans(length: int) -> list[tuple[int, int]]:
    """A few overlapping spans, so that the same span is often coded twice (idempotent)."""
    out = {(0, min(12, length)), (min(5, length - 1), min(30, length)), (0, length)}
    return sorted((s, e) for s, e in out if 0 <= s < e)


def coding_actions(project, config: dict, seed: int, stop) -> None:
    """Code until ``stop()``: toggles, span codings, removals, memos, undo, redo, settling."""
    rng = random.Random(seed)
    coder = config["coder"]
    answers, codes = config["answers"], config["codes"]
    excerpts, excerpt_codes = config["excerpts"], config["excerpt_codes"]
    lengths = {i: len(project.item(i).text) for i in excerpts}
    settle_coder = config.get("settle_coder", "consensus")
    weights = config.get(
        "weights",
        {"toggle": 40, "add": 15, "remove": 10, "memo": 7, "undo": 12, "redo": 8, "settle": 8},
    )
    ops, odds = list(weights), list(weights.values())
    pause = config.get("pause", 0.0)  # at most this long between actions (leave CPU to others)
    n = 0
    while not stop():
        if pause:
            time.sleep(rng.uniform(0, pause))
        n += 1
        op = rng.choices(ops, odds)[0]
        action: dict[str, Any] = {"n": n, "op": op}
        if op == "toggle":
            action.update(item=rng.choice(answers), code=rng.choice(codes))
        elif op == "add":
            if excerpts and rng.random() < 0.7:
                item = rng.choice(excerpts)
                start, end = rng.choice(spans(lengths[item]))
                action.update(item=item, code=rng.choice(excerpt_codes), start=start, end=end)
            else:
                action.update(
                    item=rng.choice(answers), code=rng.choice(codes), start=None, end=None
                )
        elif op == "remove":
            mine = project.codings(coder=coder)
            if not mine:
                continue
            c = rng.choice(mine)
            action.update(id=c.id, item=c.item_id, code=c.code, start=c.start, end=c.end)
        elif op == "memo":
            action.update(
                item=rng.choice(answers + excerpts),
                text=f"notat {seed}-{n}: ærø, «citat», \u200frtl\u200f e\u0301",
            )
        elif op == "settle":
            action.update(
                item=rng.choice(answers),
                codes=sorted(rng.sample(codes, rng.randint(0, 2))),
                coder=settle_coder,
            )
        emit("BEGIN", **action)
        result: Any = None
        if op == "toggle":
            result = project.toggle_code(action["item"], action["code"])
        elif op == "add":
            result = project.add_coding(
                action["item"], action["code"], start=action["start"], end=action["end"]
            ).id
        elif op == "remove":
            result = project.remove_coding(action["id"]).id
        elif op == "memo":
            result = project.add_memo("item", action["item"], action["text"]).id
        elif op in ("undo", "redo"):
            change = project.undo() if op == "undo" else project.redo()
            result = None if change is None else change.item_id
        elif op == "settle":
            project.settle(action["item"], action["codes"], coder=settle_coder)
        emit("DONE", n=n, result=result)


def _open(path: str, coder: str):
    from qualcode.core.project import Project

    return Project.open(path, coder=coder)


def run_crash_child(cmd: dict) -> None:
    """In the forked child: open, announce, code until killed (or a safety deadline)."""
    project = _open(cmd["path"], cmd["config"]["coder"])
    emit("READY", pid=os.getpid())
    deadline = time.monotonic() + cmd.get("max_seconds", 60)
    coding_actions(project, cmd["config"], cmd["seed"], lambda: time.monotonic() > deadline)
    emit("END", reason="deadline: the parent never killed this child")


def serve() -> None:
    import qualcode.core.project  # noqa: F401  (warm the imports the children use)

    while True:
        line = sys.stdin.readline()
        if not line:
            return
        cmd = json.loads(line)
        if cmd["op"] == "run":
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    run_crash_child(cmd)
                except BaseException:
                    emit("ERROR", error=traceback.format_exc()[-3000:])
                    code = 3
                finally:
                    os._exit(code)
            emit("PID", pid=pid)
        elif cmd["op"] == "reap":
            _, status = os.waitpid(cmd["pid"], 0)
            emit(
                "EXIT",
                pid=cmd["pid"],
                signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            )


def writer(config: dict) -> None:
    """Code as one coder until stdin closes, or for ``actions`` turns of the coding loop
    where the config gives that many, starting when the parent writes a byte (so that two
    writers start together); or until max_seconds. Then END and exit 0."""
    closed, go = threading.Event(), threading.Event()
    turns = config.get("actions")
    taken = 0

    def enough() -> bool:
        nonlocal taken
        taken += 1
        return turns is not None and taken > turns

    def watch_stdin() -> None:
        while sys.stdin.buffer.read(1):
            go.set()
        go.set()
        closed.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    deadline = time.monotonic() + config.get("max_seconds", 60)
    try:
        project = _open(config["path"], config["coder"])
        emit("READY", pid=os.getpid())
        if turns is not None:
            go.wait(config.get("max_seconds", 60))
        coding_actions(
            project,
            config,
            config["seed"],
            lambda: closed.is_set() or enough() or time.monotonic() > deadline,
        )
        project.close()
    except BaseException:
        emit("ERROR", error=traceback.format_exc()[-3000:])
        sys.exit(3)
    emit("END", timed_out=time.monotonic() > deadline)
    # the parent closes stdin when it has read END: exit only then, not while the thread
    # above is reading stdin (a fatal error at interpreter shutdown)
    closed.wait(config.get("max_seconds", 60))


def hold(config: dict) -> None:
    """For each ``{"item", "code"}`` line on stdin: take the write lock, write one coding,
    say HOLDING, and keep the transaction open until the next line; then commit."""
    project = _open(config["path"], config["coder"])
    emit("READY", pid=os.getpid())
    while line := sys.stdin.readline():
        cmd = json.loads(line)
        with project.transaction():
            coding = project.add_coding(cmd["item"], cmd["code"])
            emit("HOLDING", id=coding.id)
            sys.stdin.readline()  # the parent says when
        emit("COMMITTED", id=coding.id)
    project.close()


def workbench(config: dict) -> None:
    """Hold the project open as the workbench does: the coder's connection, then a second
    one with a Suggester on it (the suggestion worker's: ``synchronous = NORMAL``, its NLP
    cache written through it). Both stay open until the process is killed. Commands, one
    JSON line each on stdin:

    - ``{"op": "code", "item": ID, "code": KEY}``: toggle the code through the first
      connection (as a number key does); CODED once the call has returned (committed).
    - ``{"op": "suggest", "items": [ID, ...]}``: suggestions for the items through the
      second connection, caching the NLP results (a write); SUGGESTED when done.
    """
    from qualcode.core.project import Project
    from qualcode.nlp.suggest import Suggester

    project = _open(config["path"], config["coder"])
    worker = Project.open(config["path"], coder=config["coder"])
    worker.db.execute("PRAGMA synchronous = NORMAL")
    assist = Suggester(worker, config["question"], coder=config["coder"])
    assist.precision  # noqa: B018 - reads through the second connection, as the worker does
    emit("READY", pid=os.getpid())
    while line := sys.stdin.readline():
        cmd = json.loads(line)
        if cmd["op"] == "code":
            added = project.toggle_code(cmd["item"], cmd["code"])
            emit("CODED", item=cmd["item"], code=cmd["code"], added=added)
        elif cmd["op"] == "suggest":
            found = assist.for_items(cmd["items"], store=True)
            emit("SUGGESTED", n=sum(len(v) for v in found.values()))
        else:
            raise SystemExit(f"unknown command {cmd}")
    emit("END", reason="stdin closed: the parent never killed this child")


# -- the parent's side --------------------------------------------------------------------

CHILD = os.path.abspath(__file__)
WAIT = 30.0  # seconds: a generous bound on any one reply, so that a hang fails, not hangs


def this_tree_env(**extra: str) -> dict[str, str]:
    """The environment for a child process that must run the qualcode this process runs:
    its source folder first on PYTHONPATH, as an absolute path (a relative one would name
    another checkout's code after a 'cd', and an installed qualcode may be another tree)."""
    import qualcode

    src = os.path.dirname(os.path.dirname(os.path.abspath(qualcode.__file__)))
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if os.path.isabs(p)]
    path = os.pathsep.join(dict.fromkeys([src, *rest]))
    return {**os.environ, "PYTHONPATH": path, **extra}


def qualcode_cli(*args: object, timeout: float = 60, **kwargs: Any):
    """Run ``qualcode ARGS`` as a real process of this tree's code; the CompletedProcess
    (text, stdout and stderr captured)."""
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "qualcode", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=this_tree_env(),
        stdin=subprocess.DEVNULL,
        **kwargs,
    )


def lock_holders(path) -> set[int]:
    """The processes holding a POSIX (fcntl) lock on the file, from /proc/locks (Linux).
    Every SQLite connection in WAL mode keeps a read lock on the database file while it
    is open; a process that has the project open and is not listed here has lost its
    locks, and the next process to close the file will think it is the last one."""
    info = os.stat(path)
    holders = set()
    with open("/proc/locks") as locks:
        for line in locks:
            parts = line.split()
            if len(parts) < 8 or parts[1] == "->" or parts[1] != "POSIX":
                continue  # a waiter, or not an fcntl lock
            if parts[5].rsplit(":", 1)[-1] == str(info.st_ino):
                holders.add(int(parts[4]))
    return holders


class Child:
    """A child process (``sys.executable crash_child.py MODE CONFIG``) whose stdout lines a
    thread collects. Only complete lines count: a line cut short by a kill was never
    acknowledged. stderr goes to a file, read on failure."""

    def __init__(self, mode: str, config: dict | None, stderr_path) -> None:
        import queue
        import subprocess

        self.stderr = open(stderr_path, "w+b")  # noqa: SIM115 (closed in close())
        args = [sys.executable, CHILD, mode] + ([json.dumps(config)] if config else [])
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=this_tree_env(),
        )
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.lines: list[str] = []
        self.stderr_text = ""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            if raw.endswith(b"\n"):
                self.queue.put(raw.decode().rstrip("\n"))
        self.queue.put(None)

    def send(self, **cmd: Any) -> None:
        self.proc.stdin.write((json.dumps(cmd) + "\n").encode())
        self.proc.stdin.flush()

    def until(self, kind: str, *, or_seen: bool = False) -> dict:
        """Collect lines (into .lines) until one of this kind; return its data. With
        ``or_seen``, a line of this kind collected already (since the last take()) will do."""
        import queue

        for line in self.lines if or_seen else ():
            if line.startswith(kind + " "):
                return json.loads(line.partition(" ")[2])

        while True:
            try:
                line = self.queue.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(
                    f"no {kind} within {WAIT} s; last lines "
                    f"{self.lines[-5:]}; stderr: {self.errors()}"
                ) from None
            if line is None:
                raise AssertionError(
                    f"the child ended before {kind}: {self.lines[-5:]} {self.errors()}"
                )
            self.lines.append(line)
            if line.startswith(kind + " "):
                return json.loads(line.partition(" ")[2])

    def take(self) -> list[str]:
        """The lines collected so far (and forget them)."""
        out, self.lines = self.lines, []
        return out

    def errors(self) -> str:
        """The child's stderr so far (all of it once finished)."""
        if not self.stderr.closed:
            self.stderr.seek(0)
            self.stderr_text = self.stderr.read().decode(errors="replace")
        return self.stderr_text[-3000:]

    def finish(self) -> int:
        """Close stdin (which tells a writer to stop), wait, read the rest; the exit code."""
        import subprocess

        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=WAIT)
        while line := self.queue.get_nowait() if not self.queue.empty() else None:
            self.lines.append(line)
        self.errors()
        self.stderr.close()
        return self.proc.returncode


def parse(lines: list[str]) -> tuple[list[dict], dict | None, list[dict]]:
    """Complete output lines -> (acknowledged actions with their results, the action in
    flight or None, other messages)."""
    acked: list[dict] = []
    inflight: dict | None = None
    other: list[dict] = []
    for line in lines:
        kind, _, rest = line.partition(" ")
        data = json.loads(rest)
        if kind == "BEGIN":
            assert inflight is None, f"BEGIN without DONE before it: {inflight}"
            inflight = data
        elif kind == "DONE":
            assert inflight is not None and inflight["n"] == data["n"], (inflight, data)
            acked.append({**inflight, "result": data["result"]})
            inflight = None
        else:
            other.append({"kind": kind, **data})
    return acked, inflight, other


@dataclass
class Model:
    """What one coder's actions have made of the file, as the parent expects it."""

    coder: str
    settle_coder: str = "consensus"
    codings: set[Key] = field(default_factory=set)
    consensus: dict[int, frozenset[str]] = field(default_factory=dict)
    memos: list[tuple[str, str]] = field(default_factory=list)
    undo: list[dict] = field(default_factory=list)  # {"id", "action", "key"}, newest last
    redo: list[dict] = field(default_factory=list)
    last_event: int = 0  # the newest event of this coder already checked

    @staticmethod
    def key(a: dict) -> Key:
        return (a["item"], a["code"], a.get("start"), a.get("end"))

    def expect(self, a: dict) -> tuple[Any, tuple | None]:
        """(the result the call returns or ..., the event it logs or None)."""
        op = a["op"]
        if op == "toggle":
            key = self.key(a)
            on = key not in self.codings
            return on, ("coding.add" if on else "coding.remove", self.coder, *key)
        if op == "add":
            key = self.key(a)
            return ..., None if key in self.codings else ("coding.add", self.coder, *key)
        if op == "remove":
            key = self.key(a)
            assert key in self.codings, f"the child removed a coding the model lacks: {a}"
            return a["id"], ("coding.remove", self.coder, *key)
        if op == "memo":
            return ..., ("memo.add", "item", str(a["item"]), a["text"])
        if op in ("undo", "redo"):
            stack = self.undo if op == "undo" else self.redo
            if not stack:
                return None, None
            top = stack[-1]
            return top["key"][0], (op, top["action"], top["id"], self.coder, *top["key"])
        if op == "settle":
            return None, ("consensus.settle", a["item"], a["coder"], tuple(a["codes"]))
        raise AssertionError(f"unknown action {a}")

    def apply(self, a: dict, event_id: int | None) -> None:
        op = a["op"]
        if op in ("toggle", "add", "remove"):
            _, event = self.expect(a)
            if event is None:
                return
            adding = event[0] == "coding.add"
            key = self.key(a)
            (self.codings.add if adding else self.codings.discard)(key)
            self.undo.append({"id": event_id, "action": event[0], "key": key})
            self.redo.clear()
        elif op == "memo":
            self.memos.append((str(a["item"]), a["text"]))
        elif op == "undo" and self.undo:
            top = self.undo.pop()
            (self.codings.discard if top["action"] == "coding.add" else self.codings.add)(
                top["key"]
            )
            self.redo.append(top)
        elif op == "redo" and self.redo:
            top = self.redo.pop()
            (self.codings.add if top["action"] == "coding.add" else self.codings.discard)(
                top["key"]
            )
            self.undo.append(top)
        elif op == "settle":
            if a["codes"]:
                self.consensus[a["item"]] = frozenset(a["codes"])
            else:
                self.consensus.pop(a["item"], None)


def event_signature(action: str, payload: dict) -> tuple:
    if action in ("coding.add", "coding.remove"):
        c = payload["coding"]
        return (action, c["coder"], c["item_id"], c["code"], c["start"], c["end"])
    if action in ("undo", "redo"):
        c = payload["coding"]
        return (
            action,
            payload["of"],
            payload["event"],
            c["coder"],
            c["item_id"],
            c["code"],
            c["start"],
            c["end"],
        )
    if action == "memo.add":
        return (action, payload["target"], str(payload["target_id"]), payload["text"])
    if action == "consensus.settle":
        return (action, payload["item_id"], payload["coder"], tuple(payload["codes"]))
    return (action,)


@contextmanager
def readonly(path) -> Iterator[sqlite3.Connection]:
    """A read-only look at the file: it leaves a hot WAL as it found it, for the next child."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def file_state(
    conn: sqlite3.Connection, coder: str, settle_coder: str
) -> tuple[set[Key], dict[int, frozenset[str]], list[tuple[str, str]]]:
    codings = {
        tuple(r)
        for r in conn.execute(
            'SELECT c.item_id, k.key, c.start, c."end" FROM codings c JOIN codes k'
            " ON k.id = c.code_id WHERE c.coder = ?",
            [coder],
        )
    }
    consensus: dict[int, set[str]] = {}
    for item, key in conn.execute(
        "SELECT c.item_id, k.key FROM codings c JOIN codes k ON k.id = c.code_id WHERE c.coder = ?",
        [settle_coder],
    ):
        consensus.setdefault(item, set()).add(key)
    memos = [
        tuple(r)
        for r in conn.execute(
            "SELECT target_id, text FROM memos WHERE author = ? ORDER BY id", [coder]
        )
    ]
    return codings, {k: frozenset(v) for k, v in consensus.items()}, memos


def check_round(
    conn: sqlite3.Connection, model: Model, acked: list[dict], inflight: dict | None
) -> bool:
    """Replay the acknowledged actions on the model against the file's event log, resolve
    the action in flight, and compare the model with the file. True if the action in
    flight turned out to be committed."""
    events = conn.execute(
        "SELECT id, action, payload FROM events WHERE actor = ? AND id > ? ORDER BY id",
        [model.coder, model.last_event],
    ).fetchall()
    pos = 0
    for a in acked:
        result, expected = model.expect(a)
        if result is not ...:
            assert a["result"] == result, (
                f"the call returned {a['result']!r}, expected {result!r}: {a}"
            )
        if expected is not None:
            assert pos < len(events), f"acknowledged action has no event in the file: {a}"
            event_id, action, payload = events[pos]
            got = event_signature(action, json.loads(payload))
            assert got == expected, f"event {event_id} is {got}, expected {expected} for {a}"
            pos += 1
            model.apply(a, event_id)
            model.last_event = event_id
        else:
            model.apply(a, None)
    rest = events[pos:]
    committed = False
    if inflight is not None and rest:
        _, expected = model.expect(inflight)
        assert expected is not None and len(rest) == 1, (
            f"unexpected events after the acknowledged actions: {rest} (in flight: {inflight})"
        )
        event_id, action, payload = rest[0]
        got = event_signature(action, json.loads(payload))
        assert got == expected, f"in-flight event {got}, expected {expected} for {inflight}"
        model.apply(inflight, event_id)
        model.last_event = event_id
        committed = True
    else:
        assert not rest, f"events nobody acknowledged or began: {rest}"
    codings, consensus, memos = file_state(conn, model.coder, model.settle_coder)
    assert codings == model.codings, (
        f"codings differ: missing {model.codings - codings}, extra {codings - model.codings}"
        f" (in flight: {inflight})"
    )
    assert consensus == model.consensus, (consensus, model.consensus, inflight)
    assert memos == model.memos, (memos[-3:], model.memos[-3:], inflight)
    return committed


def integrity(conn: sqlite3.Connection) -> None:
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "serve":
        serve()
    elif mode == "writer":
        writer(json.loads(sys.argv[2]))
    elif mode == "hold":
        hold(json.loads(sys.argv[2]))
    elif mode == "workbench":
        workbench(json.loads(sys.argv[2]))
    else:
        raise SystemExit(f"unknown mode {mode}")
