"""The project's copies of its codebooks: ``codebooks`` and ``codes``."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.models import Code

_, _n = translator("core")

# the columns of a code that an undo restores, as a dict (parent as its key)
CODE_FIELDS = (
    "key",
    "label",
    "definition",
    "source",
    "color",
    "keywords",
    "position",
    "other",
    "published_count",
    "published_base",
    "published_year",
)
META_FIELDS = (
    "title",
    "description",
    "definition_source",
    "published_year",
    "published_base",
    "published_source",
)


def stems(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT id FROM codebooks ORDER BY id")]


def exists(conn: sqlite3.Connection, stem: str) -> bool:
    return conn.execute("SELECT 1 FROM codebooks WHERE id = ?", [stem]).fetchone() is not None


def stem_of_question(conn: sqlite3.Connection, qid: str) -> str | None:
    row = conn.execute("SELECT codebook_id FROM questions WHERE id = ?", [qid]).fetchone()
    return None if row is None else str(row[0])


def load(conn: sqlite3.Connection, stem: str) -> tuple[dict[str, Any], list[Code]] | None:
    """The codebook's own fields and its codes in stored order; None if there is none."""
    row = conn.execute(
        f"SELECT {', '.join(META_FIELDS)} FROM codebooks WHERE id = ?", [stem]
    ).fetchone()
    if row is None:
        return None
    meta = dict(zip(META_FIELDS, row, strict=True))
    codes = [
        Code(
            key=r[0],
            label=r[1],
            definition=r[2],
            source=r[3],
            color=r[4],
            keywords=tuple(json.loads(r[5])),
            parent=r[6],
            published_count=r[7],
            published_base=r[8],
            published_year=r[9],
            other=bool(r[10]),
        )
        for r in conn.execute(
            "SELECT c.key, c.label, c.definition, c.source, c.color, c.keywords, p.key,"
            " c.published_count, c.published_base, c.published_year, c.other"
            " FROM codes c LEFT JOIN codes p ON p.id = c.parent_id"
            " WHERE c.codebook_id = ? ORDER BY c.position",
            [stem],
        )
    ]
    return meta, codes


def insert(conn: sqlite3.Connection, stem: str, meta: dict[str, Any], codes: list[Code]) -> None:
    """A whole codebook; ``codes`` in order, each parent before its children."""
    conn.execute(
        f"INSERT INTO codebooks (id, {', '.join(META_FIELDS)}) VALUES (?,?,?,?,?,?,?)",
        [stem, *(meta.get(f) for f in META_FIELDS)],
    )
    ids: dict[str, int] = {}
    for position, code in enumerate(codes):
        cur = conn.execute(
            "INSERT INTO codes (codebook_id, key, label, definition, source, color, keywords,"
            " parent_id, position, other, published_count, published_base, published_year)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                stem,
                code.key,
                code.label,
                code.definition,
                code.source,
                code.color,
                json.dumps(list(code.keywords), ensure_ascii=False),
                ids[code.parent] if code.parent else None,
                position,
                int(code.other),
                code.published_count,
                code.published_base,
                code.published_year,
            ],
        )
        ids[code.key] = int(cur.lastrowid or 0)


def code_id(conn: sqlite3.Connection, stem: str, key: str) -> int | None:
    row = conn.execute(
        "SELECT id FROM codes WHERE codebook_id = ? AND key = ?", [stem, key]
    ).fetchone()
    return None if row is None else int(row[0])


def code_ids(conn: sqlite3.Connection, stem: str) -> dict[str, int]:
    """Every code of the codebook: key -> id."""
    return {
        r[0]: r[1] for r in conn.execute("SELECT key, id FROM codes WHERE codebook_id = ?", [stem])
    }


