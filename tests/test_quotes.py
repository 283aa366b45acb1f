"""Quotes: coded excerpts with jobcentre and role, printed as the report prints them."""

from __future__ import annotations

import pytest

from qualcode.core.project import Project
from qualcode.errors import NotFound

FORTRINS = (
    "Ordningen med forrang i ansættelse giver overhovedet ikke mening. Jeg har selv "
    "prøvet det som arbejdsgiver. Det er helt ved siden af. Det stiller forventninger i "
    "udsigt hos borgeren, men er spild af tid. Jeg er temmelig frustreret over den "
    "ordning."
)


def test_report_quote_comes_back_with_role(demo_db):
    with Project.open(demo_db) as p:
        quotes = p.quotes("fortrinsadgang")
    texts = [q.text for q in quotes]
    assert FORTRINS in texts
    q = quotes[texts.index(FORTRINS)]
    assert q.role == "Leder"
    assert q.formatted() == f'"{FORTRINS}" \u2013 Leder'
    assert q.question == "interview"


def test_quotes_by_label_include_children(demo_db):
    with Project.open(demo_db) as p:
        parent = p.quotes("Personlig assistance")
        child = p.quotes("pa-arbejde")
    assert child and {q.coding_id for q in child} <= {q.coding_id for q in parent}
    assert all(q.role for q in parent)


def test_quotes_from_open_answers_have_the_whole_answer(project):
    it = project.items("strategier", respondent="JC02")[0]
    project.add_coding(it.id, "beskaeftigelsesplan")
    (q,) = project.quotes("beskaeftigelsesplan")
    assert q.text == it.text and q.respondent == "JC02" and q.role == ""


def test_unknown_code_is_an_error(project, english):
    with pytest.raises(NotFound, match="no code"):
        project.quotes("findes-ikke")


def test_markdown_never_names_the_jobcentre_by_default(project):
    from qualcode.io.export import quotes_markdown

    it = project.items("strategier", respondent="JC02")[0]
    project.add_coding(it.id, "beskaeftigelsesplan")
    text = quotes_markdown(project.quotes("beskaeftigelsesplan"))
    assert "JC02" not in text and f'"{it.text}"\n' in text and " – " not in text
    named = quotes_markdown(project.quotes("beskaeftigelsesplan"), attribute="respondent")
    assert "JC02" in named
