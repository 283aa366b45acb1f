"""A process that has the project open never loses its SQLite locks on it.

On POSIX, closing *any* descriptor of a file drops every fcntl lock the process holds on
that file, those of its SQLite connections included (SQLite's "How To Corrupt An SQLite
Database File", 2.2). A process that has lost its locks looks, to the next program that
closes the file, as if it had closed it too: that program checkpoints and deletes the
-wal and -shm the first one still writes to, and what the first one commits afterwards
goes to a deleted file (lost at a crash, a damaged file after the next writes).

The workbench keeps two connections open (the coder's, and the suggestion worker's), so
any ``open()`` of the project file by qualcode itself would do this. These tests hold the
project as the workbench does in one process while real CLI processes come and go
(:func:`test_cli_runs_never_take_the_workbench_locks_away`), and run a whole in-process
workflow with every Python-level way of opening a file watched
(:func:`test_only_sqlite_opens_the_project_file`).
"""

from __future__ import annotations

import builtins
import io
import os
import pathlib
import signal
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from crash_child import Child, integrity, lock_holders, qualcode_cli, readonly
from qualcode.core.project import Project

pytestmark = pytest.mark.skipif(
    not Path("/proc/locks").exists() or not hasattr(os, "fork"),
    reason="needs Linux's /proc/locks and SIGKILL",
)

CODER = "vaerksted"


def _wal(path: Path) -> tuple[int, int] | None:
    """The -wal's (device, inode), or None when there is none."""
    try:
        info = os.stat(f"{path}-wal")
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


def test_cli_runs_never_take_the_workbench_locks_away(demo_copy, tmp_path):
    """A child holds the project on two connections and codes; real ``qualcode counts``,
    ``info``, ``suggest`` and a colleague's ``qualcode code`` open and close the file in
    between; the child codes more and is killed with SIGKILL. Every coding it acknowledged
    is in the file, the file is sound, the child kept its lock on the file all along and
    its -wal was never deleted under it."""
    with Project.open(demo_copy) as p:
        items = p.items("strategier")
        colleague_item = items[-1]
    mine = [i.id for i in items[:12]]
    child = Child(
        "workbench",
        {"path": str(demo_copy), "coder": CODER, "question": "strategier"},
        tmp_path / "workbench.stderr",
    )
    acknowledged: set[tuple[int, str]] = set()
    problems: list[str] = []

    def code(item_id: int, key: str = "fleksjob") -> None:
        child.send(op="code", item=item_id, code=key)
        reply = child.until("CODED")
        assert reply == {"item": item_id, "code": key, "added": True}, reply
        acknowledged.add((item_id, key))

    def look(moment: str, wal: tuple[int, int] | None) -> None:
        """The child's lock on the file and its -wal, as they must be at every moment."""
        if child.proc.pid not in lock_holders(demo_copy):
            problems.append(
                f"{moment}: the workbench process holds no lock on the project "
                "file (a descriptor of it was closed outside SQLite)"
            )
        if _wal(demo_copy) != wal:
            problems.append(
                f"{moment}: the -wal the workbench writes to was deleted or "
                f"replaced ({wal} -> {_wal(demo_copy)})"
            )

    try:
        child.until("READY")
        code(mine[0])
        code(mine[1], "tvaerfagligt-samarbejde")
        wal = _wal(demo_copy)
        assert wal is not None, "the workbench's commits went to the -wal"
        look("with both connections open", wal)
        runs = [
            ("counts", demo_copy),
            ("info", demo_copy),
            ("suggest", demo_copy, "--question", "strategier"),
            (
                "code",
                demo_copy,
                "--question",
                "strategier",
                "--respondent",
                colleague_item.respondent,
                "--code",
                "fleksjob",
                "--coder",
                "kollega",
            ),
            ("counts", demo_copy, "--question", "strategier"),
        ]
        for n, args in enumerate(runs, start=2):
            result = qualcode_cli(*args)
            assert result.returncode == 0 and "locked" not in result.stderr, (args, result)
            look(f"after 'qualcode {args[0]}'", wal)
            # the workbench goes on: a coding through the first connection, suggestions
            # (with their NLP cache written) through the second
            code(mine[n])
            child.send(op="suggest", items=mine[n + 1 : n + 3])
            child.until("SUGGESTED")
            look(f"after coding once more after 'qualcode {args[0]}'", wal)
        for item_id in mine[len(runs) + 2 : len(runs) + 5]:
            code(item_id)
        look("just before the kill", wal)
        os.kill(child.proc.pid, signal.SIGKILL)
        assert child.finish() == -signal.SIGKILL, child.errors()
    finally:
        if child.proc.poll() is None:
            child.proc.kill()
            child.finish()
    assert len(acknowledged) == len(runs) + 5

    with readonly(demo_copy) as conn:  # a fresh connection: what a restarted program finds
        found = set(
            conn.execute(
                "SELECT c.item_id, k.key FROM codings c JOIN codes k ON k.id = c.code_id"
                " WHERE c.coder = ?",
                [CODER],
            ).fetchall()
        )
        colleague = conn.execute(
            "SELECT c.item_id, k.key FROM codings c JOIN codes k ON k.id = c.code_id"
            " WHERE c.coder = 'kollega'"
        ).fetchall()
        verdict = conn.execute("PRAGMA integrity_check").fetchall()
    missing = acknowledged - found
    if missing:
        problems.append(
            f"{len(missing)} of {len(acknowledged)} acknowledged codings are "
            f"not in the file: {sorted(missing)}"
        )
    if found - acknowledged:
        problems.append(f"codings nobody acknowledged: {sorted(found - acknowledged)}")
    if colleague != [(colleague_item.id, "fleksjob")]:
        problems.append(f"the colleague's coding from the CLI: {colleague}")
    if verdict != [("ok",)]:
        problems.append(f"integrity_check: {verdict[:5]}")
    assert not problems, "\n".join(problems)
    with readonly(demo_copy) as conn:
        integrity(conn)


