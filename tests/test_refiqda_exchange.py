"""REFI-QDA exchange without loss (issue 13): every passage on the words it marks, in the
file's convention of positions, both ways; round trips that keep every table; nothing
dropped silently; and other readers (pyqdpx, qdapy) read qualcode's export."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from helpers import REFI, needs_shared, run
from qualcode.core.project import Project
from qualcode.io import refiqda

SAMPLES = REFI / "samples"
NVIVO = SAMPLES / "DEpt-metagenom__pyqdpx__oltas0517.qdpx"
NS = {"p": refiqda.NS_PROJECT, "c": refiqda.NS_CODEBOOK}
G = "{:08x}-0000-4000-8000-000000000000".format


def make_qdpx(path: Path, qde: str, files: dict[str, bytes]) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("project.qde", qde.encode("utf-8"))
        for name, data in files.items():
            z.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def utf16_slice(text: str, start: int, end: int) -> str:
    """What positions in UTF-16 code units mark in ``text``."""
    data = text.encode("utf-16-le")
    return data[2 * start : 2 * end].decode("utf-16-le")


def passages(path: Path) -> list[str]:
    with Project.open(path) as p:
        return sorted(p.item(c.item_id).text[c.start : c.end] for c in p.codings())


# -- positions on import ---------------------------------------------------------------------


@needs_shared(NVIVO)
def test_every_passage_of_the_nvivo_sample_lands_on_its_words(tmp_path):
    refi = refiqda.read_refiqda(NVIVO)
    # what the file's convention (UTF-16 code units of the text file, CRLF two) marks
    wanted = []
    for source in refi.text_sources:
        assert source.raw is not None and "\r\n" in source.raw
        for sel in source.selections:
            wanted.append(utf16_slice(source.raw, sel.start, sel.end).replace("\r\n", "\n"))
    assert len(wanted) == 303
    target = tmp_path / "nvivo.qualcode.db"
    result = run("import", "qdpx", target, NVIVO)
    assert result.exit_code == 0, result.output
    assert "positioner: læst som UTF-16-kodeenheder, et CRLF-linjeskift som to" in result.stdout
    assert "som NVivo for Windows 12.6 tæller" in result.stdout
    assert passages(target) == sorted(wanted)
    with Project.open(target) as p:
        assert all("\r" not in i.text and not i.text.startswith("\ufeff") for i in p.items())


def nvivo_like(origin: str, text: str, spans: list[tuple[int, int]], *, crlf: bool = False):
    """A project whose one text source has ``text`` and a selection per span."""
    selections = "".join(
        f'<PlainTextSelection guid="{G(100 + n)}" startPosition="{a}" endPosition="{b}">'
        f'<Coding guid="{G(200 + n)}"><CodeRef targetGUID="{G(2)}"/></Coding>'
        "</PlainTextSelection>"
        for n, (a, b) in enumerate(spans)
    )
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Emoji" origin="{origin}">
  <CodeBook><Codes><Code guid="{G(2)}" name="Job" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="{G(6)}" name="Svar" plainTextPath="internal://{G(6)}.txt">
  {selections}</TextSource></Sources>
</Project>"""
    raw = text.replace("\n", "\r\n") if crlf else text
    return qde, {f"sources/{G(6)}.txt": b"\xef\xbb\xbf" + raw.encode("utf-8")}


EMOJI_TEXT = "Godt 😀😀 samarbejde 👍\nMen 🎉 fleksjob og mentorer hjælper 👍 ledige"
WORDS = ["samarbejde", "fleksjob", "mentorer", "ledige"]


def units_of(text: str, word: str, *, utf16: bool, crlf_two: bool = True) -> tuple[int, int]:
    at = text.index(word)
    before = text[:at]
    shift = sum(1 for ch in before if ord(ch) > 0xFFFF) if utf16 else 0
    shift += before.count("\n") if crlf_two else 0
    return at + shift, at + shift + len(word)


@pytest.mark.parametrize(
    ("origin", "utf16", "crlf", "crlf_two", "said"),
    [
        ("NVivo 14", True, False, True, "som NVivo 14 tæller"),
        ("NVivo 14", True, True, True, "som NVivo 14 tæller"),
        ("ATLAS.ti 23", True, True, False, "som ATLAS.ti 23 tæller"),
        ("QualCoder 3.6", False, False, True, "som QualCoder 3.6 tæller"),
        ("Hjemmelavet", True, True, True, "det, der passer bedst"),
        ("Hjemmelavet", False, True, False, "det, der passer bedst"),
        ("Hjemmelavet", False, False, True, "det, der passer bedst"),
    ],
)
def test_emoji_and_crlf_before_a_passage(origin, utf16, crlf, crlf_two, said, tmp_path):
    spans = [units_of(EMOJI_TEXT, w, utf16=utf16, crlf_two=crlf and crlf_two) for w in WORDS]
    qde, files = nvivo_like(origin, EMOJI_TEXT, spans, crlf=crlf)
    path = make_qdpx(tmp_path / "emoji.qdpx", qde, files)
    target = tmp_path / "p.qualcode.db"
    result = run("import", "qdpx", target, path)
    assert result.exit_code == 0, result.output
    assert passages(target) == sorted(WORDS)
    assert said in result.stdout and "4 af 4 markeringer" in result.stdout
    with Project.open(target) as p:
        (item,) = p.items()
        assert item.text == EMOJI_TEXT  # no BOM, LF line breaks


