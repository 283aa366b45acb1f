"""Outputs leave everything else on disk as it was: ``-o`` never replaces a device, a named
pipe or a socket (even with --force), a name ending in '/' is refused, a killed export's
temporary file is removed by the next export of that file, a report is written with its
charts all or nothing, and a full or closed standard output ends in one line or quietly,
never in a traceback."""

from __future__ import annotations

import errno
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import REPO, assert_one_line_error, run
from qualcode.errors import QualcodeError
from qualcode.io import export
from qualcode.io.export import write_file, write_files

TEMP_NAME = re.compile(r"\.(?P<name>.+)\.qualcode-(?P<pid>[0-9]+)-[0-9a-f]{8}\.tmp")


def listing(folder: Path) -> dict[str, tuple]:
    """What a folder holds: per name its kind and mode, and a file's bytes or a link's
    target; enough to tell that nothing in it changed."""
    out = {}
    for entry in sorted(folder.iterdir()):
        info = entry.lstat()
        if stat.S_ISREG(info.st_mode):
            what: object = entry.read_bytes()
        elif stat.S_ISLNK(info.st_mode):
            what = os.readlink(entry)
        else:
            what = None
        out[entry.name] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode), what)
    return out


def assert_refused(result, *needles: str) -> str:
    """Exit 1 with one error line, the last on stderr (quotes may warn first), nothing on
    stdout, no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert [n for n, line in enumerate(lines) if line.startswith("qualcode: fejl: ")] == [
        len(lines) - 1
    ], result.stderr
    for needle in needles:
        assert needle in lines[-1], (needle, lines[-1])
    return lines[-1]


def dead_pid() -> int:
    """The pid of a process that has ended (and been waited for)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# -- never a device, a pipe or a socket --------------------------------------------------

# a representative set of the commands with -o: emit(), write_file() and write_report()
EXPORTS = {
    "counts": (["counts"], ".csv"),
    "quotes": (["quotes", "--code", "eksterne-aktoerer"], ".md"),
    "crosstab": (["crosstab", "--question", "strategier", "--by", "lokalpolitisk_fokus"], ".csv"),
    "cooccurrence": (["cooccurrence", "--question", "strategier"], ".csv"),
    "chart": (["chart", "--question", "strategier"], ".png"),
    "report-md": (["report"], ".md"),
    "report-docx": (["report"], ".docx"),
    "scan-pii": (["scan-pii", "--format", "csv"], ".csv"),  # (no table without a hit)
    "kwic": (["kwic", "fleksjob"], ".csv"),
    "suggest": (["suggest", "--question", "strategier"], ".csv"),
    "export-qdc": (["export", "qdc"], ".qdc"),
    "export-qdpx": (["export", "qdpx"], ".qdpx"),
    "codebook-export": (["codebook", "export", "{db}", "lokalpolitiske-strategier"], ".yaml"),
}


def export_args(name: str, db: Path, out: Path | str) -> list:
    args, _ = EXPORTS[name]
    if "{db}" in args:
        args = [db if a == "{db}" else a for a in args]
    elif args[0] == "export":
        args = [*args, db]
    else:
        args = [args[0], db, *args[1:]]
    return [*args, "-o", out, "--force"]


