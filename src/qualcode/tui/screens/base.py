"""What every task screen shares: the app's project."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from qualcode.core.project import Project


class ProjectScreen(Screen):
    """A screen over the app's one project; it calls the core, never SQL."""

    @property
    def project(self) -> Project:
        return self.app.project


def number_bindings(action: str, description: str, *, id: str, tooltip: str) -> list[Binding]:
    """Keys 1-9 calling ``action(n)``: one entry '1-9' in the footer, the rest hidden."""
    out = [Binding("1", f"{action}(1)", description, key_display="1-9", id=id,
                   tooltip=tooltip)]
    out += [Binding(str(n), f"{action}({n})", f"Kode {n}", show=False) for n in range(2, 10)]
    return out
