"""The user's own settings file (TOML): what belongs to the person, not to a project, such
as the workbench's theme. Per project and user (the coder, the last question) lives in the
project file instead.

A flat table of strings. A file that cannot be read is left alone: it is not written
over, and the settings it would hold are the defaults (the caller says so once).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from qualcode.paths import user_settings_file


class Unreadable(Exception):
    """The settings file exists but is not TOML qualcode can read."""


def load(path: Path | None = None) -> dict[str, str]:
    """The settings as strings ({} when there is no file); Unreadable if it is broken."""
    import tomllib

    path = path or user_settings_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise Unreadable(f"{path}: {exc}") from None
    return {str(k): str(v) for k, v in data.items() if isinstance(v, (str, int, float, bool))}


def save(updates: dict[str, str], path: Path | None = None) -> Path:
    """Merge ``updates`` into the file, written whole (a temporary file renamed over it).
    Unreadable if the file is there but broken: it is never written over."""
    path = path or user_settings_file()
    settings = {**load(path), **updates}
    # TOML basic strings are JSON strings for the characters these values hold
    text = "".join(
        f"{key} = {json.dumps(value, ensure_ascii=False)}\n"
        for key, value in sorted(settings.items())
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".settings.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
