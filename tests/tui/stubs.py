"""Stand-ins for the slow parts of the workbench, shared by the TUI tests (conftest.py) and
the language walk (walk.py, which runs as a program of its own and cannot use fixtures).

The coding screen's code suggestions load spaCy's pipeline and score every keyword rule in
a worker: seconds of CPU per app, in a test that is about something else."""

from __future__ import annotations


class NoSuggestions:
    """A suggester with no rules and no model: the bar says "Ingen forslag"."""

    model = None
    precision: dict[str, float] = {}

    def __init__(self, project, question: str, coder: str) -> None:
        self.project, self.question, self.coder = project, question, coder

    def for_item(self, item_id: int) -> list:
        return []

    def uncertainty(self, item_ids, *, cancelled=None) -> dict[int, float]:
        return {}


def no_suggester(project, qid: str, coder: str, **_options):
    """What ``qualcode.tui.screens.coding.load_suggester`` returns, with
    :class:`NoSuggestions` for the suggester."""
    return NoSuggestions(project, qid, coder), "", ""


class FixedSuggestions(NoSuggestions):
    """A suggester that offers the same codes on every item, best first, less those the
    coder has put on the item or decided on (the real suggester's own query), so that a
    test knows what the bar shows: no spaCy, no model."""

    CODES = (
        ("fleksjob", 0.9, "model"),
        ("andet", 0.8, "rule"),
        ("beskaeftigelsesplan", 0.7, "model"),
    )

    def for_item(self, item_id: int) -> list:
        from qualcode.nlp.suggest import Suggestion
        from qualcode.store import nlp as nlp_store

        item = self.project.item(item_id)
        book = self.project.codebook(self.project.question(item.question).codebook)
        done = {key for _id, key in nlp_store.decided(self.project.db, self.coder, [item_id])}
        return [
            Suggestion(
                item_id, item.respondent, item.question, key, book.code(key).label, score, source
            )
            for key, score, source in self.CODES
            if key not in done
        ]


def fixed_suggester(project, qid: str, coder: str, **_options):
    """``load_suggester`` with :class:`FixedSuggestions`."""
    return FixedSuggestions(project, qid, coder), "", ""