def all_code_ids(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    """Every code of the project: (codebook, key) -> id."""
    return {(r[0], r[1]): r[2] for r in conn.execute("SELECT codebook_id, key, id FROM codes")}


def label_of(conn: sqlite3.Connection, stem: str, key: str) -> str | None:
    row = conn.execute(
        "SELECT label FROM codes WHERE codebook_id = ? AND key = ?", [stem, key]
    ).fetchone()
    return None if row is None else str(row[0])


def code_row(conn: sqlite3.Connection, stem: str, key: str) -> dict[str, Any]:
    """Every stored field of a code, its parent as a key: what an undo puts back."""
    row = conn.execute(
        "SELECT " + ", ".join(f"c.{f}" for f in CODE_FIELDS) + ", p.key FROM codes c"
        " LEFT JOIN codes p ON p.id = c.parent_id WHERE c.codebook_id = ? AND c.key = ?",
        [stem, key],
    ).fetchone()
    out = dict(zip(CODE_FIELDS, row[:-1], strict=True))
    out["keywords"] = json.loads(out["keywords"])
    out["parent"] = row[-1]
    return out


def insert_code(conn: sqlite3.Connection, stem: str, row: dict[str, Any]) -> tuple[int, int]:
    """Insert a code from a :func:`code_row` dict (a None position: at the end); (its id,
    its position). Refused if the key or label is taken meanwhile."""
    parent = row.get("parent")
    parent_id = code_id(conn, stem, parent) if parent else None
    position = row.get("position")
    if position is None:
        position = conn.execute(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM codes WHERE codebook_id = ?", [stem]
        ).fetchone()[0]
    try:
        cur = conn.execute(
            "INSERT INTO codes (codebook_id, key, label, definition, source, color, keywords,"
            " parent_id, position, other, published_count, published_base, published_year)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                stem,
                row["key"],
                row["label"],
                row.get("definition", ""),
                row.get("source", ""),
                row["color"],
                json.dumps(list(row.get("keywords") or []), ensure_ascii=False),
                parent_id,
                position,
                int(bool(row.get("other"))),
                row.get("published_count"),
                row.get("published_base"),
                row.get("published_year"),
            ],
        )
    except sqlite3.IntegrityError:
        raise QualcodeError(
            _(
                "codebook '{codebook}' already has a code with the key '{key}' or the label "
                "'{label}'"
            ).format(codebook=stem, key=row["key"], label=row["label"])
        ) from None
    return int(cur.lastrowid or 0), int(position)


def set_code_fields(conn: sqlite3.Connection, stem: str, key: str, fields: dict[str, Any]) -> None:
    """Write label, colour, definition, 'other' and parent (a key, or None) of a code."""
    sets, args = [], []
    for name, value in fields.items():
        if name == "parent":
            sets.append("parent_id = ?")
            args.append(code_id(conn, stem, value) if value else None)
        elif name in ("label", "color", "definition", "other"):
            sets.append(f"{name} = ?")
            args.append(int(value) if name == "other" else value)
    if not sets:
        return
    try:
        conn.execute(
            f"UPDATE codes SET {', '.join(sets)} WHERE codebook_id = ? AND key = ?",
            [*args, stem, key],
        )
    except sqlite3.IntegrityError:
        raise QualcodeError(
            _("codebook '{codebook}' already has a code labelled '{label}'").format(
                codebook=stem, label=fields.get("label")
            )
        ) from None


def child_keys(conn: sqlite3.Connection, code: int) -> list[str]:
    return [
        r[0]
        for r in conn.execute("SELECT key FROM codes WHERE parent_id = ? ORDER BY position", [code])
    ]


def reparent_children(conn: sqlite3.Connection, old_parent: int, new_parent: int) -> None:
    conn.execute("UPDATE codes SET parent_id = ? WHERE parent_id = ?", [new_parent, old_parent])


def reparent(
    conn: sqlite3.Connection, stem: str, key: str, old_parent: int, new_parent: int
) -> None:
    """Move the child ``key`` back under ``new_parent``, if it is still under ``old_parent``."""
    conn.execute(
        "UPDATE codes SET parent_id = ? WHERE codebook_id = ? AND key = ? AND parent_id = ?",
        [new_parent, stem, key, old_parent],
    )


def delete_code(conn: sqlite3.Connection, code: int) -> None:
    conn.execute("DELETE FROM codes WHERE id = ?", [code])


def usage(conn: sqlite3.Connection, code: int) -> int:
    """How many codings use the code (its children's not included)."""
    return int(conn.execute("SELECT COUNT(*) FROM codings WHERE code_id = ?", [code]).fetchone()[0])