# -- nothing but SQLite opens the project file -------------------------------------------


class OpenWatch:
    """Fails (and records) every Python-level open of a watched file: builtins.open,
    io.open, os.open and pathlib's open/read_bytes/read_text are wrapped, and an audit
    hook sees whatever else raises the 'open' event (io.FileIO, io.open_code). SQLite's
    own opens are C calls that none of these see."""

    def __init__(self, *paths: Path) -> None:
        self.watched = {
            os.path.realpath(f"{p}{suffix}")
            for p in paths
            for suffix in ("", "-wal", "-shm", "-journal")
        }
        self.hits: list[str] = []
        self.busy = False

    def check(self, how: str, path, dir_fd: int | None = None) -> None:
        if self.busy or isinstance(path, int):
            return
        try:
            name = os.fsdecode(os.fspath(path))
        except TypeError:
            return
        if dir_fd is not None and not os.path.isabs(name):
            name = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), name)
        if os.path.realpath(name) in self.watched:
            self.busy = True  # formatting the stack reads source files
            try:
                where = "".join(traceback.format_stack(limit=10)[:-2])
            finally:
                self.busy = False
            self.hits.append(f"{how}({name!r}) outside SQLite, from:\n{where}")
            raise AssertionError(f"{how}({name!r}): a project file opened outside SQLite")


_WATCHES: list[OpenWatch] = []  # the watch the audit hook reports to, while one is on


def _audit_hook(event: str, args: tuple) -> None:
    if _WATCHES and event == "open":
        _WATCHES[-1].check("audit 'open'", args[0])


@contextmanager
def watching(*paths: Path) -> Iterator[OpenWatch]:
    """Watch the files (and their -wal, -shm, -journal) for the block."""
    watch = OpenWatch(*paths)
    real_open, real_os_open = builtins.open, os.open
    real_path_open = pathlib.Path.open
    real_read_bytes, real_read_text = pathlib.Path.read_bytes, pathlib.Path.read_text

    def open_(file, *args, **kwargs):
        watch.check("open", file)
        return real_open(file, *args, **kwargs)

    def os_open(path, *args, dir_fd=None, **kwargs):
        watch.check("os.open", path, dir_fd)
        return real_os_open(path, *args, dir_fd=dir_fd, **kwargs)

    def path_open(self, *args, **kwargs):
        watch.check("Path.open", self)
        return real_path_open(self, *args, **kwargs)

    def read_bytes(self):
        watch.check("Path.read_bytes", self)
        return real_read_bytes(self)

    def read_text(self, *args, **kwargs):
        watch.check("Path.read_text", self)
        return real_read_text(self, *args, **kwargs)

    global _HOOKED
    if not _HOOKED:  # an audit hook cannot be removed: one for the session, idle between
        sys.addaudithook(_audit_hook)
        _HOOKED = True
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(builtins, "open", open_)
        patch.setattr(io, "open", open_)
        patch.setattr(os, "open", os_open)
        patch.setattr(pathlib.Path, "open", path_open)
        patch.setattr(pathlib.Path, "read_bytes", read_bytes)
        patch.setattr(pathlib.Path, "read_text", read_text)
        _WATCHES.append(watch)
        try:
            yield watch
        finally:
            _WATCHES.remove(watch)


