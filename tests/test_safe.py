"""Text on its way to a terminal, names on their way to a path (qualcode.safe)."""

from __future__ import annotations

import io
import zipfile

import pytest

from qualcode.errors import ImportError_
from qualcode.io.archive import Limits, open_zip
from qualcode.safe import check_path_name, has_control, is_path_name, one_line, path_name, visible


def test_visible_replaces_each_control_with_one_symbol():
    text = "før\x1b]0;pwned\x07 efter\r\n\x9b31m\x7fslut\tok\n"
    shown = visible(text)
    assert len(shown) == len(text)  # offsets into the text stay valid
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert "\r" not in shown and "\x7f" not in shown
    assert shown.startswith("før␛]0;pwned␇ efter␍\n")
    assert "\tok\n" in shown  # tab and newline keep the layout
    assert visible("Vi har øget fokus – på kanten") == "Vi har øget fokus – på kanten"


def test_one_line_and_has_control():
    assert one_line("a\nb\tc\x1b") == "a⏎b c␛"
    assert has_control("x\x1by") and has_control("x\x85y")
    assert not has_control("tab\there\nand newline")


@pytest.mark.parametrize(
    "name",
    [
        "..",
        ".",
        "../../x",
        "/etc",
        "a/b",
        "a\\b",
        "C:",
        "",
        "-rf",
        ".hidden",
        "x.",
        "con",
        "NUL.txt",
        "a\x00b",
        "x" * 101,
    ],
)
def test_unsafe_path_names_are_refused(name):
    assert not is_path_name(name)
    with pytest.raises(ValueError, match="codebook"):
        check_path_name(name, "codebook")
    assert is_path_name(path_name(name))


@pytest.mark.parametrize("name", ["lokalpolitiske-strategier", "interview_2018", "v1.2", "a"])
def test_safe_path_names_are_kept(name):
    assert check_path_name(name, "codebook") == name


def test_path_name_spells_out_danish_letters():
    assert path_name("Større Ærø-Ålborg") == "stoerre-aeroe-aalborg"
    assert path_name("...") == "navn"
    assert path_name("../../etc/passwd") == "etc-passwd"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_open_zip_refuses_a_bomb_before_expanding_it():
    bomb = _zip({"xl/worksheets/sheet1.xml": b"0" * (8 * 2**20)})
    assert len(bomb) < 20_000
    with pytest.raises(ImportError_, match="zip-bombe") as err:
        open_zip(bomb, "svar.xlsx", what="XLSX file")
    assert str(err.value).startswith("svar.xlsx: ")
    with pytest.raises(ImportError_, match="grænsen er 1,0 MB"):
        open_zip(_zip({"a": b"x" * (2 * 2**20)}), "a.zip", Limits(member_bytes=2**20))
    with pytest.raises(ImportError_, match="mere end 1,0 MB"):
        open_zip(
            _zip({"a": b"x" * 2**19, "b": b"y" * 2**19, "c": b"z"}),
            "a.zip",
            Limits(total_bytes=2**20),
        )
    with pytest.raises(ImportError_, match="3 poster"):
        open_zip(_zip({"a": b"", "b": b"", "c": b""}), "a.zip", Limits(members=2))


def test_open_zip_names_what_is_not_a_zip():
    with pytest.raises(ImportError_, match="ikke et zip-arkiv, så den kan ikke læses som .qdpx"):
        open_zip(b"<!DOCTYPE html><html></html>", "p.qdpx", what=".qdpx project")
    archive = open_zip(_zip({"word/document.xml": b"<w:document/>"}), "t.docx")
    assert archive.namelist() == ["word/document.xml"]
