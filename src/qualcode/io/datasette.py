"""The Datasette metadata file ``qualcode serve`` runs Datasette with: titles and
descriptions for the views, every table hidden, the canned queries and the full-text
search of the answers (Datasette 0.65's ``metadata.json``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qualcode.i18n import translator
from qualcode.store import publish

_, _n = translator("io")

# view -> the columns its page shows facets of (each counts the view once more)
FACETS = {"theme_counts": ["question", "coder"], "starred_quotes": ["question", "code"]}


# view -> (title, description, column descriptions), in the language in use
def view_texts() -> dict[str, tuple[str, str, dict[str, str]]]:
    """The views qualcode describes: their titles, descriptions and columns."""
    item = _("The item's number within the respondent's answer or interview.")
    role = _("The speaker's role in an interview.")
    return {
        "theme_counts": (
            _("Counts per theme"),
            _(
                "How many respondents mention each theme of each question, counted as "
                "'qualcode counts' counts: distinct respondents, a theme's sub-themes counted "
                "in it, empty answers left out. One row per question, theme and coder; the "
                "coder '*' is every coder together."
            ),
            {
                "question": _("The question's id."),
                "wave": _("The survey round ('2018'), empty when not set."),
                "series": _("The id every wave of the same question shares."),
                "codebook": _("The codebook the question is coded with."),
                "code": _("The theme's key."),
                "label": _("The theme as the codebook names it."),
                "position": _("The theme's place in the codebook."),
                "coder": _("Whose codings are counted; '*' is every coder together."),
                "respondents": _("Respondents who mention the theme (or one of its sub-themes)."),
                "answered": _("Respondents who gave a non-empty answer to the question."),
                "percent": _("respondents of answered, in per cent (halves rounded up)."),
            },
        ),
        "coded_passages": (
            _("All coded passages"),
            _(
                "Every coding: the passage of the answer or interview turn that a coder coded "
                "with a theme (the whole text when the whole item was coded), starred or not."
            ),
            {
                "coding": _("The coding's id."),
                "item": item,
                "role": role,
                "start": _("Where the passage starts in the item's text (empty: the whole item)."),
                "end": _("Where the passage ends."),
                "text": _("The coded passage."),
                "starred": _("1 when an analyst starred it as a quote worth using."),
                "origin": _("Where the coding came from: typed (empty), 'rule' or 'model'."),
            },
        ),
        "starred_quotes": (
            _("Starred quotes"),
            _(
                "Only the coded passages an analyst starred as quotes worth using, by "
                "question and respondent."
            ),
            {"text": _("The starred passage."), "coding": _("The coding's id.")},
        ),
        "answers": (
            _("Answers (searchable)"),
            _(
                "Every non-empty answer and interview turn, with its respondent. Search finds "
                "the texts holding every word typed, as whole words (fleksjob does not find "
                "fleksjobbet; {letters} are letters of their own); with _searchmode=raw in "
                'the address FTS5\'s OR, NOT, "phrases" and prefix* work too.'
            ).format(letters="æ, ø, å"),
            {
                "id": _("The item's id."),
                "item": item,
                "kind": _("answer, excerpt (an interviewee's turn) or interviewer."),
                "role": role,
            },
        ),
        "codings_readable": (
            _("codings_readable (old name)"),
            _(
                "The same as 'All coded passages' (coded_passages), under its old name, for "
                "queries written before it was renamed."
            ),
            {},
        ),
        "quotes": (
            _("quotes (old name)"),
            _(
                "The same as 'Starred quotes' (starred_quotes), under its old name, for "
                "queries written before it was renamed."
            ),
            {},
        ),
    }


def query_texts() -> dict[str, tuple[str, str]]:
    """The canned queries' titles and descriptions (their SQL is in the store)."""
    return {
        "counts_per_question": (
            _("Counts for one question"),
            _(
                "The themes of one question (its id, e.g. strategier), as 'qualcode counts "
                "--question' shows them. Leave coder empty for the project's basis (see "
                "'qualcode basis'), else every coder together; '*' is every coder together."
            ),
        ),
        "quotes_per_theme": (
            _("Quotes for one theme"),
            _(
                "Every coded passage of a theme (its key or its label; its sub-themes "
                "included), starred ones first. Leave question empty for every question whose "
                "codebook has the theme; put anything in only_starred for the starred ones "
                "alone."
            ),
        ),
    }


def database_name(path: str | Path) -> str:
    """The name Datasette gives the project's database (the file name without its last
    suffix: projekt.qualcode.db is projekt.qualcode)."""
    return Path(path).stem


_URL_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def url_name(name: str) -> str:
    """A database or table name as it stands in Datasette's addresses (its "tilde
    encoding": projekt.qualcode is projekt~2Equalcode, a space is +)."""
    return "".join(
        chr(b) if b in _URL_SAFE else "+" if b == 0x20 else f"~{b:02X}"
        for b in name.encode("utf-8")
    )


def metadata(
    path: str | Path, *, tables: list[str], views: list[str], noun: str = "respondents"
) -> dict[str, Any]:
    """Datasette's metadata for the project at ``path``: ``tables`` all hidden, ``views``
    described (those qualcode does not know by name are listed as they are)."""
    name = database_name(path)
    searched, key, fts = publish.search_index()
    described: dict[str, Any] = {t: {"hidden": True} for t in tables}
    known = view_texts()
    for view in views:
        if view not in known:
            continue
        title, description, columns = known[view]
        entry: dict[str, Any] = {"title": title, "description": description}
        if columns:
            entry["columns"] = columns
        if view in FACETS:
            entry["facets"] = FACETS[view]
        if view == searched:
            entry["fts_table"] = fts
            entry["fts_pk"] = key
        described[view] = entry
    queries = {
        qname: {"title": title, "description": description, "sql": publish.QUERIES[qname]}
        for qname, (title, description) in query_texts().items()
    }
    return {
        "title": f"qualcode: {Path(path).name}",
        "description": _(
            "A qualcode project, read-only: themes counted in {units}, coded passages, "
            "starred quotes and the answers, searchable. Change it in qualcode."
        ).format(units=noun),
        "databases": {
            name: {
                "description": _(
                    "The views are the project's published face; its tables are hidden "
                    "(and still readable with SQL)."
                ),
                "tables": described,
                "queries": queries,
            }
        },
    }


def write_metadata(target: Path, data: dict[str, Any]) -> Path:
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return target
