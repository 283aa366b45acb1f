"""Crash safety: kill a coding process with SIGKILL at random moments; no acknowledged
coding is ever lost and the file is never damaged.

A child process (forked from a server in tests/crash_child.py, so that a round costs no
Python start-up) opens the project as the coder ``crash`` and toggles codes, codes and
removes spans, writes memos, undoes, redoes and settles consensus, printing a line after
each call has returned. The parent kills it after a seeded random delay, then checks the
file: ``PRAGMA integrity_check`` is ok, every acknowledged action has its event in the log
in order and its effect in the tables, and the one action that was in flight is there
whole or not at all. The same file is used round after round, so each child also starts
from the hot WAL its killed predecessor left, and undo/redo replay the log across restarts.

``QUALCODE_SOAK=1`` runs 1,000 rounds instead of 60; ``QUALCODE_CRASH_SEED`` picks the seed.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from crash_child import Child, Model, check_round, integrity, parse, readonly
from qualcode.core.project import Project

ROUNDS = 1000 if os.environ.get("QUALCODE_SOAK") else 60
SEED = int(os.environ.get("QUALCODE_CRASH_SEED", "7"))

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")


@pytest.fixture
def server(tmp_path):
    s = Child("serve", None, tmp_path / "server.stderr")
    yield s
    s.finish()


def crash_config(path: Path) -> dict:
    with Project.open(path) as p:
        answers = [i.id for i in p.items("strategier")[:6]]
        excerpts = [i.id for i in p.items("interview")[:3]]
        return {
            "coder": "crash",
            "answers": answers,
            "codes": p.codebook("strategier").keys()[:4],
            "excerpts": excerpts,
            "excerpt_codes": p.codebook("interview").keys()[:3],
        }


def others(conn) -> list[tuple]:
    """Everything the crashing coder must never touch: the other coders' codings, the items."""
    return [
        conn.execute(
            'SELECT item_id, code_id, start, "end", coder, created_at FROM'
            " codings WHERE coder NOT IN ('crash', 'consensus') ORDER BY id"
        ).fetchall(),
        conn.execute("SELECT * FROM items ORDER BY id").fetchall(),
        conn.execute("SELECT * FROM codes ORDER BY id").fetchall(),
    ]


def test_sigkill_at_random_moments_loses_no_acknowledged_action(server, demo_copy):
    config = crash_config(demo_copy)
    rng = random.Random(SEED)
    model = Model(coder="crash")
    with readonly(demo_copy) as conn:
        before = others(conn)
        assert conn.execute("SELECT COUNT(*) FROM events WHERE actor = 'crash'").fetchone()[0] == 0
    acknowledged = in_flight_committed = in_flight_lost = early_kills = hot_wal = 0
    wal = Path(f"{demo_copy}-wal")
    for round_no in range(ROUNDS):
        server.send(op="run", path=str(demo_copy), config=config, seed=rng.randrange(2**32))
        pid = server.until("PID")["pid"]
        if rng.random() < 0.1:  # now and then while the child is still opening the file
            time.sleep(rng.uniform(0, 0.01))
        else:
            # the forked child may say READY before the server has said PID
            server.until("READY", or_seen=True)
            time.sleep(rng.uniform(0.003, 0.2))
        os.kill(pid, signal.SIGKILL)
        server.send(op="reap", pid=pid)
        status = server.until("EXIT")
        lines = server.take()
        context = f"round {round_no} (QUALCODE_CRASH_SEED={SEED})"
        acked, inflight, other = parse(lines)
        kinds = [m["kind"] for m in other]
        assert "ERROR" not in kinds and "END" not in kinds, (
            f"{context}: the child stopped by itself: {other}"
        )
        assert status["signal"] == signal.SIGKILL, f"{context}: {status} {server.errors()}"
        early_kills += "READY" not in kinds
        hot_wal += wal.exists() and wal.stat().st_size > 0
        with readonly(demo_copy) as conn:
            try:
                integrity(conn)
                committed = check_round(conn, model, acked, inflight)
                assert others(conn) == before, "another coder's codings or the items changed"
            except AssertionError as exc:
                raise AssertionError(f"{context}: {exc}") from exc
        acknowledged += len(acked)
        if inflight is not None:
            in_flight_committed += committed
            in_flight_lost += not committed
    print(
        f"{ROUNDS} kills, {acknowledged} acknowledged actions checked, in flight at the "
        f"kill: {in_flight_committed} committed / {in_flight_lost} not; {early_kills} kills "
        f"before the file was open; {hot_wal} left a non-empty WAL; final: "
        f"{len(model.codings)} codings, {len(model.memos)} memos, undo depth "
        f"{len(model.undo)}"
    )
    assert acknowledged > ROUNDS  # the children did get work done between the kills
    # the file still opens as a project, and undo/redo, replayed from the log the killed
    # children left, do exactly what the model says
    with Project.open(demo_copy, coder="crash") as p:
        assert p.can_undo() == bool(model.undo)
        assert p.can_redo() == bool(model.redo)
        acked = []
        for n, op in enumerate(["undo", "undo", "redo"]):
            change = p.undo() if op == "undo" else p.redo()
            acked.append({"n": n, "op": op, "result": change and change.item_id})
    with readonly(demo_copy) as conn:
        integrity(conn)
        check_round(conn, model, acked, None)
