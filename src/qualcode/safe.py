"""Text from data on its way to a screen, and names from data on their way to a path.

Two boundaries where data a colleague (or an attacker) wrote meets the machine:

- :func:`visible` keeps control characters (ESC sequences that set the terminal title,
  BEL, C1 controls, ...) from reaching a terminal raw: each becomes one visible symbol,
  so offsets into the text stay the same.
- :func:`path_name` and :func:`check_path_name` keep names from data (codebook stems,
  question ids, coder names, names inside imported files) from becoming paths that leave
  their folder (``..``, ``/``, ``C:``, NUL, ...).

Imports nothing of qualcode but :mod:`qualcode.i18n` (for its one message): every layer
may use it.
"""

from __future__ import annotations

import re
import unicodedata

from qualcode.i18n import translator

_, _n = translator("core")

# C0 controls (U+0000-U+001F) as their Control Pictures (U+2400-U+241F): ESC is ␛, BEL ␇
_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_PICTURES[0x7F] = "\u2421"  # ␡ DEL
for _code in range(0x80, 0xA0):  # C1 controls (CSI is 0x9B, OSC 0x9D): no pictures exist
    _PICTURES[_code] = "\ufffd"
del _code
# the same, for each text-layout kind the callers need
_KEEP_LAYOUT = {k: v for k, v in _PICTURES.items() if k not in (0x09, 0x0A)}
_ONE_LINE = dict(_PICTURES)
_ONE_LINE[0x0A] = "\u23ce"  # ⏎
_ONE_LINE[0x09] = " "
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with every control character except tab and newline shown as a visible
    symbol (ESC as ␛, CR as ␍, C1 controls as �), one character for one, so that offsets
    into the text still point at the same characters."""
    if not _CONTROL.search(text):  # the common case: nothing to translate
        return text
    return text.translate(_KEEP_LAYOUT)


def one_line(text: str) -> str:
    """``text`` for one line of a terminal: controls as :func:`visible`, newlines as ⏎
    and tabs as spaces (also one character for one)."""
    return text.translate(_ONE_LINE)


def has_control(text: str) -> bool:
    """Does ``text`` hold a control character that :func:`visible` would replace?"""
    return _CONTROL.search(text) is not None


# -- names that become parts of paths ----------------------------------------------------

# a name kept as it is: letters, digits, '-', '_' and '.', not starting with '.' or '-'
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
# names Windows keeps for devices, in any case and with any extension
_DEVICE_NAMES = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?", re.IGNORECASE)


def is_path_name(name: str) -> bool:
    """Is ``name`` safe as one file or folder name on every system, as it is?"""
    return (
        bool(_SAFE_NAME.fullmatch(name))
        and not name.endswith(".")
        and not _DEVICE_NAMES.fullmatch(name)
    )


def check_path_name(name: str, what: str) -> str:
    """``name`` if it is safe as a file or folder name; else a ValueError saying why
    (the callers turn it into their own one-line error). ``what`` names the name in the
    language in use ("the codebook name")."""
    if is_path_name(name):
        return name
    shown = one_line(name)[:60] or _("(empty)")
    raise ValueError(
        _(
            "{what} '{name}' cannot name a file: use letters, digits, '-', '_' "
            "and '.', not starting with '.' or '-' (at most 100 characters)"
        ).format(what=what, name=shown)
    )


def path_name(text: str, fallback: str = "navn") -> str:
    """A safe file or folder name made from any text: Danish letters spelled out
    ('Større' -> 'stoerre'), other letters stripped of accents, everything else a '-'.
    Always passes :func:`is_path_name`."""
    folded = text.casefold()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        folded = folded.replace(a, b)
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_.]+", "-", folded).strip("-._")[:100].rstrip("-._")
    if not slug or _DEVICE_NAMES.fullmatch(slug):
        slug = f"{fallback}-{slug}" if slug else fallback
    return slug