def test_a_file_whose_texts_leave_no_doubt_says_nothing_about_positions(tmp_path):
    text = "Fleksjob og mentorer"
    qde, files = nvivo_like("NVivo 14", text, [(0, 8)])
    result = run("import", "qdpx", tmp_path / "p.db", make_qdpx(tmp_path / "a.qdpx", qde, files))
    assert result.exit_code == 0 and "positioner:" not in result.stdout
    assert passages(tmp_path / "p.db") == ["Fleksjob"]


# -- positions on export, and the round trip -------------------------------------------------


def emoji_project(tmp_path: Path) -> Path:
    spans = [units_of(EMOJI_TEXT, w, utf16=True, crlf_two=False) for w in WORDS]
    qde, files = nvivo_like("NVivo 14", EMOJI_TEXT, spans)
    target = tmp_path / "emoji.qualcode.db"
    assert run("import", "qdpx", target, make_qdpx(tmp_path / "in.qdpx", qde, files)).exit_code == 0
    return target


def test_the_export_counts_utf16_code_units_and_reads_back_exactly(tmp_path):
    source = emoji_project(tmp_path)
    out = tmp_path / "ud.qdpx"
    assert run("export", "qdpx", source, "-o", out).exit_code == 0
    with zipfile.ZipFile(out) as z:
        root = etree.fromstring(z.read("project.qde"))
        (src,) = root.xpath("//p:TextSource", namespaces=NS)
        text = z.read(f"sources/{src.get('guid')}.txt").decode("utf-8")
    marked = [
        utf16_slice(text, int(s.get("startPosition")), int(s.get("endPosition")))
        for s in src.xpath("p:PlainTextSelection", namespaces=NS)
    ]
    assert sorted(marked) == sorted(WORDS)  # " fleksjo" no more
    back = tmp_path / "tilbage.qualcode.db"
    result = run("import", "qdpx", back, out)
    assert result.exit_code == 0, result.output
    assert passages(back) == passages(source) == sorted(WORDS)


def dump(path: Path) -> dict[str, list]:
    """Every table a round trip must keep, by natural keys (no row ids)."""
    c = sqlite3.connect(path)
    try:
        items = {
            r[0]: r[1:]
            for r in c.execute("SELECT id, question_id, respondent_id, position FROM items")
        }
        codes = {r[0]: r[1:] for r in c.execute("SELECT id, codebook_id, key FROM codes")}
        codings = {
            r[0]: (*items[r[1]], *codes[r[2]], *r[3:])
            for r in c.execute('SELECT id, item_id, code_id, coder, start, "end" FROM codings')
        }

        def target(kind: str, ref: str | None):
            if kind == "item":
                return items[int(ref or 0)]
            if kind == "code":
                return codes[int(ref or 0)]
            if kind == "coding":
                return codings[int(ref or 0)]
            return ref

        return {
            "respondents": sorted(c.execute("SELECT id, name FROM respondents")),
            "attributes": sorted(c.execute("SELECT respondent_id, name, value FROM attributes")),
            "codebooks": sorted(c.execute("SELECT * FROM codebooks")),
            "codes": sorted(
                (codes[r[0]], *r[1:-1], codes.get(r[-1]))
                for r in c.execute(
                    "SELECT id, label, definition, source, color, keywords, position, other,"
                    " published_count, published_base, published_year, parent_id FROM codes"
                )
            ),
            "questions": sorted(
                c.execute(
                    "SELECT id, text, kind, codebook_id, position, wave, series FROM questions"
                )
            ),
            "items": sorted(
                c.execute(
                    "SELECT question_id, respondent_id, position, kind, speaker_role, text,"
                    " is_empty, source FROM items"
                )
            ),
            "codings": sorted(
                (*codings[r[0]], *r[1:])
                for r in c.execute("SELECT id, created_at, memo, starred, origin FROM codings")
            ),
            "memos": sorted(
                (r[0], repr(target(r[0], r[1])), *r[2:])
                for r in c.execute("SELECT target, target_id, text, author, created_at FROM memos")
            ),
            "reviews": sorted(
                (*items[r[0]], *r[1:]) for r in c.execute("SELECT item_id, coder, at FROM reviews")
            ),
        }
    finally:
        c.close()


