"""Build hook: compile the gettext catalogues (``.po``) to ``.mo`` beside them.

Runs for every build, the editable install of the README's first command included, so
that a fresh checkout speaks both languages after ``pip install -e .``. The ``.mo`` files
are not in git (they are built); the wheel takes them as artifacts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogueHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        locale = Path(self.root) / "src" / "qualcode" / "locale"
        for po in sorted(locale.glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as source:
                catalogue = read_po(source, locale=po.parent.parent.name, domain=po.stem)
            mo = po.with_suffix(".mo")
            tmp = mo.with_suffix(".mo.tmp")
            with tmp.open("wb") as out:
                write_mo(out, catalogue, use_fuzzy=False)
            tmp.replace(mo)
