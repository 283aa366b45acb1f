"""Every screen in both themes at both sizes (issue 18: "light and dark correct on every
screen"): an SVG snapshot of each, and, without any stored picture, a check that the light
theme is light: a screen painted mostly dark in the light theme is the "black background
with pale text" a user saw on F4 after ctrl+t.

Update the pictures after an intended change with
``pytest tests/tui/test_tui_themes.py --snapshot-update`` and look at them first.
"""

from __future__ import annotations

import re

import pytest

from helpers import settle

# screen -> the keys that show it from the coding screen (the question in brackets first)
SCREENS = {
    "coding": ("strategier", ()),
    "quotes": ("interview", ("f3",)),
    "counts": ("strategier", ("f4",)),
    "codebook": ("interview", ("f5",)),
    "disagreements": ("strategier", ("f6",)),
    "crosstab": ("strategier", ("f7",)),
    "pii": ("strategier", ("f8",)),
    "framework": ("interview", ("f9",)),
    "help": ("strategier", ("question_mark",)),
    "memos": ("strategier", ("M",)),
}
SIZES = {"80x24": (80, 24), "120x36": (120, 36)}


def _app(demo_copy):
    from qualcode.tui.app import make_app

    return make_app(demo_copy, coder="ida")


def _driver(name: str, theme: str):
    question, keys = SCREENS[name]

    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot)
        pilot.app.set_question(question)
        await settle(pilot.app, pilot)
        if theme == "light":
            await pilot.press("ctrl+t")
        for key in keys:
            await pilot.press(key)
            await settle(pilot.app, pilot)
        pilot.app.screen.set_focus(pilot.app.screen.focused)  # the same focus each run
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("name", list(SCREENS))
def test_every_screen_in_both_themes_at_both_sizes(snap_compare, demo_copy, name, theme, size):
    app = _app(demo_copy)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=_driver(name, theme))


_RECT = re.compile(
    r'<rect fill="#([0-9a-f]{6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"'
)


def _dark_share(svg: str) -> float:
    """The share of the screen's painted area whose background is dark (luminance under
    0.35), from the cells' background rectangles of Textual's SVG screenshot."""
    total = dark = 0.0
    for colour, _x, _y, width, height in _RECT.findall(svg):
        area = float(width) * float(height)
        r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))
        total += area
        if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.35:
            dark += area
    assert total > 0, "no painted cells in the screenshot"
    return dark / total


@pytest.mark.parametrize("name", list(SCREENS))
async def test_the_light_theme_is_light_on_every_screen(demo_copy, name):
    app = _app(demo_copy)
    async with app.run_test(size=(120, 36)) as pilot:
        await _driver(name, "light")(pilot)
        light = _dark_share(app.export_screenshot())
        app.action_toggle_dark()  # (the help screen takes ctrl+t as a key of its own)
        await settle(app, pilot)
        dark = _dark_share(app.export_screenshot())
    assert light < 0.15, f"{name}: {light:.0%} of the light theme's screen is dark"
    assert dark > 0.6, f"{name}: the dark theme is dark ({dark:.0%}), so the check can fail"


@pytest.mark.parametrize("name", list(SCREENS))
async def test_at_80x24_every_footer_still_says_where_every_key_is(demo_copy, name):
    """Issue 18: at 80×24 the screen's own keys fill the footer and the F-keys fall off its
    end; `?` (which lists every key, F-keys included) and the palette stay in view."""
    from textual.widgets._footer import FooterKey

    app = _app(demo_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await _driver(name, "dark")(pilot)
        if name == "help":  # the help screen is itself the list
            return
        footer = app.screen.query_one("Footer")
        pinned = {
            key.key: key for key in footer.query(FooterKey) if key.parent.id == "footer-pinned"
        }
        assert set(pinned) == {"question_mark", "ctrl+p"}, f"{name}: {sorted(pinned)}"
        for key in pinned.values():
            region = key.region
            assert region.width > 0 and region.right <= 80 and region.y == 23, (name, region)
