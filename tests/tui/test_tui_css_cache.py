"""The workbench keeps Textual's parsed stylesheets between starts (tui/css_cache.py):
the second start parses nothing it parsed before, a changed stylesheet or another theme
is parsed anew, and a damaged cache file is ignored."""

from __future__ import annotations

import pytest
from textual.css.stylesheet import Stylesheet

from qualcode.tui import css_cache

CSS = "Label { color: $text; padding: 1 2; }"


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A process that has not installed the cache yet, parsing with a counting parser."""
    monkeypatch.setenv("QUALCODE_CACHE", str(tmp_path / "cache"))
    parsed: list[str] = []
    original = Stylesheet._parse_rules

    def counting(self, css, read_from, is_default_rules=False, tie_breaker=0, scope=""):
        parsed.append(css)
        return original(self, css, read_from, is_default_rules, tie_breaker, scope)

    def start() -> None:  # a new process: nothing installed, the counting parser
        monkeypatch.setattr(Stylesheet, "_parse_rules", counting)
        monkeypatch.setattr(
            css_cache, "_state", {"installed": False, "loaded": {}, "used": {}, "new": False}
        )
        css_cache.install()

    return start, parsed


def parse(css: str, variables: dict[str, str] | None = None) -> list:
    sheet = Stylesheet(variables=variables or {"text": "#ffffff"})
    sheet.add_source(css, read_from=("app.tcss", ""))
    sheet.parse()
    return sheet.rules


def test_the_second_start_reads_the_rules_the_first_one_parsed(fresh):
    start, parsed = fresh
    start()
    first = parse(CSS)
    assert parsed == [CSS]
    css_cache.save()
    assert css_cache.cache_file().exists()
    start()
    again = parse(CSS)
    assert parsed == [CSS]  # not parsed again
    assert [str(r.selector_set) for r in again] == [str(r.selector_set) for r in first]
    assert again[0].styles.padding == first[0].styles.padding


def test_another_stylesheet_or_theme_is_parsed_anew(fresh):
    start, parsed = fresh
    start()
    parse(CSS)
    css_cache.save()
    start()
    parse(CSS, {"text": "#000000"})  # another theme's colours
    parse(CSS.replace("1 2", "2 4"))  # a changed stylesheet
    assert len(parsed) == 3
    rules = parse(CSS.replace("1 2", "2 4"))
    assert rules[0].styles.padding.top == 2 and len(parsed) == 3


def test_a_damaged_cache_file_is_ignored(fresh):
    start, parsed = fresh
    path = css_cache.cache_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    start()
    assert parse(CSS) and parsed == [CSS]
    css_cache.save()  # replaced by a good one
    start()
    parse(CSS)
    assert parsed == [CSS]
