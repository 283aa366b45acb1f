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
