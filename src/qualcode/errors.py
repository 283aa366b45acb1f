"""Errors a user can fix. The CLI prints them as one line and exits 1."""

from __future__ import annotations

from qualcode.i18n import translator

_, _n = translator("core")


class QualcodeError(Exception):
    """A problem with the user's input, file or request (not a bug).

    The message is one line and names the file, row and column where it can, in the
    language in use when it is raised (the caller gives ``message`` translated; "row" and
    "column" are translated here); ``file``, ``row`` and ``column`` stay as given.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.detail = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(_("row {row}").format(row=self.row))
        if self.column:
            where.append(_("column '{column}'").format(column=self.column))
        prefix = ", ".join(where)
        text = " ".join(self.detail.split())  # always one line
        return f"{prefix}: {text}" if prefix else text


class CodebookError(QualcodeError):
    """A codebook YAML file is malformed or inconsistent."""


class ImportError_(QualcodeError):
    """An import was refused; the project was left unchanged."""


class NotFound(QualcodeError):
    """A question, code, item or respondent that does not exist."""


class WriterBusy(QualcodeError):
    """Another program held the project's write lock for longer than this one would wait."""