@pytest.fixture
def busy_demo(demo_copy) -> Path:
    """The demo with memos of every kind, a starred coding with a memo, and answers two
    coders marked 'reviewed, no theme applies'."""
    with Project.open(demo_copy, coder="åse") as p:
        item = p.items("interview")[3]
        coding = p.add_coding(
            item.id, p.codebook("interview").codes[1].key, start=0, end=5, memo="Første 5 😀"
        )
        p.star(coding.id)
        p.add_memo("project", None, "Projektnotat om ældre borgere")
        p.add_memo("item", item.id, "Uddraget handler om hjælpemidler")
        p.add_memo("coding", coding.id, "Kodningen er usikker")
        p.add_memo("code", p.db.execute("SELECT id FROM codes LIMIT 1").fetchone()[0], "Overlap")
        p.add_memo("respondent", item.respondent, "Jobcentret blev interviewet to gange")
        answers = [i for i in p.items("strategier") if not i.is_empty]
        p.mark_no_theme(answers[-1].id)
        p.mark_no_theme(answers[-2].id, coder="bo")
    return demo_copy


def test_the_demo_round_trips_through_qdpx_table_by_table(busy_demo, tmp_path):
    out = tmp_path / "demo.qdpx"
    assert run("export", "qdpx", busy_demo, "-o", out).exit_code == 0
    schema = REFI / "schema" / "Project.xsd"
    if schema.exists():  # selections with descriptions, notes on codings: still valid
        with zipfile.ZipFile(out) as z:
            xsd = etree.XMLSchema(etree.parse(str(schema)))
            assert xsd.validate(etree.fromstring(z.read("project.qde"))), xsd.error_log
    back = tmp_path / "tilbage.qualcode.db"
    result = run("import", "qdpx", back, out)
    assert result.exit_code == 0, result.output
    before, after = dump(busy_demo), dump(back)
    assert before["reviews"] and before["memos"] and any(q[5] for q in before["questions"])
    for table in before:
        assert before[table] == after[table], table
    # the waves come back, so the counts have one table per series, as before
    old = run("counts", busy_demo, "--format", "md")
    new = run("counts", back, "--format", "md")
    assert old.exit_code == 0 and new.stdout == old.stdout


def test_the_export_has_no_empty_sources(demo_db, tmp_path):
    out = tmp_path / "demo.qdpx"
    assert run("export", "qdpx", demo_db, "-o", out).exit_code == 0
    with zipfile.ZipFile(out) as z:
        sizes = [i.file_size for i in z.infolist() if i.filename.startswith("sources/")]
        root = etree.fromstring(z.read("project.qde"))
    assert sizes and min(sizes) > 0
    assert len(root.xpath("//p:TextSource", namespaces=NS)) == len(sizes)


def test_the_demo_round_trips_through_qdc_with_its_keys_and_codebooks(demo_db, tmp_path):
    every, one = tmp_path / "alle.qdc", tmp_path / "en.qdc"
    assert run("export", "qdc", demo_db, "-o", every).exit_code == 0
    stem = "lokalpolitiske-strategier"
    assert run("export", "qdc", demo_db, "--codebook", stem, "-o", one).exit_code == 0
    before = dump(demo_db)
    target = tmp_path / "alle.qualcode.db"
    assert run("import", "qdc", target, every).exit_code == 0, "import"
    after = dump(target)
    assert after["codebooks"] == before["codebooks"]
    assert after["codes"] == before["codes"]
    target = tmp_path / "en.qualcode.db"
    assert run("import", "qdc", target, one).exit_code == 0
    after = dump(target)
    assert after["codebooks"] == [b for b in before["codebooks"] if b[0] == stem]
    assert after["codes"] == [c for c in before["codes"] if c[0][0] == stem]


# -- nothing dropped silently ---------------------------------------------------------------


def test_cases_notes_descriptions_and_media_are_kept_or_counted(tmp_path, english):
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Medier" origin="NVivo 14">
  <Users><User guid="{G(1)}" name="Søren"/></Users>
  <CodeBook><Codes><Code guid="{G(2)}" name="Job" isCodable="true"/></Codes></CodeBook>
  <Variables><Variable guid="{G(4)}" name="region" typeOfVariable="Text"/></Variables>
  <Cases><Case guid="{G(5)}" name="JC42">
    <VariableValue><VariableRef targetGUID="{G(4)}"/><TextValue>Fyn</TextValue></VariableValue>
    <SourceRef targetGUID="{G(12)}"/></Case></Cases>
  <Sources>
    <PictureSource guid="{G(12)}" name="tavle.jpg" path="internal://{G(12)}.jpg">
      <PictureSelection guid="{G(13)}" firstX="0" firstY="0" secondX="5" secondY="5">
        <Coding guid="{G(14)}"><CodeRef targetGUID="{G(2)}"/></Coding>
        <Coding guid="{G(15)}"><CodeRef targetGUID="{G(2)}"/></Coding>
      </PictureSelection>
    </PictureSource>
  </Sources>
  <Notes>
    <Note guid="{G(20)}" name="Fra fil" plainTextPath="internal://{G(20)}.txt"/>
    <Note guid="{G(21)}" name="Inde"><PlainTextContent>Noteret i filen</PlainTextContent></Note>
  </Notes>
