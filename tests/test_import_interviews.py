"""Importing interview transcripts (TXT, Markdown, DOCX): jobcentre headers, speaker
turns with roles, interviewer turns kept but not counted, and refusals that change
nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import assert_one_line_error, run, snapshot
from qualcode.core.codebook import load_codebook
from qualcode.core.project import Project
from qualcode.errors import ImportError_
from qualcode.io.interviews import parse_transcripts, read_interviews

TXT = """Interviewer: Hvordan arbejder I med ordningerne?
Arbejdsmarkedschef: Vi bruger især hjælpemidler,
og personlig assistance.

Et nyt afsnit om mentorordningen.
I: Tak. Noget om paragraf 56?
Afdelingsleder: Ja, i fastholdelsessager.
"""

MD = """# JC07 Jobcenter Ådalen

**Interviewer:** Hvordan oplever I det lokalpolitiske fokus?

**Arbejdsmarkedschef:** Fokus har været stort.

Det står i beskæftigelsesplanen.

**Interviewer**: Og ordningerne?

__Teamleder__: Hjælpemidler bruger vi mest.

# JC12 – Jobcenter Vesterå

Interviewer: Hvad med ministermålet?
**Arbejdsmarkedschef:** Det har skærpet fokus.
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_docx(path: Path, paragraphs: list[tuple[str, str]]) -> Path:
    """(style, text) paragraphs; style 'heading' makes a Heading 1."""
    import docx

    document = docx.Document()
    for style, text in paragraphs:
        if style == "heading":
            document.add_heading(text, level=1)
        else:
            document.add_paragraph(text)
    document.save(path)
    return path


def import_files(
    project: Project,
    paths: list[Path],
    *,
    split: str = "turn",
    question: str = "interview",
    interviewer: set[str] | None = None,
):
    transcripts, digest = read_interviews(paths, interviewer_labels=interviewer)
    return project.import_interviews(
        transcripts,
        question=question,
        codebook=load_codebook("kompenserende-ordninger"),
        file=", ".join(map(str, paths)),
        sha256=digest,
        split=split,
    )


def turns(project: Project, rid: str, question: str = "interview") -> list[tuple]:
    return [
        (i.number, i.kind, i.speaker_role, i.text)
        for i in project.items(question, respondent=rid, include_interviewer=True)
    ]


# -- formats -------------------------------------------------------------------------


def test_txt_without_header_uses_the_file_stem_and_keeps_roles(tmp_path):
    path = write(tmp_path / "JC50.txt", TXT)
    with Project.open(tmp_path / "p.db", create=True) as p:
        summary = import_files(p, [path])
        assert (summary.respondents_added, summary.items_added) == (1, 4)
        assert turns(p, "JC50") == [
            (1, "interviewer", "Interviewer", "Hvordan arbejder I med ordningerne?"),
            (
                2,
                "excerpt",
                "Arbejdsmarkedschef",
                "Vi bruger især hjælpemidler, og personlig assistance.\n\n"
                "Et nyt afsnit om mentorordningen.",
            ),
            (3, "interviewer", "I", "Tak. Noget om paragraf 56?"),
            (4, "excerpt", "Afdelingsleder", "Ja, i fastholdelsessager."),
        ]
        q = p.question("interview")
        assert (q.kind, q.codebook) == ("interview", "kompenserende-ordninger")
        assert [r.id for r in p.respondents()] == ["JC50"]


def test_interviewer_turns_are_stored_but_not_excerpts(tmp_path):
    path = write(tmp_path / "JC50.txt", TXT)
    with Project.open(tmp_path / "p.db", create=True) as p:
        import_files(p, [path])
        stored = p.db.execute("SELECT kind, COUNT(*) FROM items GROUP BY kind").fetchall()
        assert dict(stored) == {"excerpt": 2, "interviewer": 2}
        assert [i.kind for i in p.items("interview")] == ["excerpt", "excerpt"]
        counts = p.counts("interview")
        assert set(counts["answered"]) == {1}  # one jobcentre interviewed
        # the context around an excerpt still shows the interviewer's question
        first = p.items("interview")[0]
        assert [i.kind for i in p.context(first.id, turns=1)] == [
            "interviewer",
            "excerpt",
            "interviewer",
        ]


def test_custom_interviewer_label(tmp_path):
    path = write(tmp_path / "JC51.txt", "Konsulent: Spørgsmål?\nLeder: Svar.\n")
    with Project.open(tmp_path / "p.db", create=True) as p:
        import_files(p, [path], interviewer={"konsulent"})
        assert [t[1:3] for t in turns(p, "JC51")] == [
            ("interviewer", "Konsulent"),
            ("excerpt", "Leder"),
        ]


