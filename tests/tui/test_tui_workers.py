"""How the workbench's thread workers are written, checked on the source: each says what
the analyst is told when it fails (its ``description``), none can end the app, and they
get their project from one place (``QualcodeApp.worker_project``)."""

from __future__ import annotations

import ast
from pathlib import Path

import qualcode.tui

TUI = Path(qualcode.tui.__file__).parent


def workers() -> list[tuple[str, ast.FunctionDef, dict[str, ast.expr]]]:
    found = []
    for path in sorted(TUI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "work":
                    found.append((path.name, node, {k.arg: k.value for k in deco.keywords}))
    return found


def _text(node: ast.expr) -> str:
    """A text as written: "…", or marked for the catalogue, _("…")."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_":
        (node,) = node.args
    return ast.literal_eval(node)


def test_every_worker_is_a_thread_that_says_what_failed():
    found = workers()
    assert len(found) >= 12
    for name, func, options in found:
        where = f"{name}: {func.name}"
        assert ast.literal_eval(options["thread"]) is True, where
        assert ast.literal_eval(options["exit_on_error"]) is False, where
        description = _text(options["description"])
        # said as '<description>: <why>' in the error notification (QualcodeApp)
        assert description[0].isupper() and not description.endswith((".", ":")), where


def test_workers_get_their_project_from_the_app():
    """Project.open only in the app (its own project, and worker_project) and in the
    import screen's import flow."""
    opening = sorted(
        path.name for path in TUI.rglob("*.py") if "Project.open(" in path.read_text("utf-8")
    )
    assert opening == ["app.py", "import_screen.py"]
    app = (TUI / "app.py").read_text("utf-8")
    assert app.count("Project.open(") == 2
