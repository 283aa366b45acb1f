"""What every task screen shares: the app's project."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from qualcode.core.project import Project


class ProjectScreen(Screen):
    """A screen over the app's one project; it calls the core, never SQL."""

    @property
    def project(self) -> Project:
        return self.app.project
