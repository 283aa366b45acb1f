"""Textual's parsed stylesheets, kept from one start of the workbench to the next.

Textual parses the app's stylesheet and every widget's default CSS each time an app
starts: about 30 sheets before the coding screen's first frame, some 45 ms, a tenth of
the start (issue 19). Parsed once, the rules are kept in a file in the user's cache
folder (``QUALCODE_CACHE``, else ``$QUALCODE_HOME/cache``, else the platform's cache
folder), read when the workbench starts (a few ms) and written when it quits, with the
rules that start used.

Each rule list is kept under everything it is parsed from: the CSS text itself, where it
was read from, its place and scope, and the theme's variables (a theme's colours are put
in at parsing); the file's name carries Textual's and Python's versions. So a changed
stylesheet, another theme or another Textual is parsed anew, never read stale. A file that
cannot be read (missing, damaged, another version's) is ignored; one that cannot be
written is skipped: the next start parses again. The file is a pickle of Textual's rule
objects, as private to the user as their other settings.

The tests share parsed CSS between their apps the same way (tests/tui/conftest.py).
"""

from __future__ import annotations

import inspect
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from textual.css.stylesheet import Stylesheet

_PARAMETERS = ["self", "css", "read_from", "is_default_rules", "tie_breaker", "scope"]
_state: dict[str, Any] = {"installed": False, "loaded": {}, "used": {}, "new": False}


def cache_file() -> Path:
    import textual

    folder = os.environ.get("QUALCODE_CACHE")
    if folder:
        base = Path(folder)
    elif os.environ.get("QUALCODE_HOME"):
        base = Path(os.environ["QUALCODE_HOME"]) / "cache"
    else:
        from platformdirs import user_cache_path

        base = user_cache_path("qualcode", appauthor=False)
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    return base / f"textual-css-{textual.__version__}-py{python}.pickle"


def install() -> None:
    """Read the kept rules and parse through them (once per process). Textual's own
    parsing is kept when its signature is not the one this was written for."""
    if _state["installed"]:
        return
    parse_rules = Stylesheet._parse_rules
    if list(inspect.signature(parse_rules).parameters) != _PARAMETERS:
        return
    _state["installed"] = True
    _state["loaded"] = _read(cache_file())
    loaded: dict[tuple, list] = _state["loaded"]
    used: dict[tuple, list] = _state["used"]

    def _parse_rules(
        self: Stylesheet,
        css: str,
        read_from: Any,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list:
        key = (
            css,
            read_from,
            is_default_rules,
            tie_breaker,
            scope,
            tuple(sorted(self._variables.items())),
        )
        rules = used.get(key)
        if rules is None:
            rules = loaded.get(key)
            if rules is None:
                rules = parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
                _state["new"] = True
            used[key] = rules
        return rules

    Stylesheet._parse_rules = _parse_rules  # type: ignore[method-assign]


def save() -> None:
    """Keep the rules this process used, if it parsed any anew (quietly: a cache)."""
    if not _state["new"]:
        return
    _state["new"] = False
    path = cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=path.name, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(_state["used"], fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(name, path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return


def _read(path: Path) -> dict[tuple, list]:
    try:
        with path.open("rb") as fh:
            data = pickle.load(fh)
    except Exception:  # missing, damaged or another version's: parse anew
        return {}
    return data if isinstance(data, dict) else {}