</Project>"""
    path = make_qdpx(
        tmp_path / "medier.qdpx",
        qde,
        {f"sources/{G(20)}.txt": "\ufeffNotat i sin egen fil\r\nanden linje".encode()},
    )
    target = tmp_path / "p.qualcode.db"
    result = run("import", "qdpx", target, path)
    assert result.exit_code == 0, result.output
    assert "1 source without text left out, with 2 codings" in result.stdout
    assert "tavle.jpg" in result.stdout
    with Project.open(target) as p:
        assert p.respondent("JC42").attributes == {"region": "Fyn"}
        memos = sorted(m.text for m in p.memos("project"))
    assert memos == ["Fra fil: Notat i sin egen fil\nanden linje", "Inde: Noteret i filen"]


def test_a_selections_description_becomes_its_codings_memo(tmp_path):
    qde, files = nvivo_like("NVivo 14", "Fleksjob og mentorer", [(0, 8)])
    qde = qde.replace('endPosition="8">', 'endPosition="8"><Description>Vigtigt</Description>')
    result = run("import", "qdpx", tmp_path / "p.db", make_qdpx(tmp_path / "d.qdpx", qde, files))
    assert result.exit_code == 0, result.output
    with Project.open(tmp_path / "p.db") as p:
        (coding,) = p.codings()
        assert coding.memo == "Vigtigt"


# -- other readers read qualcode's export ----------------------------------------------------


def expected_passages(project: Path) -> list[tuple[str, str]]:
    """(code label, passage text) of every coding, as qualcode holds them."""
    with Project.open(project) as p:
        out = []
        for c in p.codings():
            item = p.item(c.item_id)
            label = p.codebook(p.question(item.question).codebook).code(c.code).label
            text = item.text if c.start is None else item.text[c.start : c.end]
            if text:
                out.append((label, text))
        return sorted(out)


@pytest.mark.parametrize("which", ["demo", "emoji"])
def test_pyqdpx_reads_every_code_source_and_passage(which, busy_demo, tmp_path):
    import pyqdpx  # a dev dependency: a missing reader fails, it is not skipped

    project = busy_demo if which == "demo" else emoji_project(tmp_path)
    out = tmp_path / f"{which}.qdpx"
    assert run("export", "qdpx", project, "-o", out).exit_code == 0
    qde = pyqdpx.QDPX(str(out)).get_project()
    with Project.open(project) as p:
        n_codes = sum(len(p.codebook(s)) for s in p.codebook_stems())
        coders = set(p.coders())
    codable = [c for c in qde.codes.values() if c.is_codable]
    assert len(codable) == n_codes
    with zipfile.ZipFile(out) as z:
        n_sources = len([n for n in z.namelist() if n.startswith("sources/")])
    assert len(qde.sources) == n_sources
    read = sorted(
        (sel.code.name, sel.text.replace("\u200b", ""))  # pyqdpx pads emoji to two
        for source in qde.sources.values()
        for sel in source.coded_selections.values()
    )
    assert read == expected_passages(project)
    users = {sel.user.name for s in qde.sources.values() for sel in s.coded_selections.values()}
    assert users <= coders


def test_qdapy_reads_every_code_source_and_passage(busy_demo, tmp_path):
    import qdapy

    out = tmp_path / "demo.qdpx"
    assert run("export", "qdpx", busy_demo, "-o", out).exit_code == 0
    read = qdapy.read_qdpx(out, warn=False)
    with Project.open(busy_demo) as p:
        stems = p.codebook_stems()
        n_codes = sum(len(p.codebook(s)) for s in stems)
    with zipfile.ZipFile(out) as z:
        n_sources = len([n for n in z.namelist() if n.startswith("sources/")])
    assert len(read.sources) == n_sources
    # every code, under a group code per codebook
    assert len(read.codebook) == n_codes + len(stems)
    names = dict(zip(read.codebook["codeId"], read.codebook["name"], strict=True))
    frags = read.fragments
    got = sorted(zip([names[c] for c in frags["codeId"]], frags["text"], strict=True))
    assert got == expected_passages(busy_demo)
    with Project.open(busy_demo) as p:
        assert set(frags["codedBy"]) <= set(p.coders())
