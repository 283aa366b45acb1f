"""Quotes as a Word document, read back with python-docx."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

from qualcode.core.project import Project
from qualcode.io.export import write_file
from qualcode.io.quotes_docx import quotes_docx
from qualcode.models import Quote

FORTRINS = (
    "Ordningen med forrang i ansættelse giver overhovedet ikke mening. Jeg har selv "
    "prøvet det som arbejdsgiver."
)


def quote(
    text: str,
    *,
    label: str = "Fortrinsadgang",
    role: str = "Leder",
    respondent: str = "JC07",
    name: str = "Jobcenter Ådalen",
    number: int = 4,
    question: str = "interview",
    coding_id: int = 1,
) -> Quote:
    return Quote(
        code=label.lower(),
        label=label,
        question=question,
        respondent=respondent,
        respondent_name=name,
        role=role,
        text=text,
        item_id=coding_id,
        item_number=number,
        coding_id=coding_id,
        coder="guld",
        start=None,
        end=None,
        starred=True,
    )


def read(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def test_by_respondent_a_heading_per_theme_italic_quote_with_role_and_source_line():
    quotes = [
        quote(FORTRINS),
        quote(
            "Vi bruger den næsten aldrig.",
            role="Arbejdsmarkedschef",
            respondent="JC21",
            name="Jobcenter Bakkekammen",
            number=8,
            coding_id=2,
        ),
        quote("Hjælpemidler gør udslaget.", label="Hjælpemidler", coding_id=3),
    ]
    doc = read(
        quotes_docx(
            quotes, title="Citater: Temaer i de kvalitative interview", attribute="respondent"
        )
    )
    paras = [(p.style.name, p.text) for p in doc.paragraphs]
    assert paras == [
        ("Heading 1", "Citater: Temaer i de kvalitative interview"),
        ("Heading 2", "Fortrinsadgang"),
        ("Quote", f'"{FORTRINS}" \u2013 Leder'),
        ("Kilde", "JC07 Jobcenter Ådalen, interview, uddrag 4"),
        ("Quote", '"Vi bruger den næsten aldrig." \u2013 Arbejdsmarkedschef'),
        ("Kilde", "JC21 Jobcenter Bakkekammen, interview, uddrag 8"),
        ("Heading 2", "Hjælpemidler"),
        ("Quote", '"Hjælpemidler gør udslaget." \u2013 Leder'),
        ("Kilde", "JC07 Jobcenter Ådalen, interview, uddrag 4"),
    ]
    said, who = doc.paragraphs[2].runs
    assert said.italic is True and said.text == f'"{FORTRINS}"'
    assert who.italic is False and who.text == " \u2013 Leder"
    assert doc.core_properties.title == "Citater: Temaer i de kvalitative interview"
    assert doc.styles["Kilde"].font.size.pt == 9


def test_text_is_marked_danish():
    doc = read(quotes_docx([quote("Æbler, øl og ål.")], title="Citater"))
    lang = doc.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "da-DK"
    assert doc.paragraphs[2].text == '"Æbler, øl og ål." \u2013 Leder'


def test_by_default_no_source_line_and_no_jobcentre_a_survey_answer_stands_alone():
    quotes = [
        quote(FORTRINS),
        quote(
            "Vi har skrevet det ind i planen.",
            label="Beskæftigelsesplan",
            role="",
            question="strategier",
            coding_id=2,
        ),
    ]
    for doc in (
        read(quotes_docx(quotes, title="Citater")),
        read(quotes_docx(quotes, title="Citater", attribute="role")),
    ):
        texts = [p.text for p in doc.paragraphs]
        assert texts == [
            "Citater",
            "Fortrinsadgang",
            f'"{FORTRINS}" \u2013 Leder',
            "Beskæftigelsesplan",
            '"Vi har skrevet det ind i planen."',  # as the report prints survey answers
        ]
        whole = "\n".join(texts)
        assert "Ådalen" not in whole and "JC07" not in whole
    texts = [p.text for p in read(quotes_docx(quotes, title="C", attribute="none")).paragraphs]
    assert texts[2] == f'"{FORTRINS}"' and texts[4] == '"Vi har skrevet det ind i planen."'


def test_an_unknown_attribute_is_refused():
    import pytest

    from qualcode.errors import QualcodeError

    with pytest.raises(QualcodeError, match="role, respondent, none"):
        quotes_docx([quote("x")], title="C", attribute="navn")


def test_the_page_is_a4():
    section = read(quotes_docx([quote("x")], title="C")).sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7


def test_by_respondent_answers_without_role_are_attributed_to_the_jobcentre():
    answer = quote("Fleksjob.", role="", question="strategier")
    doc = read(quotes_docx([answer], title="Citater", attribute="respondent"))
    assert [p.text for p in doc.paragraphs][2:] == [
        '"Fleksjob." \u2013 Jobcenter Ådalen',
        "JC07 Jobcenter Ådalen, strategier",
    ]


def test_no_quotes_is_a_valid_document():
    doc = read(quotes_docx([], title="Citater"))
    assert [p.text for p in doc.paragraphs] == ["Citater", "Ingen citater."]


def test_demo_quotes_round_trip_through_a_file(demo_db, tmp_path):
    with Project.open(demo_db) as p:
        quotes = p.quotes("fortrinsadgang", "interview")
    path = write_file(tmp_path / "citater.docx", quotes_docx(quotes, title="Fortrinsadgang"))
    doc = docx.Document(str(path))
    body = [p for p in doc.paragraphs if p.style.name == "Quote"]
    assert [p.text for p in body] == [q.formatted() for q in quotes]
    assert any("Ordningen med forrang i ansættelse" in p.text for p in body)
