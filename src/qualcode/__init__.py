"""qualcode: a qualitative-coding workbench for the terminal.

The one API for the CLI, the TUI and notebooks is :class:`qualcode.core.project.Project`::

    from qualcode import Project
    project = Project.open("demo.qualcode.db")
    project.counts("strategier")          # a pandas DataFrame
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Project", "QualcodeError", "__version__"]


def __getattr__(name: str):
    # Lazy, so `import qualcode` (and `qualcode --help`) stays instant.
    if name == "Project":
        from qualcode.core.project import Project

        return Project
    if name == "QualcodeError":
        from qualcode.errors import QualcodeError

        return QualcodeError
    raise AttributeError(name)
