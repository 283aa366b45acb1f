"""What the crosstab (F7) and its theme matrix share: the head and status lines over the
table, clearing it when a count fails, and the export flow (ask for a file name, then
render and write in a thread worker and say how it went)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.widgets import DataTable, Label, Static

from qualcode.errors import QualcodeError
from qualcode.i18n import translator
from qualcode.tui.screens.base import ProjectScreen
from qualcode.tui.shown import flat

_, _n = translator("tui")


class TableScreen(ProjectScreen):
    """A screen with ``#{PREFIX}-head``, ``#{PREFIX}-status``, ``#{PREFIX}-table`` and
    ``#{PREFIX}-notes``; ``FORMATS`` names its export formats."""

    PREFIX = ""
    FORMATS: dict[str, str] = {}

    def _head(self, text: str) -> None:
        self._line(f"#{self.PREFIX}-head", text)

    def _status(self, text: str) -> None:
        self._line(f"#{self.PREFIX}-status", text)

    def _line(self, selector: str, text: str) -> None:
        self.query_one(selector, Label).update(flat(text, no_wrap=True, overflow="ellipsis"))

    def _cleared(self, status: str) -> None:
        """No table, no notes, and why on the status line."""
        self.query_one(f"#{self.PREFIX}-table", DataTable).clear(columns=True)
        self.query_one(f"#{self.PREFIX}-notes", Static).update("")
        self._status(status)

    def export(self, fmt: str, title: str, default: str, render: Callable[[], bytes]) -> None:
        """Ask for the file (and before overwriting one), then ``render()`` and write it
        in a thread worker: rendering may import pandas or openpyxl."""
        from qualcode.tui.widgets.dialogs import ask_for_file

        ask_for_file(
            self,
            title,
            default,
            lambda path, force: self._export(path, render, self.FORMATS[fmt], force),
            suffix=f".{fmt}",
            dialog_id=f"{self.PREFIX}-export-name",
            confirm_id=f"{self.PREFIX}-overwrite",
        )

    @work(thread=True, group="export", exit_on_error=False, description=_("Eksporten mislykkedes"))
    def _export(self, path: Path, render: Callable[[], bytes], what: str, force: bool) -> None:
        from qualcode.io.export import write_file

        try:
            write_file(path, render(), force=force)
        except QualcodeError as exc:
            why = str(exc)
        except OSError as exc:
            why = str(exc.strerror or exc)
        else:
            self.app.call_from_thread(
                self.notify,
                _("Gemt som {format}: {path}").format(format=what, path=path),
                timeout=4,
            )
            return
        self.app.call_from_thread(
            self.notify,
            _("Kunne ikke gemme {name}: {reason}").format(name=path.name, reason=why),
            severity="error",
            markup=False,
        )
