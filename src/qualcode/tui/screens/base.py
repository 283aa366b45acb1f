"""What every task screen shares: the app's project, and where its workers report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker

from qualcode.i18n import translator

if TYPE_CHECKING:
    from textual import getters

    from qualcode.core.project import Project
    from qualcode.tui.app import QualcodeApp

_, _n = translator("tui")


class WorkerScreen(Screen):
    """A screen that runs thread workers (every task screen, and the KWIC and import
    dialogs). Textual tells only the screen that started a worker how it went, and that
    message does not bubble: it is passed on to the app, whose one handler reports a
    worker that failed (``QualcodeApp._worker_state_changed``)."""

    if TYPE_CHECKING:
        # ``self.app`` is the QualcodeApp, with its project, question and writes; typed as
        # Textual's own widgets type theirs (imported here only, so no import cycle)
        app = getters.app(QualcodeApp)

    @on(Worker.StateChanged)
    def _pass_worker_state_on(self, event: Worker.StateChanged) -> None:
        self.app.post_message(event)


class ProjectScreen(WorkerScreen):
    """A screen over the app's one project; it calls the core, never SQL."""

    @property
    def project(self) -> Project:
        return self.app.project

    def reload(self) -> None:
        """Redraw from the project; every task screen does it in its own way."""
        raise NotImplementedError

    _shown_stamp: tuple | None = None

    def on_mount(self) -> None:
        """After the screen's own ``on_mount`` (Textual calls a base class's handler after
        the subclass's): what it loaded there is what the project is now, so the first
        :meth:`changed_since_shown` is False and the first showing does not load it twice.
        A screen that loads only when shown checks that it has something to show."""
        self._shown_stamp = self.data_stamp()

    def data_stamp(self) -> tuple:
        """What a task screen shows depends on: the project's last change (anybody's,
        in the log), the question and the coder."""
        return (self.project.last_change(), self.app.question, self.project.coder)

    def changed_since_shown(self) -> bool:
        """Whether the project, the question or the coder changed since the last call (the
        first call: True). Screens ask it when shown again and redraw only if so: coming
        back to a screen then costs a frame, not a reload."""
        stamp = self.data_stamp()
        changed, self._shown_stamp = stamp != self._shown_stamp, stamp
        return changed

    def undo_group(self, group: str, *, redo: bool = False) -> None:
        """Undo (or redo) the coder's latest change of a kind: 'codebook' on F5,
        'consensus' on F6 (F2 undoes codings). Committed before the screen says so."""

        def do(project: Project) -> str:
            change = project.redo(group) if redo else project.undo(group)
            return change.text if change is not None else ""

        def done(message: str) -> None:
            if not message:
                self.notify(
                    _("Intet at gentage.") if redo else _("Intet at fortryde."),
                    severity="warning",
                    timeout=2,
                )
                return
            self.reload()  # every task screen redraws from the project in its own way
            self.notify(message, timeout=3)

        self.app.write(self, do, done)


UNDO_TOOLTIPS = {
    "codebook": _("Undo your latest codebook change (also after a restart)"),
    "consensus": _("Undo your latest consensus change (also after a restart)"),
    "summary": _("Undo your latest summary change (also after a restart)"),
    "attributes": _("Undo your latest change of an attribute's order (also after a restart)"),
}


def undo_bindings(what: str, *, keys: str = "u,ctrl+z", display: str = "u") -> list[Binding]:
    """Undo and redo bindings for a screen whose changes of one kind can be undone
    (``what``: one of the kinds :data:`UNDO_TOOLTIPS` describes)."""
    return [
        Binding(
            keys,
            "undo",
            _("Fortryd"),
            id=f"{what}-undo",
            key_display=display,
            tooltip=UNDO_TOOLTIPS[what],
        ),
        Binding("ctrl+y", "redo", _("Gentag"), id=f"{what}-redo", tooltip=_("Redo what you undid")),
    ]


def number_bindings(action: str, description: str, *, id: str, tooltip: str) -> list[Binding]:
    """Keys 1-9 calling ``action(n)``: one entry '1-9' in the footer, the rest hidden."""
    out = [Binding("1", f"{action}(1)", description, key_display="1-9", id=id, tooltip=tooltip)]
    out += [
        Binding(str(n), f"{action}({n})", _("Kode {n}").format(n=n), show=False)
        for n in range(2, 10)
    ]
    return out