_HOOKED = False


def fds_on(*paths: Path) -> list[str]:
    """This process's descriptors that point at the files (or their -wal, -shm)."""
    names = {
        os.path.realpath(f"{p}{suffix}")
        for p in paths
        for suffix in ("", "-wal", "-shm", "-journal")
    }
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.removesuffix(" (deleted)") in names:
            out.append(f"fd {fd} -> {target}")
    return out


def test_only_sqlite_opens_the_project_file(demo_copy, tmp_path):
    """A day's work in one process, the project open on two connections throughout (as in
    the workbench): coding, suggestions, counts, quotes, a report, backups, a merge from a
    colleague's copy, keywords in context, a personal-data scan and an import through the
    CLI. Nothing opens the project file, its copy or their -wal/-shm except SQLite; this
    process keeps its lock on the file throughout; and once the projects are closed no
    descriptor of the files is left open."""
    from helpers import ANSWERS, run, write_csv
    from qualcode.core.merge import merge_projects
    from qualcode.core.pii import scan
    from qualcode.core.quotes import find_quotes
    from qualcode.io.report import build_report, write_report
    from qualcode.nlp.kwic import kwic
    from qualcode.nlp.suggest import Suggester
    from qualcode.store.backup import list_backups
    from qualcode.store.restore import backup_project

    copy = tmp_path / "kollega.qualcode.db"
    answers = write_csv(tmp_path / "svar.csv", ANSWERS)
    with watching(demo_copy, copy) as watch:
        # the watch sees every way in (or this test could pass by seeing nothing); each
        # of these is stopped before it opens anything
        folder = os.open(tmp_path, os.O_RDONLY)
        try:
            ways = [
                lambda: open(demo_copy, "rb"),  # noqa: SIM115
                lambda: io.FileIO(f"{copy}-wal"),
                lambda: os.open(demo_copy.name, os.O_RDONLY, dir_fd=folder),
                demo_copy.read_bytes,
                lambda: Path(f"{demo_copy}-shm").open("rb"),  # noqa: SIM115
            ]
            for way in ways:
                with pytest.raises(AssertionError, match="opened outside SQLite"):
                    way()
        finally:
            os.close(folder)
        assert len(watch.hits) == len(ways)
        watch.hits.clear()
        project = Project.open(demo_copy, coder="ida")
        worker = Project.open(demo_copy, coder="ida")  # the suggestion worker's connection
        try:
            items = project.items("strategier")
            assert project.toggle_code(items[0].id, "fleksjob")
            assist = Suggester(worker, "strategier")
            assert assist.for_items([i.id for i in items[:10]])  # caches the NLP results
            assert project.counts("strategier").shape[0] > 0
            assert find_quotes(project, "fleksjob")
            written = write_report(
                build_report(project, questions=["strategier"]), tmp_path / "rapport.md"
            )
            assert written and all(p.stat().st_size for p in written)
            assert backup_project(demo_copy) == list_backups(demo_copy)[-1]
            backup_project(demo_copy, copy)  # a colleague's copy, coded in a third connection
            with Project.open(copy, coder="kollega") as colleague:
                colleague.add_coding(items[1].id, "tvaerfagligt-samarbejde")
            assert merge_projects(project, [copy]).codings_added == 1
            assert kwic(project, "fleksjob")
            assert scan(project) is not None
            result = run(
                "import",
                "answers",
                demo_copy,
                answers,
                "--respondent-col",
                "jobcenter_id",
                "--text-col",
                "svar",
                "--question",
                "kontakt",
                "--codebook",
                "lokalpolitiske-strategier",
            )
            assert result.exit_code == 0, (result.output, result.exception)
            result = run("counts", demo_copy, "--question", "kontakt")
            assert result.exit_code == 0, (result.output, result.exception)
            # and the workbench goes on writing, its lock on the file still held
            assert project.toggle_code(items[2].id, "fleksjob")
            assert worker.items("kontakt")
            assert os.getpid() in lock_holders(demo_copy)
        finally:
            worker.close()
            project.close()
    assert not watch.hits, "\n".join(watch.hits)
    assert fds_on(demo_copy, copy) == []
    with readonly(demo_copy) as conn:
        integrity(conn)
        assert (
            conn.execute(
                "SELECT COUNT(*) FROM codings WHERE coder IN ('ida', 'kollega')"
            ).fetchone()[0]
            == 3
        )
