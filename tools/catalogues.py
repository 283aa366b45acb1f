"""Keep the gettext catalogues in step with the code.

    python tools/catalogues.py update   # extract every domain's texts; add new ones to
                                        # both languages (empty), drop the ones gone
    python tools/catalogues.py check    # list untranslated texts; exit 1 if any
    python tools/catalogues.py compile  # .po -> .mo (the install does this too)
    python tools/catalogues.py translate DOMAIN LANG FILE.json
                                        # {"text": "translation", "one": ["one", "many"]}
                                        # written into DOMAIN's LANG catalogue

The domains and the folders whose texts they hold are :data:`SOURCES`; a module marks
its texts with ``_("…")`` and ``_n("…", "…", n)`` from ``qualcode.i18n.translator`` of
its own domain. Texts with values use named fields: ``_("{n} answers").format(n=n)``.

The ``click`` domain holds click's own words ("Usage:", "Missing argument"), read from the
installed click package (``_``, ``ngettext``); the CLI hands them to click (see
``qualcode.i18n.install``). A newer click with new words: ``update``, then translate them.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "qualcode"
LOCALE = PACKAGE / "locale"
LANGUAGES = ("da", "en")
KEYWORDS = {"_": None, "_n": (1, 2), "ngettext": (1, 2)}  # ngettext: click's
# fixed header fields, so that a catalogue changes only where its texts do
HEADER = "qualcode's texts ({lang}, {domain}). Edit the translations; keep the rest as it is."
FIXED = datetime(2026, 12, 4, tzinfo=UTC)
# domain -> the files under src/qualcode whose texts it holds
SOURCES = {
    "cli": ["cli/**/*.py", "__main__.py"],
    "tui": ["tui/**/*.py"],
    "io": ["io/**/*.py"],
    "core": [
        "core/**/*.py",
        "store/**/*.py",
        "nlp/**/*.py",
        "models/**/*.py",
        "errors.py",
        "paths.py",
        "safe.py",
        "demo.py",
        "__init__.py",
    ],
    # "PACKAGE:glob": files of an installed package
    "click": ["click:*.py"],
}
# texts a domain's code looks up through a variable, so that extraction cannot see them
UNSEEN = {"click": ["required"]}  # click.core: _(extra["required"])


def _folder(pattern: str) -> tuple[Path, str]:
    """The folder a pattern of :data:`SOURCES` is in, and the pattern in it."""
    package, sep, glob = pattern.partition(":")
    if not sep:
        return PACKAGE, pattern
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{package} is not installed; its texts cannot be read")
    return Path(spec.origin).parent, glob


def domain_files(domain: str) -> list[Path]:
    files: set[Path] = set()
    for pattern in SOURCES[domain]:
        folder, glob = _folder(pattern)
        files.update(folder.glob(glob))
    return sorted(files)


def _where(path: Path) -> str:
    """qualcode's files from the checkout's root, an installed package's from its own."""
    if path.is_relative_to(PACKAGE):
        return path.relative_to(ROOT).as_posix()
    return f"{path.parent.name}/{path.name}"


def extract(domain: str) -> Catalog:
    """The texts the code of ``domain`` marks, with where each is used."""
    template = Catalog(domain=domain, project="qualcode", charset="utf-8")
    for text in UNSEEN.get(domain, []):
        template.add(text)
    for path in domain_files(domain):
        where = _where(path)
        for lineno, message, comments, context in extract_from_file(
            "python", path, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            template.add(
                message,
                locations=[(where, lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def po_path(domain: str, lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"


def read(domain: str, lang: str) -> Catalog:
    path = po_path(domain, lang)
    if not path.exists():
        return Catalog(locale=lang, domain=domain, project="qualcode", charset="utf-8")
    with path.open("rb") as source:
        return read_po(source, locale=lang, domain=domain)


def write(catalogue: Catalog, domain: str, lang: str) -> None:
    """Sorted, file names without line numbers and a fixed header: two people adding
    texts in different files rarely touch the same lines."""
    catalogue.header_comment = "# " + HEADER.format(lang=lang, domain=domain)
    catalogue.project, catalogue.version = "qualcode", "1"
    catalogue.msgid_bugs_address = ""
    catalogue.creation_date = catalogue.revision_date = FIXED
    catalogue.last_translator = catalogue.language_team = "qualcode"
    catalogue.fuzzy = False
    path = po_path(domain, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(
            out, catalogue, width=100, sort_output=True, omit_header=False, include_lineno=False
        )


def update() -> None:
    for domain in SOURCES:
        template = extract(domain)
        for lang in LANGUAGES:
            catalogue = read(domain, lang)
            catalogue.update(template, no_fuzzy_matching=True)
            catalogue.obsolete.clear()
            write(catalogue, domain, lang)
        print(f"{domain}: {len(template)} texts")


def untranslated(domain: str, lang: str) -> list[str]:
    missing = []
    for message in read(domain, lang):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def check() -> int:
    bad = 0
    for domain in SOURCES:
        for lang in LANGUAGES:
            for text in untranslated(domain, lang):
                print(f"{po_path(domain, lang).relative_to(ROOT)}: untranslated: {text!r}")
                bad += 1
    return 1 if bad else 0


def translate(domain: str, lang: str, translations: dict[str, str | list[str]]) -> list[str]:
    """Write ``translations`` (text -> translation; for a plural, its singular -> [one,
    many]) into a catalogue; returns the texts the catalogue does not hold."""
    catalogue = read(domain, lang)
    unknown = []
    for key, value in translations.items():
        message = catalogue.get(key)
        if message is None:
            unknown.append(key)
            continue
        if isinstance(message.id, tuple):
            if not isinstance(value, list) or len(value) != 2:
                raise SystemExit(f"{key!r} has a plural: give [one, many]")
            message.string = (value[0], value[1])
        else:
            if not isinstance(value, str):
                raise SystemExit(f"{key!r} has no plural: give one text")
            message.string = value
        message.flags.discard("fuzzy")
    write(catalogue, domain, lang)
    return unknown


def compile_all() -> None:
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name, domain=po.stem)
        with po.with_suffix(".mo").open("wb") as out:
            write_mo(out, catalogue, use_fuzzy=False)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
        compile_all()
        return 0
    if command == "compile":
        compile_all()
        return 0
    if command == "check":
        return check()
    if command == "translate" and len(argv) == 5:
        import json

        unknown = translate(argv[2], argv[3], json.loads(Path(argv[4]).read_text("utf-8")))
        for key in unknown:
            print(f"not in the {argv[2]} catalogue: {key!r}")
        compile_all()
        return 1 if unknown else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
