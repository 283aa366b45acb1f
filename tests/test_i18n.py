"""One language at a time (issue 17): how the language is chosen, catalogues that hold
every text the code marks in both languages, compiled catalogues in step with their
sources, the pseudo-language, and numbers written in the language's way."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from qualcode import i18n
from qualcode.io import fmt

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("catalogues", ROOT / "tools" / "catalogues.py")
assert _spec and _spec.loader
catalogues = importlib.util.module_from_spec(_spec)
sys.modules["catalogues"] = catalogues
_spec.loader.exec_module(catalogues)

LOCALE_VARS = ("QUALCODE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in LOCALE_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("QUALCODE_CONFIG", str(tmp_path / "settings.toml"))
    i18n.use(None)
    return tmp_path / "settings.toml"


def test_danish_when_nothing_is_said(clean_env):
    assert i18n.resolve() == "da"


@pytest.mark.parametrize(
    ("env", "want"),
    [
        ({"QUALCODE_LANG": "en"}, "en"),
        ({"QUALCODE_LANG": "da", "LANG": "en_GB.UTF-8"}, "da"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "da_DK.UTF-8"}, "da"),
        ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "da_DK.UTF-8"}, "en"),
        ({"LC_ALL": "da_DK.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "da"),
        ({"LANGUAGE": "sv:en", "LANG": "da_DK.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "da"),
        ({"LANG": "de_DE.UTF-8"}, "da"),  # neither language: the default
        ({"QUALCODE_LANG": "klingon", "LANG": "en_US.UTF-8"}, "en"),  # unknown: next one
    ],
)
def test_the_environment_chooses_in_order(clean_env, monkeypatch, env, want):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert i18n.resolve() == want


def test_the_remembered_language_comes_after_qualcode_lang_and_before_the_locale(
    clean_env, monkeypatch
):
    clean_env.write_text('language = "en"\n', encoding="utf-8")
    monkeypatch.setenv("LANG", "da_DK.UTF-8")
    assert i18n.resolve() == "en"
    monkeypatch.setenv("QUALCODE_LANG", "da")
    assert i18n.resolve() == "da"


@pytest.mark.parametrize("text", ['language = "fr"\n', "language = [1\n", "\xff"])
def test_a_bad_or_unknown_remembered_language_chooses_nothing(clean_env, text):
    clean_env.write_bytes(text.encode("latin-1"))
    assert i18n.resolve() == "da"


def test_use_and_its_refusal(clean_env):
    i18n.use("en")
    assert i18n.language() == "en"
    with pytest.raises(ValueError, match="unknown language"):
        i18n.use("fr")
    assert i18n.language() == "en"
    i18n.use(None)
    assert i18n.language() == "da"


# -- the catalogues ----------------------------------------------------------------------


@pytest.mark.parametrize("domain", sorted(catalogues.SOURCES))
def test_every_marked_text_is_in_both_catalogues_translated(domain):
    marked = {m.id for m in catalogues.extract(domain) if m.id}
    for lang in catalogues.LANGUAGES:
        held = {m.id for m in catalogues.read(domain, lang) if m.id}
        assert marked - held == set(), f"{domain}/{lang}: not in the catalogue (update it)"
        assert held - marked == set(), f"{domain}/{lang}: no longer in the code (update it)"
        assert catalogues.untranslated(domain, lang) == [], f"{domain}/{lang}: untranslated"


@pytest.mark.parametrize("domain", sorted(catalogues.SOURCES))
def test_english_texts_have_no_danish_letters(domain):
    """A text copied untranslated from a Danish one is caught by its letters. (Danish in
    double quotes is quoted data, such as an example value or the report's words.)"""
    for message in catalogues.read(domain, "en"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            unquoted = re.sub(r'"[^"]*"', "", text or "")
            assert not re.search("[æøåÆØÅ]", unquoted), (domain, message.id, text)


@pytest.mark.parametrize("domain", sorted(catalogues.SOURCES))
@pytest.mark.parametrize("lang", catalogues.LANGUAGES)
def test_the_compiled_catalogues_say_what_their_sources_say(domain, lang):
    compiled = i18n.catalogue(domain, lang)
    for message in catalogues.read(domain, lang):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            one, many = message.id
            assert compiled.ngettext(one, many, 1) == message.string[0]
            assert compiled.ngettext(one, many, 2) == message.string[1]
        else:
            assert compiled.gettext(message.id) == message.string, (
                f"{domain}/{lang}: the compiled catalogue is older than its .po: run "
                "python tools/catalogues.py compile (or pip install -e . again)"
            )


def test_each_module_uses_the_domain_of_its_folder():
    for domain in catalogues.SOURCES:
        for path in catalogues.domain_files(domain):
            for used in re.findall(r"translator\(\"(\w+)\"\)", path.read_text("utf-8")):
                assert used == domain, f"{path}: translator({used!r}) in the {domain} domain"


def test_the_pseudo_language_wraps_what_came_through_a_catalogue(language):
    language("qps")
    assert fmt.themes(2) == "⟦2 temaer⟧"
    assert fmt.percent(42.857) == "42,9 %"  # numbers as in Danish


# -- numbers in the language's way ----------------------------------------------------------


def test_numbers_in_danish():
    assert fmt.number(3.14159) == "3,1"
    assert fmt.integer(12345) == "12.345"
    assert fmt.percent(42.857) == "42,9 %"
    assert fmt.percent(42.857, 0) == "43 %"
    assert fmt.points(2.86) == "+2,9 pp" and fmt.points(-1.04) == "−1,0 pp"
    assert fmt.points(0.01) == "±0,0 pp"
    assert fmt.p_value(0.0002) == "< 0,001"
    assert fmt.share(15, 35, 42.857) == "15 af 35 (42,9 %)"
    assert [fmt.themes(1), fmt.themes(2)] == ["1 tema", "2 temaer"]


def test_numbers_in_english(english):
    assert fmt.number(3.14159) == "3.1"
    assert fmt.integer(12345) == "12,345"
    assert fmt.percent(42.857) == "42.9%"
    assert fmt.percent(42.857, 0) == "43%"
    assert fmt.points(2.86) == "+2.9 pp" and fmt.points(-1.04) == "−1.0 pp"
    assert fmt.points(0.01) == "±0.0 pp"
    assert fmt.p_value(0.0002) == "< 0.001"
    assert fmt.share(15, 35, 42.857) == "15 of 35 (42.9%)"
    assert [fmt.themes(1), fmt.themes(2)] == ["1 theme", "2 themes"]
    assert fmt.number(None) == fmt.MISSING  # missing is missing in every language