def test_markdown_bold_labels_and_several_jobcentres_in_one_file(tmp_path):
    path = write(tmp_path / "interviews.md", MD)
    with Project.open(tmp_path / "p.db", create=True) as p:
        summary = import_files(p, [path])
        assert summary.respondents_added == 2
        assert turns(p, "JC07") == [
            (1, "interviewer", "Interviewer", "Hvordan oplever I det lokalpolitiske fokus?"),
            (
                2,
                "excerpt",
                "Arbejdsmarkedschef",
                "Fokus har været stort.\n\nDet står i beskæftigelsesplanen.",
            ),
            (3, "interviewer", "Interviewer", "Og ordningerne?"),
            (4, "excerpt", "Teamleder", "Hjælpemidler bruger vi mest."),
        ]
        assert turns(p, "JC12") == [
            (1, "interviewer", "Interviewer", "Hvad med ministermålet?"),
            (2, "excerpt", "Arbejdsmarkedschef", "Det har skærpet fokus."),
        ]
        assert p.respondent("JC07").name == "Jobcenter Ådalen"
        assert p.respondent("JC12").name == "Jobcenter Vesterå"
        assert not (
            p.db.execute(
                "SELECT COUNT(*) FROM items WHERE text LIKE '%*%'"
                " OR speaker_role LIKE '%\\_%' ESCAPE '\\'"
            ).fetchone()[0]
        )


def test_docx_heading_is_a_jobcentre_header(tmp_path):
    path = write_docx(
        tmp_path / "interview.docx",
        [
            ("heading", "JC80 Jobcenter Ørsted"),
            ("", "Interviewer: Hvordan bruger I hjælpemidler?"),
            ("", "Afdelingsleder: Meget, især hæve-sænkeborde."),
            ("", "Og skærmprogrammer til ordblinde."),
            ("heading", "JC81 Jobcenter Åby"),
            ("", "Interviewer: Og jer?"),
            ("", "Leder i jobcenter: Mentorordningen."),
        ],
    )
    with Project.open(tmp_path / "p.db", create=True) as p:
        import_files(p, [path])
        assert p.respondent("JC80").name == "Jobcenter Ørsted"
        assert turns(p, "JC80")[1] == (
            2,
            "excerpt",
            "Afdelingsleder",
            "Meget, især hæve-sænkeborde.\n\nOg skærmprogrammer til ordblinde.",
        )
        assert turns(p, "JC81")[1] == (2, "excerpt", "Leder i jobcenter", "Mentorordningen.")


def test_windows_1252_transcript(tmp_path):
    path = write(
        tmp_path / "JC52.txt", "Interviewer: Hvad så?\nLeder: Æbler, øl og ål.\n", encoding="cp1252"
    )
    with Project.open(tmp_path / "p.db", create=True) as p:
        import_files(p, [path])
        assert turns(p, "JC52")[1][3] == "Æbler, øl og ål."


def test_split_paragraph_gives_one_excerpt_per_paragraph(tmp_path, english):
    path = write(tmp_path / "JC50.txt", TXT)
    result = run("import", "interviews", tmp_path / "p.db", path, "--split", "paragraph")
    assert result.exit_code == 0, result.output
    assert "5 items" in result.stdout
    with Project.open(tmp_path / "p.db") as p:
        assert turns(p, "JC50") == [
            (1, "interviewer", "Interviewer", "Hvordan arbejder I med ordningerne?"),
            (
                2,
                "excerpt",
                "Arbejdsmarkedschef",
                "Vi bruger især hjælpemidler, og personlig assistance.",
            ),
            (3, "excerpt", "Arbejdsmarkedschef", "Et nyt afsnit om mentorordningen."),
            (4, "interviewer", "I", "Tak. Noget om paragraf 56?"),
            (5, "excerpt", "Afdelingsleder", "Ja, i fastholdelsessager."),
        ]
        [options] = p.db.execute("SELECT options FROM imports").fetchone()
        assert '"split": "paragraph"' in options


def test_cli_import_interviews_from_several_files(tmp_path):
    files = [
        write(tmp_path / "JC50.txt", TXT),
        write(tmp_path / "jc.md", MD),
        write_docx(tmp_path / "JC80.docx", [("", "Interviewer: Hej?"), ("", "Leder: Hej.")]),
    ]
    result = run(
        "import",
        "interviews",
        tmp_path / "p.db",
        *files,
        "--question",
        "temaer",
        "--codebook",
        "interviewtemaer",
    )
    assert result.exit_code == 0, result.output
    with Project.open(tmp_path / "p.db") as p:
        assert [r.id for r in p.respondents()] == ["JC07", "JC12", "JC50", "JC80"]
        assert p.question("temaer").codebook == "interviewtemaer"
        assert len(p.items("temaer")) == 2 + 2 + 1 + 1


# -- re-imports ----------------------------------------------------------------------


def test_reimport_changes_nothing(tmp_path, english):
    files = [write(tmp_path / "JC50.txt", TXT), write(tmp_path / "jc.md", MD)]
    db = tmp_path / "p.db"
    with Project.open(db, create=True) as p:
        import_files(p, files)
        before = p.snapshot()
        assert not import_files(p, files).changed
        assert p.snapshot() == before
    result = run("import", "interviews", db, *files)
    assert result.exit_code == 0, result.output
    assert "nothing new" in result.stdout
    assert snapshot(db) == before


