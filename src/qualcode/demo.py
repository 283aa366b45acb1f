"""The demo project: the 2018 survey round, built from ``data/`` through the real importers.

It also holds five open questions on what the collaboration with each type of external
actor was about (``svar_2018_samarbejde.csv``: answers written for qualcode, coded so
that ``qualcode matrix --questions ... --top 2`` lists Tabel 4's themes per actor in its
order; Tabel 4 prints no counts, so the counts are qualcode's own), and an invented 2017
wave of the three open questions (``svar_2017.csv``, fewer answers, synthetic text written
for qualcode, with gold codings), so that ``qualcode counts --waves`` has two waves to
compare. The 2017 figures are not the report's.

The register, the answers (a SurveyXact-style export: semicolon CSV in Windows-1252),
the gold codings and the interview transcripts are imported exactly as a user would
import them, so the demo doubles as an end-to-end check of the importers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from qualcode.errors import QualcodeError
from qualcode.i18n import translator

_, _n = translator("core")

# question id -> (column in svar_2018.csv, codebook stem, question text from the survey)
OPEN_QUESTIONS = {
    "strategier": (
        "strategier",
        "lokalpolitiske-strategier",
        "Uddyb venligst hovedbudskaberne i de nye lokalpolitiske strategier eller "
        "tilkendegivelser for arbejdet med personer med funktionsnedsættelser/handicap.",
    ),
    "udfordringer-fysiske": (
        "udfordringer_fysiske",
        "udfordringer-fysiske",
        "Uddyb venligst, hvilke udfordringer I især har oplevet i arbejdet med personer med "
        "fysiske funktionsnedsættelser/handicap.",
    ),
    "udfordringer-psykiske": (
        "udfordringer_psykiske",
        "udfordringer-psykiske",
        "Uddyb venligst, hvilke udfordringer I især har oplevet i arbejdet med personer med "
        "psykiske funktionsnedsættelser/handicap.",
    ),
}
# Tabel 4: one open question per type of external actor, all coded with eksterne-aktoerer
# (svar_2018_samarbejde.csv; answers written for qualcode, see data/README.md)
ACTOR_CODEBOOK = "eksterne-aktoerer"
ACTOR_QUESTIONS = {
    "samarbejde-lokale-virksomheder": ("lokale_virksomheder", "Lokale virksomheder"),
    "samarbejde-patientforeninger": (
        "patientforeninger",
        "Patientforeninger eller handicaporganisationer",
    ),
    "samarbejde-socialoekonomiske": (
        "socialoekonomiske_virksomheder",
        "Socialøkonomiske virksomheder",
    ),
    "samarbejde-private-leverandoerer": ("private_leverandoerer", "Private leverandører"),
    "samarbejde-satspulje": (
        "satspuljefinansierede_virksomheder",
        "Satspuljefinansierede virksomheder",
    ),
}
ACTOR_TEXT = (
    "Hvad har samarbejdet med {actor} om indsatser målrettet personer med "
    "funktionsnedsættelser/handicap handlet om i 2018?"
)
# the survey's order of the register's closed answers (qualcode attributes --order)
REGISTER_ORDER = {
    "lokalpolitisk_fokus": [
        "I meget høj grad",
        "I høj grad",
        "I nogen grad",
        "I mindre grad",
        "Ved ikke",
    ],
    "stoerrelse": ["Lille", "Mellem", "Stor"],
}
INTERVIEW_QUESTION = "interview"
INTERVIEW_CODEBOOK = "interviewtemaer"
REGISTER_ATTRS = [
    "region",
    "stoerrelse",
    "lokalpolitisk_fokus",
    "nye_strategier",
    "udfordringer",
    "identifikation",
    "specifikke_indsatser",
    "interviewet",
]
WAVE = "2018"
OLD_WAVE = "2017"  # invented: see data/README.md


def build_demo(
    path: str | Path,
    *,
    data: Path | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Create the demo project at ``path``; refuses to overwrite unless ``force``."""
    from qualcode.core.project import Project
    from qualcode.paths import data_dir
    from qualcode.store import db as store
    from qualcode.store import files

    path = Path(path)
    data = data or data_dir()
    if not (data / "svar_2018.csv").is_file():
        raise QualcodeError(_("the demo data is missing"), file=str(data))
    if path.exists() and not force:
        raise QualcodeError(_("already exists; use --force to rebuild it"), file=str(path))
    say = progress or (lambda _msg: None)
    # built under a private name; a failed build leaves nothing behind
    target = path if not path.exists() else files.private_name(path, "demo")
    with Project.building(target, coder="guld") as project:
        _fill(project, data, say)
    if target != path:
        # --force over a project that may be open elsewhere (a workbench on the demo):
        # copied in through SQLite, under its locks, never a file swapped under it
        try:
            source = store.open_file(target)
            try:
                store.copy_into(source, path)
            except QualcodeError:  # not an SQLite file: nobody can have it open as one
                source.close()
                os.replace(target, path)
            finally:
                source.close()
        finally:
            files.discard(target)
    return path