@pytest.fixture
def fifo(tmp_path):
    """A named pipe with a reader that never blocks: a writer would not hang the test,
    and what it wrote would show."""
    readers: list[int] = []

    def make(name: str) -> tuple[Path, int]:
        path = tmp_path / name
        os.mkfifo(path)
        readers.append(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
        return path, readers[-1]

    yield make
    for fd in readers:
        os.close(fd)


def pipe_is_empty(fd: int) -> bool:
    try:
        return os.read(fd, 1) == b""
    except BlockingIOError:  # a writer holds it open: something was written to it
        return False


@pytest.mark.parametrize("name", list(EXPORTS))
def test_no_export_replaces_a_named_pipe(demo_db, tmp_path, fifo, name):
    path, reader = fifo("ud" + EXPORTS[name][1])
    before = listing(tmp_path)
    assert_refused(
        run(*export_args(name, demo_db, path)),
        str(path),
        "er en navngivet pipe",
        "erstattes aldrig",
    )
    assert listing(tmp_path) == before
    assert stat.S_ISFIFO(path.lstat().st_mode) and pipe_is_empty(reader)


@pytest.mark.parametrize("name", list(EXPORTS))
def test_no_export_replaces_a_link_to_a_device(demo_db, tmp_path, name):
    link = tmp_path / ("null" + EXPORTS[name][1])
    link.symlink_to(os.devnull)
    before = listing(tmp_path)
    assert_refused(
        run(*export_args(name, demo_db, link)), str(link), "er et symbolsk link til en enhed"
    )
    assert listing(tmp_path) == before
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.fixture
def dev_null(tmp_path) -> Path:
    """/dev/null, once write_file has refused a device node of the test's own: run as root,
    a regression must not get to replace the machine's /dev/null."""
    if os.geteuid() == 0:
        own = tmp_path / "null"
        try:
            os.mknod(own, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except OSError:
            pytest.skip("root without mknod: /dev/null itself is not put at risk")
        with pytest.raises(QualcodeError, match="er en enhed"):
            write_file(own, b"x", force=True)
        assert stat.S_ISCHR(own.lstat().st_mode)
        own.unlink()
    return Path("/dev/null")


@pytest.mark.parametrize("name", list(EXPORTS))
def test_no_export_replaces_dev_null(demo_db, tmp_path, dev_null, name):
    before = listing(tmp_path)
    line = assert_refused(run(*export_args(name, demo_db, dev_null)), str(dev_null))
    if name not in ("chart", "report-md", "report-docx"):  # these want a .png/.md suffix
        assert "er en enhed, ikke en almindelig fil" in line, line
    assert stat.S_ISCHR(dev_null.lstat().st_mode)
    assert listing(tmp_path) == before


def test_a_socket_is_refused_and_kept(tmp_path):
    path = tmp_path / "s.csv"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(QualcodeError, match=r"s\.csv: er en socket, ikke en almindelig fil"):
            write_file(path, b"a\n", force=True)
        assert stat.S_ISSOCK(path.lstat().st_mode)
    finally:
        server.close()


def test_a_chart_name_taken_by_a_pipe_refuses_the_whole_report(demo_db, tmp_path, fifo):
    _, reader = fifo("r_figur_2.png")
    before = listing(tmp_path)
    assert_one_line_error(
        run("report", demo_db, "-o", tmp_path / "r.md", "--force"),
        "r_figur_2.png",
        "er en navngivet pipe",
    )
    assert listing(tmp_path) == before and pipe_is_empty(reader)


# -- names and links --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mangler/", "mappe/", ".", "mappe/."])
def test_a_name_ending_in_a_separator_names_a_folder(demo_db, tmp_path, name):
    (tmp_path / "mappe").mkdir()
    before = listing(tmp_path)
    out = f"{tmp_path}{os.sep}{name}"
    assert_one_line_error(
        run("counts", demo_db, "-o", out, "--force"), out, "angiver en mappe; angiv et filnavn"
    )
    assert listing(tmp_path) == before and listing(tmp_path / "mappe") == {}


def test_a_report_name_ending_in_a_separator_names_a_folder(demo_db, tmp_path):
    out = f"{tmp_path}{os.sep}r.md{os.sep}"
    assert_one_line_error(run("report", demo_db, "-o", out), "angiver en mappe")
    assert list(tmp_path.iterdir()) == []


def test_folders_missing_or_existing_are_still_refused(tmp_path):
    (tmp_path / "mappe").mkdir()
    with pytest.raises(QualcodeError, match="er en mappe"):
        write_file(tmp_path / "mappe", b"x", force=True)
    with pytest.raises(QualcodeError, match="mappen findes ikke"):
        write_file(tmp_path / "nej" / "t.csv", b"x")
    (tmp_path / "fil").write_bytes(b"x")
    with pytest.raises(QualcodeError, match="mappen findes ikke"):
        write_file(tmp_path / "fil" / "t.csv", b"x")
    (tmp_path / "link").symlink_to("mappe")
    with pytest.raises(QualcodeError, match="er en mappe"):
        write_file(tmp_path / "link", b"x", force=True)
    assert listing(tmp_path / "mappe") == {}


def test_a_link_to_a_file_is_followed_and_stays_a_link(tmp_path):
    """Documented choice: with --force the file the link points to is replaced (whole or
    not at all, in its own folder); the link keeps pointing at it."""
    shared = tmp_path / "delt"
    shared.mkdir()
    target = shared / "tabel.csv"
    target.write_bytes(b"gammel\n")
    target.chmod(0o640)
    link = tmp_path / "tabel.csv"
    link.symlink_to(target)
    with pytest.raises(QualcodeError, match="findes allerede; brug --force"):
        write_file(link, b"ny\n")
    assert target.read_bytes() == b"gammel\n"
    assert write_file(link, b"ny\n", force=True) == link
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == b"ny\n" and stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["delt", "tabel.csv"]
    assert [p.name for p in shared.iterdir()] == ["tabel.csv"]


def test_a_dangling_link_or_a_loop_is_refused(tmp_path):
    (tmp_path / "mangler.csv").symlink_to(tmp_path / "findes-ikke.csv")
    (tmp_path / "a.csv").symlink_to("b.csv")
    (tmp_path / "b.csv").symlink_to("a.csv")
    before = listing(tmp_path)
    with pytest.raises(QualcodeError, match="symbolsk link til en fil, der ikke findes"):
        write_file(tmp_path / "mangler.csv", b"x", force=True)
    with pytest.raises(QualcodeError, match="a.csv: kan ikke bruges"):
        write_file(tmp_path / "a.csv", b"x", force=True)
    assert listing(tmp_path) == before


def test_a_replaced_file_keeps_its_mode_and_the_temp_file_is_named_for_its_writer(
    tmp_path, monkeypatch
):
    out = tmp_path / "t.csv"
    out.write_bytes(b"gammel")
    out.chmod(0o600)
    real = os.replace
    seen = []

    def replace(src, dst):
        seen.append((Path(src).name, stat.S_IMODE(os.stat(src).st_mode), Path(src).read_bytes()))
        return real(src, dst)

    monkeypatch.setattr(export.os, "replace", replace)
    write_file(out, b"ny", force=True)
    ((name, mode, data),) = seen
    match = TEMP_NAME.fullmatch(name)
    assert match and match["name"] == "t.csv" and int(match["pid"]) == os.getpid(), name
    assert mode == 0o600 and data == b"ny"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_bytes() == b"ny"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


# -- leftovers of killed exports ----------------------------------------------------------


def test_a_dead_writers_leftover_goes_and_nothing_else(tmp_path):
    dead, alive = dead_pid(), os.getpid()
    gone = tmp_path / f".t.csv.qualcode-{dead}-0123abcd.tmp"
    stale = tmp_path / f".t.csv.qualcode-{alive}-89abcdef.tmp"  # its pid alive: by age
    kept = {
        f".t.csv.qualcode-{alive}-00000000.tmp": b"a live writer's",
        f".t.csv.qualcode-{dead}-xyz.tmp": b"not a name qualcode writes",
        f".t.csv.qualcode-{dead}-0123abcd.tmp.bak": b"not a name qualcode writes",
        f".andet.csv.qualcode-{dead}-0123abcd.tmp": b"another target's",
        ".t.csv.k3j_x9.tmp": b"the old mkstemp names: not known to be ours",
        "t.csv.qualcode-1-0123abcd.tmp": b"not hidden: not ours",
        "noter.txt": b"the analyst's",
    }
    for name, data in kept.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / f".t.csv.qualcode-{dead}-deadbeef.tmp").mkdir()  # a folder: never
    gone.write_bytes(b"half a table")
    stale.write_bytes(b"half a table")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(stale, (two_days_ago, two_days_ago))
    before = listing(tmp_path)
    write_file(tmp_path / "t.csv", b"a,b\n")
    after = listing(tmp_path)
    assert (tmp_path / "t.csv").read_bytes() == b"a,b\n"
    del after["t.csv"], before[gone.name], before[stale.name]
    assert after == before


KILLED_CHILD = """
import os, signal, sys
from qualcode.io import export

def killed(src, dst):  # the moment between writing the temporary file and the rename
    os.kill(os.getpid(), signal.SIGKILL)

export.os.replace = killed
export.write_file(sys.argv[1], b"a,b\\n" * 1000, force=True)
"""


def test_the_temp_file_of_a_killed_export_is_removed_by_the_next(demo_db, tmp_path):
    out = tmp_path / "t.csv"
    out.write_bytes(b"den gamle tabel")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    child = subprocess.run(
        [sys.executable, "-c", KILLED_CHILD, str(out)], env=env, capture_output=True, timeout=60
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    (left,) = [p for p in tmp_path.iterdir() if p.name != "t.csv"]
    assert TEMP_NAME.fullmatch(left.name) and left.read_bytes() == b"a,b\n" * 1000
    assert out.read_bytes() == b"den gamle tabel"  # the kill left the old file whole
    assert run("counts", demo_db, "-o", out, "--force").exit_code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]
    assert out.read_bytes().startswith(b"question,code,")


# -- a report and its charts: all or nothing ----------------------------------------------


def fail_on_call(monkeypatch, n: int) -> list:
    """Make the ``n``th os.replace fail as a full disk would (the rest work)."""
    real = os.replace
    calls: list = []

    def replace(src, dst):
        calls.append(Path(dst).name)
        if len(calls) == n:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(export.os, "replace", replace)
    return calls


def test_a_failed_second_rename_leaves_no_report_and_no_chart(demo_db, tmp_path, monkeypatch):
    out = tmp_path / "ud"
    out.mkdir()
    calls = fail_on_call(monkeypatch, 2)
    assert_one_line_error(
        run("report", demo_db, "-o", out / "r.md"),
        "r_figur_2.png",
        "No space left on device",
        "intet blev skrevet",
    )
    assert calls[:2] == ["r_figur_1.png", "r_figur_2.png"]
    assert listing(out) == {}


def test_a_failed_rename_with_force_gives_every_old_file_back(demo_db, tmp_path, monkeypatch):
    assert run("report", demo_db, "-o", tmp_path / "r.md").exit_code == 0
    (tmp_path / "r.md").write_text("min rettede rapport", encoding="utf-8")
    (tmp_path / "r_figur_1.png").write_bytes(b"min figur")
    (tmp_path / "r_figur_1.png").chmod(0o600)
    (tmp_path / "noter.txt").write_bytes(b"noter")
    before = listing(tmp_path)
    order = [*(f"r_figur_{n}.png" for n in range(1, 10)), "r.md"]  # 9 questions, 9 charts
    for n in (1, 2, 10):  # the first chart, the second, the report itself (renamed last)
        calls = fail_on_call(monkeypatch, n)
        assert_one_line_error(
            run("report", demo_db, "-o", tmp_path / "r.md", "--force"),
            order[n - 1],
            "No space left on device",
        )
        assert calls[:n] == order[:n]
        assert calls[n:] == order[: n - 1][::-1]  # the charts already placed, taken back
        assert listing(tmp_path) == before, n


def test_a_refused_report_changes_nothing(demo_db, tmp_path):
    (tmp_path / "r_figur_3.png").write_bytes(b"min")
    before = listing(tmp_path)
    assert_one_line_error(
        run("report", demo_db, "-o", tmp_path / "r.md"),
        "r_figur_3.png",
        "findes allerede; brug --force",
    )
    assert listing(tmp_path) == before


def test_a_report_written_with_force_replaces_every_file(demo_db, tmp_path):
    for name in ("r.md", "r_figur_1.png", "r_figur_4.png"):
        (tmp_path / name).write_bytes(b"gammel")
    assert run("report", demo_db, "-o", tmp_path / "r.md", "--force").exit_code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["r.md", *(f"r_figur_{n}.png" for n in range(1, 10))]
    assert all((tmp_path / n).read_bytes() != b"gammel" for n in names)


def test_write_files_refuses_the_same_file_twice(tmp_path):
    (tmp_path / "b.png").symlink_to("a.png")
    (tmp_path / "a.png").write_bytes(b"x")
    with pytest.raises(QualcodeError, match="er den samme fil som"):
        write_files([(tmp_path / "a.png", b"1"), (tmp_path / "b.png", b"2")], force=True)
    assert (tmp_path / "a.png").read_bytes() == b"x"


def test_an_interrupt_while_writing_leaves_nothing(tmp_path, monkeypatch):
    real = os.fsync
    calls = []

    def interrupted(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(fd)

    monkeypatch.setattr(export.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_files([(tmp_path / "r.md", b"r"), (tmp_path / "r_figur_1.png", b"f")])
    assert list(tmp_path.iterdir()) == []


# -- standard output ----------------------------------------------------------------------


def qualcode(
    *args: object, stdout, env: dict | None = None, code: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), **(env or {})}
    command = ["-c", code, *map(str, args)] if code else ["-m", "qualcode", *map(str, args)]
    return subprocess.run(
        [sys.executable, *command],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        timeout=timeout,
    )


FULL = "qualcode: fejl: kunne ikke skrive til standardoutput (der er ikke mere plads på disken)"
needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
# a command that prints without flushing: the error comes only when Python flushes stdout
LATE = """
import sys
from qualcode import cli

@cli.cli.command("late")
def late():
    '''Print without flushing.'''
    print("x" * 100)

sys.argv = ["qualcode", *sys.argv[1:]]
cli.main()
"""


@needs_dev_full
@pytest.mark.parametrize(
    ("args", "buffered"),
    [
        (("counts", "{db}"), True),  # emit()
        (("counts", "{db}"), False),
        (("info", "{db}"), True),  # click.echo in a command
        (("info", "{db}"), False),
        (("--help",), True),  # click itself
        (("--help",), False),
        (("late",), True),  # only when Python flushes stdout at the end
    ],
    ids=[
        "emit",
        "emit-unbuffered",
        "echo",
        "echo-unbuffered",
        "help",
        "help-unbuffered",
        "at-exit",
    ],
)
def test_a_full_stdout_is_one_line(demo_db, tmp_path, args, buffered):
    env = {"QUALCODE_HOME": str(tmp_path), "PYTHONUNBUFFERED": "" if buffered else "1"}
    args = [demo_db if a == "{db}" else a for a in args]
    with open("/dev/full", "wb") as full:
        out = qualcode(*args, stdout=full, env=env, code=LATE if args == ["late"] else None)
    assert out.returncode == 1, out.stderr
    assert out.stderr.splitlines() == [FULL], out.stderr


@pytest.mark.parametrize(
    "args",
    [("counts", "{db}"), ("info", "{db}"), ("--help",), ("late",)],
    ids=["emit", "echo", "help", "at-exit"],
)
def test_a_closed_pipe_ends_quietly_with_141(demo_db, tmp_path, args):
    """Like ``qualcode counts DB | head -0``: nobody reads; no word on stderr, exit 141
    (128 + SIGPIPE), as git gives."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before qualcode writes a byte
    args = [demo_db if a == "{db}" else a for a in args]
    try:
        out = qualcode(
            *args,
            stdout=write,
            env={"QUALCODE_HOME": str(tmp_path)},
            code=LATE if args == ["late"] else None,
        )
    finally:
        os.close(write)
    assert (out.returncode, out.stderr) == (141, "")


def test_a_pipe_read_to_the_end_is_exit_0(demo_db, tmp_path):
    out = qualcode("counts", demo_db, stdout=subprocess.PIPE, env={"QUALCODE_HOME": str(tmp_path)})
    assert out.returncode == 0 and out.stderr == ""
    assert out.stdout.startswith("strategier: ")