def test_same_jobcentre_in_two_files_is_refused(tmp_path):
    md = write(tmp_path / "jc.md", MD)
    other = write(tmp_path / "JC07.txt", "Interviewer: Hej?\nLeder: Et andet interview.\n")
    with pytest.raises(ImportError_, match=r"jobcenter 'JC07' er også i .*jc\.md"):
        read_interviews([md, other])
    result = run("import", "interviews", tmp_path / "p.db", md, other)
    assert_one_line_error(result, str(other), "'JC07' er også i", str(md))
    assert not (tmp_path / "p.db").exists()


def test_a_different_transcript_for_an_imported_jobcentre_is_refused(tmp_path, english):
    db = tmp_path / "p.db"
    md = write(tmp_path / "jc.md", MD)
    assert run("import", "interviews", db, md).exit_code == 0
    before = snapshot(db)
    other = write(tmp_path / "JC07.txt", "Interviewer: Hej?\nLeder: Et andet interview.\n")
    new = write(tmp_path / "JC90.txt", "Interviewer: Hej?\nLeder: Helt nyt.\n")
    with Project.open(db) as p, pytest.raises(ImportError_, match="different transcript"):
        import_files(p, [new, other])
    assert snapshot(db) == before  # JC90 was not kept either
    result = run("import", "interviews", db, new, other)
    assert_one_line_error(result, "JC07.txt", "'JC07' already has a different transcript")
    assert snapshot(db) == before


# -- bad transcripts -----------------------------------------------------------------


def test_text_before_the_first_turn_names_the_line(tmp_path):
    path = write(
        tmp_path / "JC60.md",
        "# JC60 Jobcenter Syd\n\nIndledende noter.\nInterviewer: Hej?\nLeder: Hej.\n",
    )
    with pytest.raises(ImportError_) as err:
        parse_transcripts(path)
    assert str(err.value).startswith(f"{path}: linje 3: tekst før den første tur")
    result = run("import", "interviews", tmp_path / "p.db", path)
    assert_one_line_error(result, str(path), "linje 3", "før den første tur")
    assert not (tmp_path / "p.db").exists()


def test_text_before_the_first_turn_in_docx_names_the_paragraph(tmp_path):
    path = write_docx(
        tmp_path / "JC61.docx",
        [("heading", "JC61"), ("", "Noter."), ("", "Interviewer: Hej?"), ("", "Leder: Ja.")],
    )
    with pytest.raises(ImportError_, match="afsnit 2: tekst før den første tur"):
        parse_transcripts(path)


def test_empty_turn_names_the_line(tmp_path):
    path = write(tmp_path / "JC62.txt", "Interviewer: Hej?\nLeder:\nInterviewer: Tak.\n")
    with pytest.raises(ImportError_, match="linje 2: turen for 'Leder' er tom"):
        parse_transcripts(path)


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("empty.txt", b"", "filen er tom"),
        ("blank.md", b"\n  \n", "filen er tom"),
        ("nul.txt", b"Interviewer: hej\x00\x00\x01", "binær fil"),
        ("random.txt", os.urandom(3000) + b"\x00", "binær fil"),
        ("png.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(200), "binær fil"),
        ("noturns.txt", b"Bare noget tekst uden roller.\n", "linje 1"),
        (
            "JC63.txt",
            "Interviewer: Kun spørgsmål?\nI: Ingen svar?\n".encode(),
            "kun interviewerens ture",
        ),
        ("twice.md", b"# JC64\nLeder: a\n# JC64\nLeder: b\n", "'JC64' står to gange"),
        ("header.md", b"# JC65\n\n# JC66\nLeder: b\n", "'JC65' har ingen ture"),
    ],
)
def test_bad_transcripts_are_refused_in_one_line(tmp_path, name, content, needle):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportError_) as err:
        read_interviews([path])
    assert needle in str(err.value) and "\n" not in str(err.value)
    result = run("import", "interviews", tmp_path / "p.db", path)
    assert_one_line_error(result, str(path), needle)
    assert not (tmp_path / "p.db").exists()


def test_truncated_docx_is_refused_and_the_project_unchanged(tmp_path, project, project_path):
    full = write_docx(tmp_path / "full.docx", [("", f"Leder: Afsnit {n} " * 30) for n in range(50)])
    data = full.read_bytes()
    cut = tmp_path / "JC70.docx"
    cut.write_bytes(data[: len(data) // 2])
    before = project.snapshot()
    result = run("import", "interviews", project_path, cut)
    assert_one_line_error(result, str(cut), "kan ikke læses som DOCX-fil")
    assert snapshot(project_path) == before


def test_interviews_into_an_open_question_are_refused(project, project_path, tmp_path, english):
    path = write(tmp_path / "JC01.txt", TXT)
    before = project.snapshot()
    result = run("import", "interviews", project_path, path, "--question", "strategier")
    assert_one_line_error(result, "'strategier' is coded with codebook")
    assert snapshot(project_path) == before