def _fill(project, data: Path, say: Callable[[str], None]) -> None:
    from qualcode.core.codebook import load_codebook
    from qualcode.core.matrix import set_value_order
    from qualcode.core.waves import import_answers_wave, set_wave, wave_question_id
    from qualcode.io.answers import read_answers
    from qualcode.io.codings import read_codings
    from qualcode.io.interviews import read_interviews

    say(_("{file}: the register of {n} jobcentres").format(file="jobcentre.csv", n=82))
    project.import_answers(
        read_answers(
            str(data / "jobcentre.csv"),
            respondent_col="jobcenter_id",
            name_col="navn",
            attr_cols=REGISTER_ATTRS,
        )
    )
    for attribute, values in REGISTER_ORDER.items():
        set_value_order(project, attribute, values)
    say(_("{file}: open answers (semicolon CSV, Windows-1252)").format(file="svar_2018.csv"))
    project.import_answers(
        read_answers(
            str(data / "svar_2018.csv"),
            respondent_col="jobcenter_id",
            text_cols=[col for col, _s, _t in OPEN_QUESTIONS.values()],
            questions=list(OPEN_QUESTIONS),
            codebooks=[stem for _c, stem, _t in OPEN_QUESTIONS.values()],
            project=project,
        )
    )
    for qid, (_col, _stem, text) in OPEN_QUESTIONS.items():
        project.set_question_text(qid, text)
        set_wave(project, qid, WAVE)
    say(_("{folder}: {n} transcripts").format(folder="interviews/", n=15))
    files: list[str | Path] = sorted((data / "interviews").glob("JC*.md"))
    transcripts, digest = read_interviews(files)
    project.import_interviews(
        transcripts,
        question=INTERVIEW_QUESTION,
        codebook=load_codebook(INTERVIEW_CODEBOOK),
        file=str(data / "interviews"),
        sha256=digest,
    )
    say(
        _(
            "{file}: an invented 2017 wave of the open questions (synthetic, not the "
            "report's figures)"
        ).format(file="svar_2017.csv")
    )
    old_ids = [wave_question_id(project, qid, OLD_WAVE) for qid in OPEN_QUESTIONS]
    import_answers_wave(
        project,
        read_answers(
            str(data / "svar_2017.csv"),
            respondent_col="jobcenter_id",
            text_cols=[col for col, _s, _t in OPEN_QUESTIONS.values()],
            questions=old_ids,
            codebooks=[stem for _c, stem, _t in OPEN_QUESTIONS.values()],
            project=project,
        ),
        OLD_WAVE,
        dict(zip(old_ids, OPEN_QUESTIONS, strict=True)),
    )
    for qid, (_col, _stem, text) in zip(old_ids, OPEN_QUESTIONS.values(), strict=True):
        project.set_question_text(qid, text)
    say(
        _("{file}: what the collaboration with each type of actor was about").format(
            file="svar_2018_samarbejde.csv"
        )
    )
    project.import_answers(
        read_answers(
            str(data / "svar_2018_samarbejde.csv"),
            respondent_col="jobcenter_id",
            text_cols=[col for col, _a in ACTOR_QUESTIONS.values()],
            questions=list(ACTOR_QUESTIONS),
            codebooks=[ACTOR_CODEBOOK] * len(ACTOR_QUESTIONS),
            project=project,
        )
    )
    for qid, (_col, actor) in ACTOR_QUESTIONS.items():
        project.set_question_text(qid, ACTOR_TEXT.format(actor=actor.lower()))
        set_wave(project, qid, WAVE)
    for name in (
        "gold_codings.csv",
        "gold_codings_interviews.csv",
        "gold_codings_2017.csv",
        "gold_codings_samarbejde.csv",
    ):
        say(_("{file}: gold codings").format(file=name))
        rows, table = read_codings(str(data / name), default_coder="guld")
        project.import_codings(rows, file=table.file, sha256=table.sha256)


def demo_path() -> Path:
    from qualcode.paths import user_data_dir

    return user_data_dir() / "demo.qualcode.db"
