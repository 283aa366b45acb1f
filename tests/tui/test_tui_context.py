"""F2 keeps the respondent in view: the register's attributes over every answer, and over
an interview excerpt the interviewer's question before it."""

from __future__ import annotations

from qualcode.core.project import Project
from qualcode.tui.app import make_app

SIZE = (120, 36)


def context_of(app) -> str:
    return str(app.screen.query_one("#item-context").render())


async def test_an_answer_shows_its_respondents_attributes(demo_copy):
    app = make_app(demo_copy, "strategier", coder="ida")
    async with app.run_test(size=(200, 36)):
        item = app.screen.item
        with Project.open(demo_copy, readonly=True) as p:
            attributes = p.respondent(item.respondent).attributes
        assert attributes, "the demo's register has attributes"
        shown = context_of(app)
        for name, value in attributes.items():
            if value.strip():
                assert f"{name}: {value}" in shown


async def test_an_excerpt_shows_the_interviewers_question_before_it(demo_copy):
    app = make_app(demo_copy, "interview", coder="ida")
    async with app.run_test(size=(200, 36)) as pilot:
        for _ in range(3):  # the first excerpts of the first transcript, one after the other
            item = app.screen.item
            with Project.open(demo_copy, readonly=True) as p:
                turns = p.items("interview", respondent=item.respondent, include_interviewer=True)
            asked = [t for t in turns if t.kind == "interviewer" and t.position < item.position]
            assert asked
            question = " ".join(asked[-1].text.split())
            assert context_of(app).startswith(f"Spørgsmål: {question[:60]}")
            await pilot.press("n")
            await pilot.pause()
