"""Two coders, two workbenches, one project file: real processes in a real terminal.

This is how the first coder's codings used to vanish: each workbench had dropped its own
locks on the file (a descriptor of it closed outside SQLite while its connections were
open), so when the second coder quit, that workbench believed it was the last one, and
checkpointed and deleted the -wal the first one still wrote to.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tmux_app import Tmux, Workbench

from crash_child import integrity, lock_holders, readonly
from qualcode.core.project import Project

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks"),
]


def codings(conn, coder: str) -> set[tuple[str, str]]:
    return set(
        conn.execute(
            "SELECT i.respondent_id, k.key FROM codings c JOIN items i ON i.id = c.item_id"
            " JOIN codes k ON k.id = c.code_id WHERE c.coder = ?",
            [coder],
        ).fetchall()
    )


def _wal(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(f"{path}-wal")
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


def test_two_coders_keep_their_work_when_one_quits_and_the_other_is_killed(demo_copy, tmp_path):
    """Ane codes three answers, Bo three others; Bo quits; Ane sees Bo's codings once she
    presses r, codes two more and is killed with SIGKILL. Every coding either screen
    confirmed is in the file, and the file is sound."""
    with Project.open(demo_copy, readonly=True) as p:
        r = [i.respondent for i in p.items("strategier")]
    ane_did: set[tuple[str, str]] = set()
    bo_did: set[tuple[str, str]] = set()
    problems: list[str] = []
    with Tmux() as tmux:
        ane = Workbench(tmux, tmp_path, demo_copy, coder="ane")
        bo = Workbench(tmux, tmp_path, demo_copy, coder="bo")
        ane.ready()
        bo.ready()  # both hold the file on two connections each

        for n in range(3):  # Ane: the first three answers, Fleksjob
            if n:
                ane.next(r[n])
            ane.code(5, r[n], "Fleksjob")
            ane_did.add((r[n], "fleksjob"))
        ane.next(r[3])  # she reads the fourth answer while Bo codes it
        for n in range(1, 4):
            bo.next(r[n])
        for n in range(3, 6):  # Bo: the next three, Andet
            if n > 3:
                bo.next(r[n])
            bo.code(7, r[n], "Andet")
            bo_did.add((r[n], "andet"))
        wal = _wal(demo_copy)
        bo.quit()
        if ane.pid not in lock_holders(demo_copy):
            problems.append("after Bo quit: Ane's workbench holds no lock on the file")
        if _wal(demo_copy) != wal:
            problems.append(
                f"Bo's quitting deleted or replaced the -wal Ane writes to "
                f"({wal} -> {_wal(demo_copy)})"
            )

        assert "(bo)" not in ane.screen()  # loaded before Bo coded it
        ane.keys("r")
        screen = ane.wait_for("Andet – hele svaret (bo)")
        assert f"│ {r[3]} " in screen  # on the answer she was reading

        for n in (3, 4):  # Ane codes on, after Bo has gone
            if n > 3:
                ane.next(r[n])
            ane.code(5, r[n], "Fleksjob")
            ane_did.add((r[n], "fleksjob"))
        ane.kill()

    with readonly(demo_copy) as conn:
        found = {"ane": codings(conn, "ane"), "bo": codings(conn, "bo")}
        verdict = conn.execute("PRAGMA integrity_check").fetchall()
    for coder, did in (("ane", ane_did), ("bo", bo_did)):
        if did != found[coder]:
            problems.append(
                f"{coder}: confirmed on screen but not in the file: "
                f"{sorted(did - found[coder])}; in the file, never confirmed: "
                f"{sorted(found[coder] - did)}"
            )
    if verdict != [("ok",)]:
        problems.append(f"integrity_check: {verdict[:5]}")
    assert not problems, "\n".join(problems)
    with readonly(demo_copy) as conn:
        integrity(conn)
