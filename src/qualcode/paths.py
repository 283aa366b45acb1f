"""Where qualcode finds its bundled codebooks and demo data, and where it keeps user data.

Resolved in functions (never at import time); each has an environment override.
"""

from __future__ import annotations

import os
from pathlib import Path


def _bundled(installed_name: str, repo_name: str) -> Path:
    # A wheel carries the folders inside the package; an editable install (or a
    # checkout on sys.path) finds them at the repository's root.
    package = Path(__file__).resolve().parent
    inside = package / installed_name
    if inside.is_dir():
        return inside
    return package.parent.parent / repo_name


def codebooks_dir() -> Path:
    """The folder of bundled codebook YAML files (QUALCODE_CODEBOOKS overrides)."""
    env = os.environ.get("QUALCODE_CODEBOOKS")
    return Path(env) if env else _bundled("_codebooks", "codebooks")


def data_dir() -> Path:
    """The folder of the bundled demo data (QUALCODE_DEMO_DATA overrides)."""
    env = os.environ.get("QUALCODE_DEMO_DATA")
    return Path(env) if env else _bundled("_data", "data")


def user_data_dir() -> Path:
    """Where the demo project lives for a bare `qualcode` (QUALCODE_HOME overrides)."""
    env = os.environ.get("QUALCODE_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_path

    return user_data_path("qualcode", appauthor=False)


def user_settings_file() -> Path:
    """The user's own settings (the workbench's theme): ``settings.toml`` in the user's
    config folder; QUALCODE_CONFIG names another file, and with QUALCODE_HOME set it is
    kept there (so tests and CI never touch a real home folder)."""
    env = os.environ.get("QUALCODE_CONFIG")
    if env:
        return Path(env)
    home = os.environ.get("QUALCODE_HOME")
    if home:
        return Path(home) / "settings.toml"
    from platformdirs import user_config_path

    return user_config_path("qualcode", appauthor=False) / "settings.toml"


def default_coder() -> str:
    """The coder name for new codings: QUALCODE_CODER, else the OS user."""
    return os.environ.get("QUALCODE_CODER") or os_user()


def os_user() -> str:
    """The name the operating system knows the user by ("analytiker" if it knows none):
    the workbench remembers each user's chosen coder name under it."""
    import getpass

    try:
        return getpass.getuser() or "analytiker"
    except Exception:  # no user name in some containers
        return "analytiker"


def models_folder(project_path: str | Path) -> Path:
    """The suggestion models of a project: ``PROJECT.db.models/`` beside the file."""
    path = Path(project_path)
    return path.with_name(path.name + ".models")
