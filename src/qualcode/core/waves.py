"""Survey waves: the same open question asked in several rounds (2017, 2018, ...).

Each wave of a question is a question of its own (ids stay unique: ``strategier`` and
``strategier-2017``) carrying its wave and the *series* id shared by all its waves
(``questions.wave`` and ``questions.series``; an empty series means the question's own
id). Counts of the waves are compared per code: each wave's share, and the change from
the previous wave to the newest in percentage points, as the report compares 2018 with
2017.

How ``import answers --wave W --question Q`` names the question (see
:func:`wave_question_id`): ``Q`` names the series; the answers go to the question of
series ``Q`` already in wave ``W`` if there is one, else to ``Q`` itself if the project
has no question ``Q`` yet, else to ``Q-W``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from qualcode.core.numbers import round_half_up
from qualcode.errors import NotFound, QualcodeError
from qualcode.i18n import translator
from qualcode.store import questions as question_store

_, _n = translator("core")

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.core.importer import AnswerTable, Progress
    from qualcode.core.project import Project
    from qualcode.models import ImportSummary

_WAVE_RE = re.compile(r"^[\w.-]{1,40}$")


def wave_sort_key(wave: str) -> tuple[tuple[int, int, str], ...]:
    """'2017' < '2018' < '2018b'; numbers inside a wave name compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"\d+|\D+", wave)
    )


def check_wave(wave: str) -> str:
    wave = wave.strip()
    if not _WAVE_RE.match(wave):
        raise QualcodeError(
            _(
                "wave '{wave}' is not a valid wave name (letters, digits, '.', "
                "'-' or '_', at most 40 characters, e.g. 2017)"
            ).format(wave=wave)
        )
    return wave


def _questions(project: Project) -> list[tuple[str, str, str]]:
    """(question id, wave, series) of every question in order, the series the question's
    own id where it is stored empty."""
    return [(qid, wave, series or qid) for qid, wave, series in question_store.waves(project.db)]


def waves(project: Project) -> list[str]:
    """Every wave in the project, oldest first (questions without a wave are left out)."""
    found = dict.fromkeys(w for _q, w, _s in _questions(project) if w)
    return sorted(found, key=wave_sort_key)


def question_wave(project: Project, qid: str) -> tuple[str, str]:
    """(wave, series) of a question; the series is the question's own id when not set."""
    for q, wave, series in _questions(project):
        if q == qid:
            return wave, series
    project.question(qid)  # raises NotFound with the list of questions
    raise NotFound(_("no question '{question}' in the project").format(question=qid))


def series_waves(project: Project, qid: str) -> list[tuple[str, str]]:
    """(wave, question id) of every wave of the question's series, oldest first.

    Empty when the question itself has no wave."""
    wave, series = question_wave(project, qid)
    if not wave:
        return []
    members = [(w, q) for q, w, s in _questions(project) if s == series and w]
    return sorted(members, key=lambda r: wave_sort_key(r[0]))


