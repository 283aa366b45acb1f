"""One language at a time: Danish or English, through gettext catalogues.

Every text a user reads goes through a catalogue: ``_("…")`` for a message, ``_n(one,
many, n)`` where a number decides the form. The catalogues live in ``qualcode/locale``,
one domain per part of the program (``cli``, ``tui``, ``core``, ``io``), each in Danish
and English; the ``.po`` files are the source, compiled to ``.mo`` when qualcode is built
or installed (``hatch_build.py``). A module takes the translators of its own domain::

    from qualcode.i18n import translator

    _, _n = translator("cli")

Which language: ``QUALCODE_LANG`` (``da`` or ``en``), then the language remembered in the
user's settings file (the workbench's choice), then ``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES`` and ``LANG``, then Danish. It is decided on first use and kept for the
process (the CLI's help and the workbench's key descriptions are read when their modules
are imported); :func:`use` changes it, for tests and for a program that chooses.

A library that looks up its own words with the standard library's gettext (click: "Usage:",
"Missing argument") would read them in the locale's language; :func:`install` gives its
modules a catalogue of qualcode's instead (the ``click`` domain), in qualcode's language.

``QUALCODE_LANG=qps`` is a pseudo-language for tests: the Danish text wrapped in ⟦ ⟧, so
that a text on screen that is not wrapped did not come through a catalogue.

Imports nothing of qualcode but :mod:`qualcode.paths`, and nothing heavy.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

LANGUAGES = ("da", "en")
DEFAULT = "da"
PSEUDO = "qps"  # wraps the Danish text: see the module's docstring
# click: click's own words, its texts in qualcode's catalogues (see install)
DOMAINS = ("cli", "tui", "core", "io", "click")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
NAMES = {"da": "dansk", "en": "English"}

_state: dict[str, str] = {}
_catalogues: dict[tuple[str, str], _gettext.NullTranslations] = {}


def _from_locale(value: str) -> str | None:
    """'da_DK.UTF-8' -> 'da', 'en_GB:da' -> 'en', 'C' -> None."""
    for part in value.split(":"):
        code = part.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
        if code in LANGUAGES or code == PSEUDO:
            return code
    return None


def _remembered() -> str | None:
    """The language the user chose in the workbench (``language`` in the settings file),
    or None. A file that cannot be read chooses nothing (the workbench says so)."""
    from qualcode.paths import user_settings_file

    try:
        text = user_settings_file().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    import tomllib  # only for a file there is (every command's start asks)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    value = data.get("language")
    return value if isinstance(value, str) and value in LANGUAGES else None


def resolve() -> str:
    """The language the environment and the user's settings ask for (see the module)."""
    env = os.environ.get("QUALCODE_LANG", "").strip()
    if env:
        chosen = _from_locale(env)
        if chosen:
            return chosen
    remembered = _remembered()
    if remembered:
        return remembered
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip()
        if value:
            chosen = _from_locale(value)
            if chosen:
                return chosen
            if name != "LANGUAGE":
                break  # the first locale variable that is set decides, as in POSIX
    return DEFAULT


def language() -> str:
    """The language in use: 'da' or 'en' (or the pseudo-language 'qps')."""
    lang = _state.get("lang")
    if lang is None:
        lang = _state["lang"] = resolve()
    return lang


def use(lang: str | None) -> None:
    """Use ``lang`` from now on ('da', 'en' or 'qps'); None decides again from the
    environment and the settings file. (Texts already read, such as the CLI's help, keep
    the language they were read in.)"""
    if lang is None:
        _state.pop("lang", None)
        return
    if lang not in LANGUAGES and lang != PSEUDO:
        raise ValueError(f"unknown language {lang!r} (use {' or '.join(LANGUAGES)})")
    _state["lang"] = lang


def numbers_language() -> str:
    """The language numbers are written in: the pseudo-language writes them as Danish."""
    lang = language()
    return DEFAULT if lang == PSEUDO else lang


def catalogue(domain: str, lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``domain`` in ``lang`` (read once)."""
    key = (domain, lang)
    found = _catalogues.get(key)
    if found is None:
        if domain not in DOMAINS:
            raise ValueError(f"unknown domain {domain!r}")
        # read directly rather than through gettext.translation, which looks for the
        # locale's variants of the name (da_DK.ISO8859-1, da_DK, ...) and loads the
        # locale module for that: qualcode's catalogues are named by language only
        path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.mo"
        try:
            with open(path, "rb") as fp:
                found = _gettext.GNUTranslations(fp)
        except FileNotFoundError:
            raise RuntimeError(
                f"the {NAMES.get(lang, lang)} texts of qualcode ({domain}) are not compiled:"
                " install qualcode again (pip install -e .), which compiles them"
            ) from None
        _catalogues[key] = found
    return found


def _wrap(text: str) -> str:
    return f"⟦{text}⟧"


def translator(domain: str) -> tuple[Callable[[str], str], Callable[[str, str, int], str]]:
    """``(_, _n)`` for ``domain``: each looks up its text in the language in use, when it
    is called."""

    def _(message: str) -> str:
        lang = language()
        if lang == PSEUDO:
            return _wrap(catalogue(domain, DEFAULT).gettext(message))
        return catalogue(domain, lang).gettext(message)

    def _n(singular: str, plural: str, n: int) -> str:
        lang = language()
        if lang == PSEUDO:
            return _wrap(catalogue(domain, DEFAULT).ngettext(singular, plural, n))
        return catalogue(domain, lang).ngettext(singular, plural, n)

    return _, _n


def install(domain: str, modules: Iterable[ModuleType]) -> None:
    """Let ``modules`` of a library that looks up its texts with the standard library's
    ``gettext`` and ``ngettext`` (imported by those names, or ``gettext`` as ``_``) find
    them in ``domain``'s catalogue, in qualcode's language, when they are used: not in the
    locale's, and wrapped in the pseudo-language. The standard library's own functions
    are left as they are."""
    _, _n = translator(domain)
    for module in modules:
        for name, standard, ours in (
            ("_", _gettext.gettext, _),
            ("gettext", _gettext.gettext, _),
            ("ngettext", _gettext.ngettext, _n),
        ):
            if getattr(module, name, None) is standard:
                setattr(module, name, ours)
