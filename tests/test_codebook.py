"""Codebooks: the bundled ones match the report; loading rejects every malformed file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import REPORT, SEED_TABLES, needs_shared
from qualcode.core.codebook import list_codebooks, load_codebook, parse_codebook, slugify
from qualcode.errors import CodebookError

# the module is about the wording of English messages: read in English
pytestmark = pytest.mark.usefixtures("english")

REQUIRED_STEMS = {
    "lokalpolitiske-strategier",
    "udfordringer-fysiske",
    "udfordringer-psykiske",
    "eksterne-aktoerer",
    "kompenserende-ordninger",
}


def report_title(number: int, source: Path = SEED_TABLES) -> str:
    """'Tabel 1: Indhold i ...' as the seed report prints it."""
    return next(
        line.strip()
        for line in source.read_text("utf-8").splitlines()
        if line.startswith(f"Tabel {number}:")
    )


def report_table(number: int, source: Path = SEED_TABLES) -> list[tuple[str, str, int, int]]:
    """(label, essence, count, base) rows of Tabel N, read from the report's own lines (the
    copy of Tabel 1-4 in tests/fixtures, or the report itself)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"Tabel {number}:"))
    rows = []
    for line in lines[start + 1 :]:
        cells = line.split("\t")
        if len(cells) != 3:
            if rows:
                break
            continue
        m = re.fullmatch(r"Anført af (\d+) ud af (\d+) jobcentre", cells[2].strip())
        if m:
            rows.append((cells[0].strip(), cells[1].strip(), int(m[1]), int(m[2])))
    return rows


def test_bundled_codebooks_have_the_contract_stems():
    assert set(list_codebooks()) >= REQUIRED_STEMS


@pytest.mark.parametrize("stem", sorted(REQUIRED_STEMS | {"interviewtemaer"}))
def test_bundled_codebooks_load(stem):
    book = load_codebook(stem)
    assert len(book) >= 5
    assert book.codes[-1].other, "Andet sorts last"
    for code in book:
        assert re.fullmatch(r"#[0-9A-F]{6}", code.color)
        assert code.definition and code.source


@needs_shared(REPORT)
@pytest.mark.parametrize("number", [1, 2, 3])
def test_the_tables_copied_into_tests_are_the_seed_reports(number):
    """tests/fixtures/seed_tables.txt holds Tabel 1-4 of the seed report as they are there
    (Tabel 4 is read in tests/test_matrix.py)."""
    report = set(REPORT.read_text(encoding="utf-8").splitlines())
    assert set(SEED_TABLES.read_text(encoding="utf-8").splitlines()) <= report
    assert report_table(number, REPORT) == report_table(number)
    assert report_title(number, REPORT) == report_title(number)


@pytest.mark.parametrize(
    "number,stem,n_rows",
    [
        (1, "lokalpolitiske-strategier", 7),
        (2, "udfordringer-fysiske", 6),
        (3, "udfordringer-psykiske", 5),
    ],
)
def test_codebook_matches_report_table(number, stem, n_rows):
    rows = report_table(number)
    assert len(rows) == n_rows
    book = load_codebook(stem)
    assert [c.label for c in book] == [r[0] for r in rows]
    assert [c.definition for c in book] == [r[1] for r in rows]
    assert [(c.published_count, c.published_base, c.published_year) for c in book] == [
        (r[2], r[3], 2018) for r in rows
    ]
    assert book.codes[0].published == f"The report: {rows[0][2]} of {rows[0][3]}"


