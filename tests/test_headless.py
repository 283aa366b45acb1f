"""The core never imports Textual, and `qualcode --help` loads no heavy library."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import qualcode

HEADLESS = ("core", "store", "io", "nlp")


def _modules(package: str) -> list[str]:
    pkg = __import__(f"qualcode.{package}", fromlist=["x"])
    names = [f"qualcode.{package}"]
    names += [f"qualcode.{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)]
    return names


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_headless_packages_do_not_import_textual():
    modules = [m for p in HEADLESS for m in _modules(p)]
    modules += ["qualcode.demo", "qualcode.errors", "qualcode.paths"]
    assert len(modules) > 10
    loaded = _loaded_after(
        "\n".join(f"import {m}" for m in modules) + "\nfrom qualcode.core.project import Project"
    )
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_help_is_light():
    loaded = _loaded_after("from qualcode.cli import cli")
    heavy = {"pandas", "spacy", "textual", "openpyxl", "docx", "sqlite_utils", "yaml"}
    assert not heavy & {m.split(".")[0] for m in loaded}


def test_package_has_version():
    assert qualcode.__version__
