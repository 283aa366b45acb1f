"""The layering rules that can be checked by reading the source.

SQL is written only under ``qualcode/store/``: every other module asks a store function.
A file breaks the rule with a string that starts an SQL statement (``SELECT ...``,
``PRAGMA ...``, ``BEGIN``...) or with a call of ``.execute(`` / ``.executemany(`` /
``.executescript(``. Strings are read with :mod:`ast`, so a word in a comment does not
count, and implicitly joined strings and the pieces of an f-string are seen as written.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "qualcode"

_STATEMENT = re.compile(
    r"^\s*(?:SELECT\s|INSERT\s|UPDATE\s|DELETE\s|CREATE\s|PRAGMA\s|WITH\s+RECURSIVE\b"
    r"|BEGIN\b|COMMIT\b|ROLLBACK\b|SAVEPOINT\b|RELEASE\s+SAVEPOINT\b|VACUUM\b)"
)
_CALLS = {"execute", "executemany", "executescript"}

# files that other branches are still emptying of SQL; the integrator clears this list


def sql_in(path: Path) -> list[str]:
    """'line: what' for every SQL string and every execute call in a Python file."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            m = _STATEMENT.match(node.value)
            if m:
                found.append(f"{node.lineno}: SQL string {node.value.strip()[:40]!r}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _CALLS
        ):
            found.append(f"{node.lineno}: .{node.func.attr}( call")
    return sorted(found, key=lambda s: int(s.split(":")[0]))


def offenders() -> dict[str, list[str]]:
    """Every module outside store/ with SQL in it (relative path -> what and where)."""
    out: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("store/"):
            continue
        found = sql_in(path)
        if found:
            out[rel] = found
    return out


def _describe(found: dict[str, list[str]]) -> str:
    return "SQL outside qualcode/store/:\n" + "\n".join(
        f"  {rel}:{where}" for rel, lines in found.items() for where in lines
    )


def test_the_check_finds_sql_where_there_is_some(tmp_path):
    """The scanner is not blind: it sees the store's own SQL, and the usual disguises."""
    assert sql_in(PACKAGE / "store" / "db.py")
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(conn, table, x):\n"
        '    conn.execute("PRAGMA secure_delete = ON")\n'
        '    q = (f"SELECT a FROM {table}"\n'
        '         " WHERE b = ?")\n'
        '    other = "  WITH RECURSIVE t(n) AS (SELECT 1)"\n'
        "    cur.executemany(q, x)\n"
        '    text = "Select a theme; delete it; update the count"\n'
        "    # SELECT in a comment is no SQL\n",
        encoding="utf-8",
    )
    assert [line.split(":")[0] for line in sql_in(sample)] == ["2", "2", "3", "5", "6"]


def test_no_sql_outside_store():
    found = offenders()
    assert not found, _describe(found)


def test_every_workbook_is_saved_by_workbook_bytes():
    """An XLSX written elsewhere would skip the string typing that keeps '=…' from an
    answer from becoming a live formula, and the print setup."""
    saves = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "save"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in {"wb", "workbook", "book"}
            ):
                saves.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert [where.split(":")[0] for where in saves] == ["io/export.py"], saves


def test_no_module_uses_another_modules_private_name():
    """``from qualcode.x import _name`` or ``x._name`` on an imported qualcode module: a
    private name is the module's own, free to change without telling anybody."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("qualcode"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {alias.name}")
                    modules.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                modules.update(
                    (a.asname or a.name).split(".")[0]
                    for a in node.names
                    if a.name.startswith("qualcode")
                )
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(
                    f"{path.relative_to(PACKAGE)}:{node.lineno} {node.value.id}.{node.attr}"
                )
    assert found == []


def test_the_check_finds_a_private_import(tmp_path, monkeypatch):
    bad = tmp_path / "qualcode"
    bad.mkdir()
    (bad / "m.py").write_text(
        "from qualcode.core import counts as c\nfrom qualcode.io.fmt import _x\nc._y()\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(__import__(__name__), "PACKAGE", bad)
    try:
        test_no_module_uses_another_modules_private_name()
    except AssertionError as exc:
        assert "_x" in str(exc) and "c._y" in str(exc)
    else:
        raise AssertionError("the check missed a private name")