def test_tabel4_themes_and_schemes_present():
    themes = {c.label for c in load_codebook("eksterne-aktoerer")}
    assert {
        "Virksomhedsrettede aktiviteter",
        "Jobformidling",
        "Opkvalificering af borger",
        "Mentor- eller netværksstøtte",
        "Vidensopsamling, kompetenceudvikling mv. målrettet medarbejdere i jobcenteret",
        "Metodeudviklings- eller metodeafprøvende projekter",
    } <= themes
    schemes = load_codebook("kompenserende-ordninger")
    keys = set(schemes.keys())
    assert {
        "pa-arbejde",
        "pa-uddannelse",
        "hjaelpemidler",
        "arbejdspladsindretning",
        "paragraf-56",
        "mentorordning",
        "isbryderordning",
        "fortrinsadgang",
        "tegnsprogstolkning",
    } <= keys
    assert schemes.code("pa-uddannelse").parent == "personlig-assistance"
    assert {c.key for c in schemes.descendants("personlig-assistance")} == {
        "pa-arbejde",
        "pa-uddannelse",
    }


def test_include_nests_other_codebook_without_its_andet():
    book = load_codebook("interviewtemaer")
    assert book.code("hjaelpemidler").parent == "ordninger"
    assert book.code("pa-arbejde").parent == "personlig-assistance"
    assert [c.label for c in book].count("Andet") == 1
    assert book.codes[-1].key == "andet"


def test_find_by_key_or_exact_label():
    book = load_codebook("udfordringer-psykiske")
    assert book.code("match").label == "Svært at finde et godt match"
    assert book.code("Svært at finde et godt match").key == "match"
    assert book.find("findes ikke") is None


def test_roundtrip_through_yaml(tmp_path):
    book = load_codebook("kompenserende-ordninger")
    out = tmp_path / "kompenserende-ordninger.yaml"
    out.write_text(book.to_yaml(), encoding="utf-8")
    again = load_codebook(out)
    assert again.codes == book.codes


def test_andet_sorts_last_even_when_written_first(tmp_path):
    path = tmp_path / "kb.yaml"
    path.write_text(
        "title: T\ncodes:\n  - label: Andet\n  - label: Større videnskrav\n"
        "  - label: Øvrigt\n    other: true\n  - label: Åbenhed\n",
        encoding="utf-8",
    )
    book = load_codebook(path)
    assert [c.label for c in book] == ["Større videnskrav", "Åbenhed", "Andet", "Øvrigt"]
    assert book.code("Større videnskrav").key == "stoerre-videnskrav"


def test_slugify_danish():
    assert slugify("Åben dør for Ærø & Øster") == "aaben-doer-for-aeroe-oester"


