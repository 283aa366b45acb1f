"""Run qualcode's CLI or a floor script with every SQLite statement written to a file.

    python bench/_trace_sql.py OUT.sql qualcode counts DB --question Q
    python bench/_trace_sql.py OUT.sql bench/floors/counts.py DB Q

Every connection the process opens gets a trace callback (each statement as SQLite runs
it, with its bound values; a statement's triggers repeat its line, SQLite's own inner
statements start with "--"). bench_commands.py compares the statements of qualcode and
of its floor with :func:`statements` to check that the floor runs the same SQL.
"""

from __future__ import annotations

import re
import runpy
import sqlite3
import sys

_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_LIST = re.compile(r"\(\s*\?(?:\s*,\s*\?)+\s*\)")
_SPACE = re.compile(r"\s+")


def normalise(sql: str) -> str:
    """A statement with its values as ?, lists of values as (?, …), one space between words."""
    sql = _NUMBER.sub("?", _STRING.sub("?", sql))
    sql = _LIST.sub("(?, …)", sql)
    return _SPACE.sub(" ", sql).strip().rstrip(";").strip()


def statements(path: str) -> set[str]:
    """The distinct statements a trace holds, normalised; without SQLite's inner statements
    and qualcode's cache probes (PRAGMA data_version)."""
    out = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("--") or "data_version" in line:
                continue
            out.add(normalise(line))
    return out


def main() -> None:
    out, target, *args = sys.argv[1:]
    log = open(out, "w", encoding="utf-8")  # noqa: SIM115 - open until the process ends
    connect = sqlite3.connect

    def traced(*a, **k):
        conn = connect(*a, **k)
        conn.set_trace_callback(lambda sql: log.write(sql.replace("\n", " ") + "\n"))
        return conn

    sqlite3.connect = traced
    if target == "qualcode":
        sys.argv = ["qualcode", *args]
        from qualcode.cli import main as qualcode

        try:
            qualcode()
        finally:
            log.flush()
    else:
        sys.argv = [target, *args]
        try:
            runpy.run_path(target, run_name="__main__")
        finally:
            log.flush()


if __name__ == "__main__":
    main()