def series_list(project: Project) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every series with its (wave, question id) pairs, oldest wave first, in question
    order; questions without a wave are a series of one with the wave ''."""
    out: dict[str, list[tuple[str, str]]] = {}
    for qid, wave, series in _questions(project):
        out.setdefault(series, []).append((wave, qid))
    return [(s, sorted(members, key=lambda r: wave_sort_key(r[0]))) for s, members in out.items()]


def current_questions(project: Project) -> list[str]:
    """The question ids to show by default: every question, except the older waves of a
    question asked in several waves (those are shown with ``--waves`` or by id)."""
    older: set[str] = set()
    for _series, members in series_list(project):
        waved = [q for w, q in members if w]
        older.update(waved[:-1])
    return [q.id for q in project.questions() if q.id not in older]


def wave_question_id(project: Project, series: str, wave: str) -> str:
    """The question id that answers for ``series`` in ``wave`` go to (the rule in the
    module docstring)."""
    wave = check_wave(wave)
    questions = _questions(project)
    for qid, w, s in questions:
        if s == series and w == wave:
            return qid
    taken = any(qid == series for qid, _w, _s in questions)
    return f"{series}-{wave}" if taken else series


def _assign(project: Project, qid: str, wave: str, series: str) -> bool:
    """Give a question its wave and series (inside the caller's transaction); False if it
    had them already."""
    stored = {q: (w, s) for q, w, s in question_store.waves(project.db)}
    if qid not in stored:
        raise NotFound(_("no question '{question}' in the project").format(question=qid))
    old_wave, old_series = stored[qid]
    stored_series = "" if series == qid else series
    if (old_wave, old_series) == (wave, stored_series):
        return False
    clash = next(
        (q for q, (w, s) in stored.items() if (s or q) == series and w == wave and q != qid),
        None,
    )
    if wave and clash is not None:
        raise QualcodeError(
            _("question '{question}' is already wave {wave} of '{series}'").format(
                question=clash, wave=wave, series=series
            )
        )
    question_store.set_wave(project.db, qid, wave, stored_series)
    project.log(
        "question.wave",
        question=qid,
        wave=wave,
        series=series,
        before={"wave": old_wave, "series": old_series or qid},
    )
    return True


def set_wave(project: Project, qid: str, wave: str, *, series: str | None = None) -> bool:
    """Put an existing question in a wave (and series; default: keep its series). An
    empty ``wave`` takes it out of its wave. False if nothing changed."""
    wave = check_wave(wave) if wave.strip() else ""
    _old_wave, old_series = question_wave(project, qid)
    series = (series or "").strip() or old_series
    with project.transaction():
        return _assign(project, qid, wave, series)


def import_answers_wave(
    project: Project,
    table: AnswerTable,
    wave: str,
    series: dict[str, str],
    *,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import answers (read with the ids from :func:`wave_question_id`) and put their
    questions in ``wave`` under their series, all in one transaction."""
    wave = check_wave(wave)
    with project.transaction():
        summary = project.import_answers(table, progress=progress)
        for qid, _col, _book in table.questions:
            _assign(project, qid, wave, series.get(qid, qid))
    return summary


# -- comparing waves ------------------------------------------------------------------


def wave_comparison(
    project: Project, question: str, *, coder: str | None = None
) -> pd.DataFrame | None:
    """Per code: each wave's count, base and share, oldest first, and ``change_pp`` (the
    newest wave minus the one before it, in percentage points).

    Columns ``code``, ``label``, then ``n_{w}``, ``base_{w}``, ``pct_{w}`` per wave, and
    ``change_pp``; ``attrs["waves"]`` lists the waves. None when the question has no
    other wave. A code only one wave's codebook has is empty in the other waves.
    """
    import pandas as pd

    members = series_waves(project, question)
    if len({w for w, _q in members}) < 2:
        return None
    frames = {w: project.counts(qid, coder=coder) for w, qid in members}
    wave_names = [w for w, _q in members]
    newest = frames[wave_names[-1]]
    order: list[str] = list(newest["code"])
    labels: dict[str, str] = dict(zip(newest["code"], newest["label"], strict=True))
    for w in reversed(wave_names[:-1]):
        for key, label in zip(frames[w]["code"], frames[w]["label"], strict=True):
            if key not in labels:
                order.append(key)
                labels[key] = label
    rows = []
    for key in order:
        row: dict[str, Any] = {"code": key, "label": labels[key]}
        for w in wave_names:
            f = frames[w]
            hit = f[f["code"] == key]
            base = int(f["answered"].iloc[0]) if len(f) else 0
            if len(hit):
                pct = hit["percent"].iloc[0]
                row[f"n_{w}"] = int(hit["respondents"].iloc[0])
                row[f"pct_{w}"] = None if pd.isna(pct) else float(pct)
            else:
                row[f"n_{w}"] = None
                row[f"pct_{w}"] = None
            row[f"base_{w}"] = base
        new, prev = row[f"pct_{wave_names[-1]}"], row[f"pct_{wave_names[-2]}"]
        row["change_pp"] = None if new is None or prev is None else round_half_up(new - prev, 1)
        rows.append(row)
    columns = ["code", "label"]
    for w in wave_names:
        columns += [f"n_{w}", f"base_{w}", f"pct_{w}"]
    columns.append("change_pp")
    frame = pd.DataFrame(rows, columns=columns)
    for w in wave_names:
        frame[f"n_{w}"] = frame[f"n_{w}"].astype("Int64")
        frame[f"base_{w}"] = frame[f"base_{w}"].astype("Int64")
        frame[f"pct_{w}"] = frame[f"pct_{w}"].astype("Float64")
    frame["change_pp"] = frame["change_pp"].astype("Float64")
    _wave, series = question_wave(project, question)
    frame.attrs.update(
        {
            "waves": wave_names,
            "series": series,
            "question": members[-1][1],
            "questions": {w: q for w, q in members},
            "title": newest.attrs.get("title", ""),
            "kind": newest.attrs.get("kind", "open"),
            "coder": coder or "",
            "noun_plural": project.noun().plural,
        }
    )
    return frame


def comparable_questions(project: Project) -> list[str]:
    """The newest question of every series asked in two or more waves."""
    out = []
    for _series, members in series_list(project):
        waved = [(w, q) for w, q in members if w]
        if len({w for w, _q in waved}) >= 2:
            out.append(waved[-1][1])
    return out