BAD = {
    "duplicate key": (
        "codes:\n  - {key: a, label: En}\n  - {key: a, label: To}\n",
        "duplicate key 'a'",
    ),
    "duplicate label": (
        "codes:\n  - {key: a, label: Fleksjob}\n  - {key: b, label: fleksjob}\n",
        "duplicate label",
    ),
    "unknown parent": ("codes:\n  - {key: a, label: En, parent: zz}\n", "unknown parent 'zz'"),
    "bad colour": ("codes:\n  - {key: a, label: En, color: 'rød'}\n", "bad colour 'rød'"),
    "missing label": ("codes:\n  - {key: a}\n", "code 1: missing label"),
    "parent loop": (
        "codes:\n  - {key: a, label: En, parent: b}\n  - {key: b, label: To, parent: a}\n",
        "loops back",
    ),
    "unknown field": (
        "codes:\n  - {key: a, label: En, colour: '#FFFFFF'}\n",
        "unknown field 'colour'",
    ),
    "no codes": ("title: Tom\n", "'codes' must be a non-empty list"),
    "not a mapping": ("- a\n- b\n", "must be a mapping"),
    "bad yaml": ("codes: [\n  - key: a\n", "invalid YAML"),
    "published too big": (
        "published: {base: 3}\ncodes:\n  - {key: a, label: En, published: 4}\n",
        "larger than its base",
    ),
    "published not a number": (
        "codes:\n  - {key: a, label: En, published: mange}\n",
        "whole number",
    ),
    "bad key": ("codes:\n  - {key: 'to ord', label: En}\n", "no spaces"),
    "include missing": (
        "codes:\n  - {key: a, label: En, include: findes-ikke}\n",
        "include: no codebook named 'findes-ikke'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_codebooks_fail_with_one_line_naming_the_file(tmp_path, case):
    text, expected = BAD[case]
    path = tmp_path / "kb.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    message = str(err.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_include_loop_is_refused(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "codes:\n  - {key: x, label: X, include: b}\n", encoding="utf-8"
    )
    (tmp_path / "b.yaml").write_text(
        "codes:\n  - {key: y, label: Y, include: a}\n", encoding="utf-8"
    )
    with pytest.raises(CodebookError, match="loops back"):
        load_codebook(tmp_path / "a.yaml")


def test_stem_mismatch_and_non_utf8(tmp_path):
    path = tmp_path / "rigtig.yaml"
    path.write_text("codebook: forkert\ncodes:\n  - {label: En}\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="differs from the file name stem"):
        load_codebook(path)
    path.write_bytes("codes:\n  - {label: Større}\n".encode("cp1252"))
    with pytest.raises(CodebookError, match="not UTF-8"):
        load_codebook(path)


def test_unknown_stem_lists_known(tmp_path):
    with pytest.raises(CodebookError, match="known: .*lokalpolitiske-strategier"):
        load_codebook("findes-ikke")
    assert not Path("findes-ikke.yaml").exists()


def test_short_colours_are_stored_long(tmp_path):
    path = tmp_path / "kb.yaml"
    path.write_text("codes:\n  - {label: En, color: '#abc'}\n", encoding="utf-8")
    assert load_codebook(path).codes[0].color == "#AABBCC"


def test_yaml_for_a_file_of_another_name_loads(tmp_path):
    book = load_codebook("udfordringer-fysiske")
    out = tmp_path / "mine-udfordringer.yaml"
    out.write_text(book.to_yaml(out.stem), encoding="utf-8")
    assert load_codebook(out).codes == book.codes


# -- a stem names folders: only a plain file name is a codebook's stem -----------------------


def test_every_bundled_codebook_stem_is_a_safe_name():
    from qualcode.safe import is_path_name

    stems = list_codebooks()
    assert stems and all(is_path_name(stem) for stem in stems)
    for stem in stems:
        assert load_codebook(stem).stem == stem


@pytest.mark.parametrize(
    "file_name, stem",
    [
        ("...yaml", ".."),
        ("..yaml", "."),
        ("temaer æøå.yaml", "temaer æøå"),
        ("-x.yaml", "-x"),
        ("nul.yaml", "nul"),
        ("a\x1b[2Jb.yaml", "a\x1b[2Jb"),
    ],
)
def test_a_yaml_file_whose_stem_cannot_name_a_folder_is_refused(tmp_path, file_name, stem):
    path = tmp_path / file_name
    path.write_text("codes:\n  - {label: En}\n", encoding="utf-8")
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    message = str(err.value)
    assert message.startswith(f"{path}: the codebook name '") and "\n" not in message
    assert "cannot name a file" in message and "for example '" in message
    assert "\x1b" not in message.removeprefix(str(path))  # the name from the file: ␛


@pytest.mark.parametrize("stem", ["..", "../../x", "/tmp/x", "", ".", "a/b", "C:x", "x" * 101])
def test_parse_codebook_refuses_a_stem_that_is_not_a_file_name(stem):
    data = {"codes": [{"label": "En"}]}
    with pytest.raises(CodebookError) as err:
        parse_codebook(data, stem=stem, file="kodebog.qdc")
    assert str(err.value).startswith("kodebog.qdc: the codebook name '")
    assert parse_codebook(data, stem="kodebog", file="kodebog.qdc").stem == "kodebog"


def test_a_stored_codebook_is_revalidated_under_its_own_name():
    # a codebook an older version let in keeps working in its project; model folders
    # check the name themselves (see test_nlp)
    book = parse_codebook({"codes": [{"label": "En"}]}, stem="temaer æøå", stored=True)
    assert book.stem == "temaer æøå"


@pytest.mark.parametrize("include", ["../kb", "/etc/passwd", "sub/kb", ".skjult"])
def test_an_include_is_a_stem_beside_the_file_never_a_path(tmp_path, include):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "kb.yaml").write_text("codes:\n  - {label: Inde}\n", encoding="utf-8")
    path = tmp_path / "ydre.yaml"
    path.write_text(f"codes:\n  - {{key: a, label: En, include: '{include}'}}\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"include .* is not a codebook name"):
        load_codebook(path)


# -- a key named twice is refused, with both lines -------------------------------------------

DUPLICATES = {
    "a second codes block": (
        "title: T\ncodes:\n  - label: En\ncodes:\n  - label: To\n",
        "line 4: key 'codes' appears twice (first on line 2)",
    ),
    "a code with two labels": (
        "codes:\n  - key: a\n    label: En\n    definition: x\n    label: To\n",
        "line 5: key 'label' appears twice (first on line 3)",
    ),
    "twice in a flow mapping": (
        "codes:\n  - {key: a, label: En, key: b}\n",
        "line 2: key 'key' appears twice (first on line 2)",
    ),
    "twice in published": (
        "published: {year: 2018,\n  year: 2019}\ncodes:\n  - label: En\n",
        "line 2: key 'year' appears twice (first on line 1)",
    ),
    "twice in a code's published": (
        "codes:\n  - label: En\n    published:\n      count: 1\n      count: 2\n",
        "line 5: key 'count' appears twice (first on line 4)",
    ),
    "the same key spelled two ways": (
        "codes:\n  - label: En\n    1: a\n    0x1: b\n",
        "line 4: key '0x1' appears twice (first on line 3)",
    ),
    "deep inside an unknown field": (
        "codes:\n  - label: En\n    other: [{a: {b: 1, b: 2}}]\n",
        "line 3: key 'b' appears twice (first on line 3)",
    ),
}


@pytest.mark.parametrize("case", sorted(DUPLICATES))
def test_a_key_named_twice_is_refused_with_both_lines(tmp_path, case):
    text, expected = DUPLICATES[case]
    path = tmp_path / "kodebog.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError) as err:
        load_codebook(path)
    assert str(err.value) == f"{path}: {expected}"


def test_a_merge_key_overriding_a_field_is_not_a_duplicate(tmp_path):
    path = tmp_path / "kodebog.yaml"
    path.write_text(
        "codes:\n  - &base {key: a, label: En, color: '#123456'}\n"
        "  - {<<: *base, key: b, label: To}\n",
        encoding="utf-8",
    )
    book = load_codebook(path)
    assert [(c.key, c.label, c.color) for c in book] == [
        ("a", "En", "#123456"),
        ("b", "To", "#123456"),
    ]


def test_codebook_validate_fails_on_a_key_named_twice(tmp_path):
    from helpers import assert_one_line_error, run

    path = tmp_path / "kodebog.yaml"
    path.write_text(
        "title: T\ncodes:\n  - label: En\n  - label: To\ncodes:\n  - label: Tre\n", encoding="utf-8"
    )
    line = assert_one_line_error(run("codebook", "validate", path))
    assert line == (f"qualcode: error: {path}: line 5: key 'codes' appears twice (first on line 2)")
    path.write_text("title: T\ncodes:\n  - label: En\n", encoding="utf-8")
    assert run("codebook", "validate", path).exit_code == 0


def test_of_several_keys_named_twice_the_first_in_the_file_is_named(tmp_path):
    path = tmp_path / "kodebog.yaml"
    path.write_text(
        "title: T\ncodes:\n  - {label: En, label: To}\n  - {label: Tre, key: a,"
        " key: b}\ntitle: U\n",
        encoding="utf-8",
    )
    with pytest.raises(CodebookError, match="line 3: key 'label' appears twice"):
        load_codebook(path)
