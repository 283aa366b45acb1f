"""REFI-QDA exchange: .qdc/.qdpx written by qualcode validate against the REFI schemas
(lxml and the stricter xmlschema), read back exactly, and the other tools' sample files
import without loss or are refused in one line that changes nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from helpers import (
    REFI,
    REPO,
    assert_one_line_error,
    needs_shared,
    require_shared,
    run,
    snapshot,
)
from qualcode.core.project import Project
from qualcode.errors import QualcodeError
from qualcode.io import refiqda

SCHEMA = REFI / "schema"
SAMPLES = REFI / "samples"
NS = {"p": refiqda.NS_PROJECT, "c": refiqda.NS_CODEBOOK}

# every valid sample, with what it holds: (codes, text sources, text selections)
VALID = {
    "DEpt-metagenom__pyqdpx__oltas0517.qdpx": (152, 2, 303),
    "aadorian__uto_tag__codebook.qdc": (3, 0, 0),
    "bedingjd__paper_themes__2025-06-16_ICLS_Conf_Themes_ALL_just10.zip": (307, 10, 0),
    "cproctor__qualitative-coding__demo.qdpx": (262, 2, 158),
    "cproctor__qualitative-coding__nvivo_project.qdpx": (262, 2, 0),
    "enricllagostera__ponte__blank-atlas-project.qdpx": (0, 0, 0),
    "enricllagostera__ponte__target-atlas-project.qdpx": (3, 0, 0),
    "openqda__refi-tools__example_codebook.qdc": (44, 0, 0),
    "sky-loom__refi-qda__Project.qde": (14, 6, 6),
    "sky-loom__refi-qda__TestProject.qdpx": (14, 6, 6),
}
# the sky-loom files carry no source text (a bare .qde; an archive with an empty Sources/)
TEXT_MISSING = {"sky-loom__refi-qda__Project.qde", "sky-loom__refi-qda__TestProject.qdpx"}


@pytest.fixture(scope="module")
def schemas():
    require_shared(SCHEMA)
    import xmlschema

    return {
        "project": (
            etree.XMLSchema(etree.parse(str(SCHEMA / "Project.xsd"))),
            xmlschema.XMLSchema(str(SCHEMA / "Project.xsd")),
        ),
        "codebook": (
            etree.XMLSchema(etree.parse(str(SCHEMA / "Codebook.xsd"))),
            xmlschema.XMLSchema(str(SCHEMA / "Codebook.xsd")),
        ),
    }


def assert_valid(xml: bytes, schemas, kind: str) -> None:
    lx, xs = schemas[kind]
    doc = etree.fromstring(xml)
    assert lx.validate(doc), lx.error_log
    errors = list(xs.iter_errors(xml.decode("utf-8")))
    assert not errors, errors[0]


def qde_of(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("project.qde")


@pytest.fixture(scope="module")
def demo_qdpx(demo_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("refi") / "demo.qdpx"
    result = run("export", "qdpx", demo_db, "-o", out)
    assert result.exit_code == 0, result.output
    return out


def rows(project: Project):
    """Everything a round trip must keep, without the database's own ids."""
    items = {
        r[0]: r[1:4]
        for r in project.db.execute("SELECT id, question_id, respondent_id, position FROM items")
    }
    return {
        "items": sorted(
            project.db.execute(
                "SELECT question_id, respondent_id, position, kind, speaker_role, text, is_empty,"
                " source FROM items"
            ).fetchall()
        ),
        "codings": sorted(
            (*items[c.item_id], c.code, c.coder, c.start, c.end, c.created_at, c.memo)
            for c in project.codings()
        ),
        "stars": sorted(
            (*items[r[0]], r[1])
            for r in project.db.execute("SELECT item_id, starred FROM codings WHERE starred = 1")
        ),
        "questions": project.questions(),
        "respondents": project.respondents(),
    }


# -- writing ------------------------------------------------------------------------------


def test_demo_qdpx_validates_with_lxml_and_xmlschema(demo_qdpx, schemas):
    assert_valid(qde_of(demo_qdpx), schemas, "project")


def test_demo_qdpx_holds_the_whole_project(demo_qdpx, demo_db):
    root = etree.fromstring(qde_of(demo_qdpx))
    with Project.open(demo_db) as p:
        n_codes = sum(len(p.codebook(s)) for s in p.codebook_stems())
        n_codings = len(p.codings())
        n_respondents = len(p.respondents())
        coders = set(p.coders())
        # one source per question and respondent with text: an empty answer has none
        pairs = p.db.execute(
            "SELECT COUNT(DISTINCT question_id || '/' || respondent_id) FROM items WHERE text != ''"
        ).fetchone()[0]
    codable = root.xpath("//p:Code[@isCodable='true']", namespaces=NS)
    assert len(codable) == n_codes
    assert len(root.xpath("//p:Case", namespaces=NS)) == n_respondents
    assert len(root.xpath("//p:TextSource", namespaces=NS)) == pairs
    assert len(root.xpath("//p:PlainTextSelection/p:Coding", namespaces=NS)) == n_codings
    assert {u.get("name") for u in root.xpath("//p:User", namespaces=NS)} == coders
    with zipfile.ZipFile(demo_qdpx) as z:
        names = z.namelist()
        assert len([n for n in names if n.startswith("sources/")]) == pairs
        # each selection's passage is in its source's text, in Danish, as UTF-8
        source = root.xpath("//p:TextSource[p:PlainTextSelection]", namespaces=NS)[0]
        text = z.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
    sel = source.xpath("p:PlainTextSelection", namespaces=NS)[0]
    assert 0 <= int(sel.get("startPosition")) < int(sel.get("endPosition")) <= len(text)
    assert any(ch in qde_of(demo_qdpx).decode("utf-8") for ch in "æøå")


def test_exporting_twice_gives_the_same_bytes(demo_db, demo_qdpx):
    with Project.open(demo_db) as p:
        assert refiqda.export_qdpx(p) == demo_qdpx.read_bytes()
        assert refiqda.export_qdc(p) == refiqda.export_qdc(p)


def test_guids_are_guids_and_unique(demo_qdpx):
    root = etree.fromstring(qde_of(demo_qdpx))
    guids = [el.get("guid") for el in root.iter() if el.get("guid")]
    assert len(guids) == len(set(guids))
    import re

    # lower case: the schema takes both, pyqdpx only lower case
    assert all(re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", g) for g in guids)


def test_qdc_of_one_codebook_and_of_all_validate(demo_db, tmp_path, schemas):
    one, every = tmp_path / "strategier.qdc", tmp_path / "alle.qdc"
    assert (
        run(
            "export", "qdc", demo_db, "--codebook", "lokalpolitiske-strategier", "-o", one
        ).exit_code
        == 0
    )
    assert run("export", "qdc", demo_db, "-o", every).exit_code == 0
    for path in (one, every):
        assert_valid(path.read_bytes(), schemas, "codebook")
    root = etree.fromstring(one.read_bytes())
    with Project.open(demo_db) as p:
        book = p.codebook("lokalpolitiske-strategier")
        stems = p.codebook_stems()
    codes = root.xpath("//c:Code", namespaces=NS)
    assert [c.get("name") for c in codes] == [c.label for c in book.codes]
    assert [c.get("color") for c in codes] == [c.color for c in book.codes]
    assert codes[0].findtext("c:Description", namespaces=NS) == book.codes[0].definition
    groups = etree.fromstring(every.read_bytes()).xpath("/c:CodeBook/c:Codes/c:Code", namespaces=NS)
    assert len(groups) == len(stems) and {g.get("isCodable") for g in groups} == {"false"}


def test_qdc_to_stdout_is_the_xml(demo_db):
    result = run("export", "qdc", demo_db, "--codebook", "udfordringer-fysiske")
    assert result.exit_code == 0
    assert (
        result.stdout_bytes.startswith(b"<?xml")
        and b"urn:QDA-XML:codebook:1.0" in result.stdout_bytes
    )


def test_export_refuses_to_overwrite_without_force(demo_db, tmp_path):
    out = tmp_path / "projekt.qdpx"
    out.write_bytes(b"gammel")
    assert_one_line_error(run("export", "qdpx", demo_db, "-o", out), str(out), "--force")
    assert out.read_bytes() == b"gammel"
    assert run("export", "qdpx", demo_db, "-o", out, "--force").exit_code == 0
    assert zipfile.is_zipfile(out)


def test_export_of_an_unknown_codebook_is_one_line(demo_db, tmp_path):
    assert_one_line_error(
        run("export", "qdc", demo_db, "--codebook", "findes-ikke", "-o", tmp_path / "x.qdc"),
        "findes-ikke",
    )
    assert not (tmp_path / "x.qdc").exists()


# -- the round trip --------------------------------------------------------------------------


def test_round_trip_keeps_counts_spans_items_and_codebooks(demo_db, demo_qdpx, tmp_path):
    target = tmp_path / "ny.qualcode.db"
    result = run("import", "qdpx", target, demo_qdpx)
    assert result.exit_code == 0, result.output
    with Project.open(demo_db) as old, Project.open(target) as new:
        pairs = old.db.execute(
            "SELECT COUNT(DISTINCT question_id || '/' || respondent_id) FROM items WHERE text != ''"
        ).fetchone()[0]
        assert f"{pairs} tekstkilder" in result.stdout
        for q in old.questions():
            a, b = old.counts(q.id), new.counts(q.id)
            assert (
                a[["code", "respondents", "answered"]].values.tolist()
                == b[["code", "respondents", "answered"]].values.tolist()
            ), q.id
        assert rows(old) == rows(new)
        for stem in old.codebook_stems():
            a, b = old.codebook(stem), new.codebook(stem)
            assert (a.codes, a.title, a.published_source) == (b.codes, b.title, b.published_source)


def test_importing_the_same_qdpx_again_changes_nothing(demo_qdpx, tmp_path):
    target = tmp_path / "ny.qualcode.db"
    assert run("import", "qdpx", target, demo_qdpx).exit_code == 0
    before = snapshot(target)
    again = run("import", "qdpx", target, demo_qdpx)
    assert again.exit_code == 0 and "intet nyt" in again.stdout
    assert snapshot(target) == before


def test_memos_stars_and_coding_memos_round_trip(demo_copy, tmp_path):
    with Project.open(demo_copy, coder="åse") as p:
        item = p.items("interview")[3]
        coding = p.add_coding(
            item.id,
            p.codebook("interview").codes[1].key,
            start=0,
            end=5,
            memo="Første fem tegn – vigtigt",
        )
        p.star(coding.id)
        p.add_memo("project", None, "Projektnotat om ældre borgere")
        p.add_memo("item", item.id, "Uddraget handler om hjælpemidler")
        p.add_memo("coding", coding.id, "Kodningen er usikker")
        p.add_memo(
            "code",
            p.db.execute("SELECT id FROM codes LIMIT 1").fetchone()[0],
            "Koden overlapper en anden",
        )
        p.add_memo("respondent", item.respondent, "Jobcentret blev interviewet to gange")
    out = tmp_path / "med-memoer.qdpx"
    assert run("export", "qdpx", demo_copy, "-o", out).exit_code == 0
    target = tmp_path / "ny.qualcode.db"
    assert run("import", "qdpx", target, out).exit_code == 0
    with Project.open(demo_copy) as old, Project.open(target) as new:
        assert rows(old) == rows(new)

        def memos(p: Project):
            out = []
            for m in p.memos():
                where = m.target_id
                if m.target == "item":
                    it = p.item(int(m.target_id))
                    where = (it.question, it.respondent, it.position)
                elif m.target == "coding":
                    c = p.coding(int(m.target_id))
                    it = p.item(c.item_id)
                    where = (it.respondent, it.position, c.code, c.start, c.end)
                elif m.target == "code":
                    where = p.db.execute(
                        "SELECT codebook_id, key FROM codes WHERE id = ?", [int(m.target_id)]
                    ).fetchone()
                out.append((m.target, where, m.text, m.author, m.created_at))
            return sorted(out, key=repr)

        assert len(memos(old)) == 5
        assert memos(old) == memos(new)


# -- other tools' files -----------------------------------------------------------------------


@needs_shared(SAMPLES)
@pytest.mark.parametrize("name", sorted(VALID))
def test_every_valid_sample_imports_without_loss(name, tmp_path):
    codes, sources, selections = VALID[name]
    refi = refiqda.read_refiqda(SAMPLES / name)
    assert (len(refi.codes), len(refi.text_sources), refi.selection_count) == (
        codes,
        sources,
        selections,
    )
    target = tmp_path / "p.qualcode.db"
    result = run("import", "qdpx" if not name.endswith(".qdc") else "qdc", target, SAMPLES / name)
    assert result.exit_code == 0, result.output
    with Project.open(target) as p:
        stems = p.codebook_stems()
        n_codes = sum(len(p.codebook(s)) for s in stems)
        assert n_codes == codes
        items = p.db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        spans = p.db.execute(
            "SELECT COUNT(DISTINCT item_id || ':' || start || '-' || \"end\")"
            " FROM codings WHERE start IS NOT NULL"
        ).fetchone()[0]
        n_codings = p.db.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
    if name in TEXT_MISSING:
        assert items == 0 and n_codings == 0
        assert (
            result.stdout.count(
                "mangler i arkivet" if name.endswith(".qdpx") else "ikke med i en enkelt .qde"
            )
            == sources
        )
        assert "billedkilde er ikke tekst" in result.stdout
        assert "videokilde er ikke tekst" in result.stdout
    else:
        assert items == sources
        assert f"{selections} markeringer" in result.stdout or not sources
        # selections on the same passage of the same source are one span here
        assert spans <= selections and n_codings >= selections
    again = run("import", "qdpx" if not name.endswith(".qdc") else "qdc", target, SAMPLES / name)
    assert again.exit_code == 0 and (
        "intet nyt" in again.stdout or "intet at importere" in again.stdout
    )


@needs_shared(SAMPLES)
def test_the_cproctor_sample_keeps_every_coding_and_nesting(tmp_path):
    target = tmp_path / "p.qualcode.db"
    path = SAMPLES / "cproctor__qualitative-coding__demo.qdpx"
    refi = refiqda.read_qdpx(path)
    assert (
        run(
            "import", "qdpx", target, path, "--question", "board", "--codebook", "qc-koder"
        ).exit_code
        == 0
    )
    with Project.open(target) as p:
        book = p.codebook("qc-koder")
        assert sum(1 for c in book if c.parent) == 259
        assert len({c.label for c in book}) == 262  # duplicated names made unique
        codings = p.codings(question="board")
        assert len(codings) == sum(
            len(s.codings) for src in refi.text_sources for s in src.selections
        )
        assert {c.coder for c in codings} == {"cp"}
        # the passage each selection names is where qualcode puts it
        sel = refi.text_sources[0].selections[0]
        item = (
            p.items("board")[0]
            if p.items("board")[0].respondent == "board_2017"
            else p.items("board")[1]
        )
        assert item.respondent == "board_2017"
        assert any((c.start, c.end) == (sel.start, sel.end) for c in p.codings(item_id=item.id))


@needs_shared(SAMPLES)
def test_nvivo_sources_users_and_non_codable_codes(tmp_path):
    target = tmp_path / "p.qualcode.db"
    path = SAMPLES / "DEpt-metagenom__pyqdpx__oltas0517.qdpx"
    assert run("import", "qdpx", target, path, "--question", "oltas").exit_code == 0
    with Project.open(target) as p:
        coders = set(p.coders("oltas"))
        assert coders <= {"Gergo", "floriansipos"} and coders
        items = p.items("oltas")
        assert len(items) == 2 and all(len(i.text) > 100_000 for i in items)
        # Hungarian text is read as UTF-8: the codes' accented names survive
        assert p.codebook("dept-metagenom-pyqdpx-oltas0517").code("1. Oltás típusa")


@needs_shared(SAMPLES)
def test_nvivo_mac_text_comes_from_the_docx_when_the_txt_is_blank(tmp_path):
    path = SAMPLES / "cproctor__qualitative-coding__nvivo_project.qdpx"
    refi = refiqda.read_qdpx(path)
    with zipfile.ZipFile(path) as z:
        assert z.read(f"sources/{refi.text_sources[0].guid}.txt").strip() == b""
    assert all(s.text is not None for s in refi.text_sources)


@needs_shared(SAMPLES)
def test_openqda_ids_that_are_not_guids_and_its_colours(tmp_path):
    target = tmp_path / "p.qualcode.db"
    assert (
        run(
            "import",
            "qdc",
            target,
            SAMPLES / "openqda__refi-tools__example_codebook.qdc",
            "--codebook",
            "stemninger",
        ).exit_code
        == 0
    )
    with Project.open(target) as p:
        book = p.codebook("stemninger")
        assert len(book) == 44 and sum(1 for c in book if c.parent) == 40
        assert book.code("Rage").color == "#C95858"
        assert book.code("Negativ/Aufgeregt").definition.startswith("All emotions")


@needs_shared(SAMPLES)
def test_taguettes_empty_sets_is_read(tmp_path):
    refi = refiqda.read_qdc(SAMPLES / "aadorian__uto_tag__codebook.qdc")
    assert [c.name for c in refi.codes] == ["xsd:element name", "CodeBook", "Variables"]


@needs_shared(SAMPLES)
@pytest.mark.parametrize(
    "name, needles",
    [
        (
            "openqda__refi-tools__example_codebook_defect.qdc",
            ("linje 132, kolonne 19", "ikke velformet"),
        ),
        (
            "bedingjd__paper_themes__project_with_generated_codes.qde",
            ("linje 6", "urn:QDA-XML:codebook:0:4"),
        ),
    ],
)
def test_invalid_samples_are_refused_in_one_line_and_change_nothing(
    name, needles, project, project_path
):
    before = snapshot(project_path)
    kind = "qdc" if name.endswith(".qdc") else "qdpx"
    assert_one_line_error(run("import", kind, project_path, SAMPLES / name), name, *needles)
    assert snapshot(project_path) == before


@needs_shared(SAMPLES)
def test_a_failed_import_into_a_new_file_leaves_no_file(tmp_path):
    target = tmp_path / "ny.qualcode.db"
    assert_one_line_error(
        run("import", "qdc", target, SAMPLES / "openqda__refi-tools__example_codebook_defect.qdc")
    )
    assert not target.exists()


# -- files made here: colours, cases, docx, conflicts, hostile archives ------------------------


def make_qdpx(
    path: Path, qde: str, files: dict[str, bytes] | None = None, *, compress: bool = False
) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(
        buf,
        "w",
        zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED,
        compresslevel=9 if compress else None,
    ) as z:
        z.writestr("project.qde", qde.encode("utf-8"))
        for name, data in (files or {}).items():
            z.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


G = "{:08X}-0000-4000-8000-000000000000".format
TEXT = "Vi har fået flere hjælpemidler. Økonomien er stram på Ærø."


def danish_project(colour: str = "#1F77B4") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Ærø-projekt" origin="hånd">
  <Users><User guid="{G(1)}" name="Søren"/></Users>
  <CodeBook><Codes>
    <Code guid="{G(2)}" name="Økonomi" isCodable="true" color="{colour}">
      <Description>Når økonomien nævnes</Description>
      <Code guid="{G(3)}" name="Hjælpemidler" isCodable="true" color="#abc"/>
    </Code>
  </Codes></CodeBook>
  <Variables><Variable guid="{G(4)}" name="region" typeOfVariable="Text"/></Variables>
  <Cases><Case guid="{G(5)}" name="JC42">
    <VariableValue><VariableRef targetGUID="{G(4)}"/><TextValue>Syddanmark</TextValue>
    </VariableValue><SourceRef targetGUID="{G(6).lower()}"/></Case></Cases>
  <Sources>
    <TextSource guid="{G(6)}" name="Interview Ærø" plainTextPath="internal://{G(6)}.txt">
      <PlainTextSelection guid="{G(7)}" startPosition="18" endPosition="30"
          creatingUser="{G(1)}">
        <Coding guid="{G(8)}" creatingUser="{G(1)}"><CodeRef targetGUID="{G(3)}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{G(9)}" startPosition="32" endPosition="41">
        <Description>Uden kode</Description>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="{G(10)}" name="Notat" richTextPath="internal://{G(10)}.docx"/>
    <TextSource guid="{G(11)}" name="Indlejret"><PlainTextContent>Kort tekst om ældre.
</PlainTextContent></TextSource>
    <PictureSource guid="{G(12)}" name="billede.jpg" path="internal://{G(12)}.jpg"/>
  </Sources>
</Project>
"""


def docx_bytes(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_a_danish_project_with_cases_docx_and_a_picture(tmp_path):
    path = make_qdpx(
        tmp_path / "ærø.qdpx",
        danish_project("#11223344"),
        {
            f"Sources/{G(6).lower()}.TXT": TEXT.encode("utf-8"),
            f"sources/{G(10)}.docx": docx_bytes("Notat fra mødet i Søby."),
        },
    )
    target = tmp_path / "p.qualcode.db"
    result = run("import", "qdpx", target, path, "--question", "aero")
    assert result.exit_code == 0, result.output
    assert "billede.jpg" in result.stdout and "billedkilde er ikke tekst" in result.stdout
    assert "1 ugyldig farve erstattet" in result.stdout
    with Project.open(target) as p:
        assert p.respondent("JC42").attributes == {"region": "Syddanmark"}
        texts = {i.respondent: i.text for i in p.items("aero")}
        assert texts == {
            "JC42": TEXT,
            "Notat": "Notat fra mødet i Søby.",
            "Indlejret": "Kort tekst om ældre.\n",
        }
        book = p.codebook("aero")
        assert book.code("Hjælpemidler").parent == book.code("Økonomi").key
        assert book.code("Hjælpemidler").color == "#AABBCC"
        assert book.code("Økonomi").color.startswith("#") and len(book.code("Økonomi").color) == 7
        (coding,) = p.codings(question="aero")
        assert (coding.coder, TEXT[coding.start : coding.end]) == ("Søren", "hjælpemidler")
        (memo,) = p.memos("item")
        assert "Uden kode" in memo.text


def test_a_qdc_with_bad_colours_gets_palette_colours(tmp_path, schemas):
    qdc = tmp_path / "farver.qdc"
    qdc.write_text(
        f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="{G(1)}" name="Rød" isCodable="true" color="#11223344"/>
<Code guid="{G(2)}" name="Blå" isCodable="true" color="blue"/>
<Code guid="{G(3)}" name="Grøn" isCodable="true" color="#00ff00"/>
</Codes></CodeBook>""",
        encoding="utf-8",
    )
    target = tmp_path / "p.qualcode.db"
    result = run("import", "qdc", target, qdc)
    assert result.exit_code == 0 and "2 ugyldige farver erstattet" in result.stdout
    with Project.open(target) as p:
        book = p.codebook("farver")
        assert book.code("Grøn").color == "#00FF00"
        assert all(len(c.color) == 7 for c in book)
        assert_valid(refiqda.export_qdc(p), schemas, "codebook")  # xmlschema checks colours


def test_an_existing_codebook_without_the_files_codes_is_refused(tmp_path):
    target = tmp_path / "p.qualcode.db"
    first = tmp_path / "koder.qdc"
    first.write_text(
        f"""<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="{G(1)}" name="Økonomi" isCodable="true"/></Codes></CodeBook>""",
        encoding="utf-8",
    )
    assert run("import", "qdc", target, first).exit_code == 0
    second = tmp_path / "flere.qdc"
    second.write_text(
        first.read_text(encoding="utf-8").replace(
            "</Codes>", f'<Code guid="{G(2)}" name="Ny kode" isCodable="true"/></Codes>'
        ),
        encoding="utf-8",
    )
    before = snapshot(target)
    assert_one_line_error(
        run("import", "qdc", target, second, "--codebook", "koder"), "Ny kode", "--codebook"
    )
    assert snapshot(target) == before


def test_an_item_with_another_text_is_refused(tmp_path):
    target = tmp_path / "p.qualcode.db"
    first = make_qdpx(
        tmp_path / "a.qdpx", danish_project(), {f"sources/{G(6)}.txt": TEXT.encode("utf-8")}
    )
    assert run("import", "qdpx", target, first, "--question", "q", "--codebook", "k").exit_code == 0
    changed = make_qdpx(
        tmp_path / "b.qdpx",
        danish_project(),
        {f"sources/{G(6)}.txt": TEXT.replace("stram", "god").encode("utf-8")},
    )
    before = snapshot(target)
    assert_one_line_error(
        run("import", "qdpx", target, changed, "--question", "q", "--codebook", "k"),
        "JC42",
        "en anden tekst",
    )
    assert snapshot(target) == before


def test_a_selection_outside_its_text_is_skipped_and_said(tmp_path):
    path = make_qdpx(tmp_path / "kort.qdpx", danish_project(), {f"sources/{G(6)}.txt": b"For kort"})
    target = tmp_path / "p.qualcode.db"
    result = run("import", "qdpx", target, path)
    assert result.exit_code == 0
    assert "markeringen 18-30" in result.stdout and "uden for dens tekst" in result.stdout


@pytest.mark.parametrize("reader", ["read_qdc", "read_qde", "read_qdpx"])
def test_a_doctype_is_refused_in_one_line(reader, tmp_path):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" name="&lol2;"'
        ' isCodable="true"/></Codes></CodeBook>'
    )
    path = tmp_path / "lol.qdc"
    path.write_text(laughs)
    if reader == "read_qdpx":
        path = make_qdpx(tmp_path / "lol.qdpx", laughs)
    with pytest.raises(QualcodeError) as err:
        getattr(refiqda, reader)(path)
    assert "DOCTYPE" in str(err.value) and len(str(err.value).splitlines()) == 1


def test_a_zip_bomb_entry_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(refiqda, "MAX_ENTRY_BYTES", 1000)
    path = make_qdpx(
        tmp_path / "bombe.qdpx", danish_project(), {f"sources/{G(6)}.txt": b"a" * 5000}
    )
    target = tmp_path / "p.qualcode.db"
    line = assert_one_line_error(run("import", "qdpx", target, path), "bombe.qdpx")
    assert "udpakket" in line and ".txt" in line
    assert not target.exists()


@pytest.mark.parametrize(
    "content, needle",
    [
        (b"not a zip at all", "ikke et zip-arkiv"),
        (b"PK\x03\x04 broken", "ikke et zip-arkiv"),
    ],
)
def test_broken_archives_are_one_line(content, needle, tmp_path):
    path = tmp_path / "x.qdpx"
    path.write_bytes(content)
    with pytest.raises(QualcodeError, match=needle):
        refiqda.read_qdpx(path)


def test_an_archive_without_project_qde(tmp_path, project, project_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("sources/a.txt", "tekst")
    path = tmp_path / "tom.qdpx"
    path.write_bytes(buf.getvalue())
    before = snapshot(project_path)
    assert_one_line_error(run("import", "qdpx", project_path, path), "ingen project.qde")
    assert snapshot(project_path) == before


def test_a_codebook_given_to_import_qdpx_and_a_project_to_import_qdc(tmp_path, demo_qdpx):
    target = tmp_path / "p.qualcode.db"
    assert_one_line_error(run("import", "qdc", target, demo_qdpx), "zip-arkiv")
    qde = tmp_path / "projekt.qde"
    qde.write_bytes(qde_of(demo_qdpx))
    assert_one_line_error(run("import", "qdc", target, qde), "import qdpx")


# -- archives: limits on the directory, before anything is expanded (issue 11, item 9) ------


def raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip archive written byte by byte: (name, data as stored, method, crc, size), so a
    member's stored bytes can be a deflate stream made here (zipfile cannot write one)."""
    import struct

    out, central = io.BytesIO(), io.BytesIO()
    for name, data, method, crc, size in members:
        offset, raw = out.tell(), name.encode("utf-8")
        out.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                0,
                method,
                0,
                0x2821,
                crc,
                len(data),
                size,
                len(raw),
                0,
            )
            + raw
            + data
        )
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                0,
                0x2821,
                crc,
                len(data),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                0o644 << 16,
                offset,
            )
            + raw
        )
    start, directory = out.tell(), central.getvalue()
    out.write(
        directory
        + struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), start, 0
        )
    )
    return out.getvalue()


def deflated(data: bytes) -> tuple[str, bytes, int, int, int]:
    import zlib

    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return ("", c.compress(data) + c.flush(), 8, zlib.crc32(data), len(data))


def docx_bomb(megabytes: int) -> bytes:
    """A real DOCX whose word/document.xml is ``megabytes`` MB of zeros, deflated (about a
    thousandth of that), with a true CRC: python-docx would expand all of it."""
    import zlib

    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(b"\0" * 2**20) + c.flush(zlib.Z_FULL_FLUSH)  # the same bytes for
    stream = block * megabytes + c.flush()  # each MB: a full flush starts afresh
    crc, mb = 0, b"\0" * 2**20
    for _ in range(megabytes):
        crc = zlib.crc32(mb, crc)
    members = [(name, *deflated(text.encode("utf-8"))[1:]) for name, text in MINIMAL_DOCX]
    return raw_zip([*members, ("word/document.xml", stream, 8, crc, megabytes * 2**20)])


MINIMAL_DOCX = [  # what python-docx needs besides word/document.xml
    (
        "[Content_Types].xml",
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="'
        'application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    (
        "_rels/.rels",
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="'
        'word/document.xml"/></Relationships>',
    ),
]


def bomb_qdpx(path: Path, megabytes: int) -> Path:
    """danish_project() with the .docx source a DOCX bomb; the archive is a few KB."""
    return make_qdpx(
        path,
        danish_project(),
        {
            f"sources/{G(6)}.txt": TEXT.encode("utf-8"),
            f"sources/{G(10)}.docx": docx_bomb(megabytes),
        },
        compress=True,
    )


LIMIT_AS = """
import resource, runpy, sys
resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))
sys.argv = ["qualcode", *sys.argv[1:]]
runpy.run_module("qualcode", run_name="__main__")
"""


@pytest.mark.parametrize(
    "megabytes, caught_by",
    [
        (1000, "DOCX-fil"),  # the DOCX in the .qdpx is under 1 MB: its own directory says 1 GB
        (4000, "REFI-QDA-projekt"),  # the DOCX expands 1000 times inside the .qdpx already
    ],
)
def test_a_docx_bomb_in_an_8_kb_qdpx_fails_in_seconds_in_1_gb(tmp_path, megabytes, caught_by):
    import os
    import subprocess
    import sys
    import time

    path = bomb_qdpx(tmp_path / "bombe.qdpx", megabytes)
    assert path.stat().st_size < 12_000
    target = tmp_path / "p.qualcode.db"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "src"),
        "QUALCODE_HOME": str(tmp_path),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", LIMIT_AS, "import", "qdpx", str(target), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    seconds = time.perf_counter() - started
    assert out.returncode == 1, (out.returncode, out.stderr[-2000:])
    assert out.stdout == ""
    (line,) = out.stderr.splitlines()
    assert line.startswith(f"qualcode: fejl: {path}") and caught_by in line, line
    assert "udpakket" in line and "MemoryError" not in line, line
    assert seconds < 30, seconds
    assert not target.exists()


def test_the_same_qdpx_with_a_small_docx_imports(tmp_path):
    path = make_qdpx(
        tmp_path / "ok.qdpx",
        danish_project(),
        {
            f"sources/{G(6)}.txt": TEXT.encode("utf-8"),
            f"sources/{G(10)}.docx": docx_bytes("Notat fra mødet i Søby."),
        },
        compress=True,
    )
    result = run("import", "qdpx", tmp_path / "p.qualcode.db", path, "--question", "aero")
    assert result.exit_code == 0, result.output
    with Project.open(tmp_path / "p.qualcode.db") as p:
        assert "Notat fra mødet i Søby." in {i.text for i in p.items("aero")}


def test_a_text_source_bomb_is_refused_before_it_is_expanded(tmp_path, monkeypatch):
    import zlib

    path = tmp_path / "bombe.qdpx"
    qde = danish_project().encode("utf-8")
    path.write_bytes(
        raw_zip(
            [
                ("project.qde", *deflated(qde)[1:]),
                (f"sources/{G(6)}.txt", *deflated(b"a" * 300 * 2**20)[1:]),
            ]
        )
    )
    assert path.stat().st_size < 400_000

    def no_reading(*args, **kwargs):
        raise AssertionError("a member was expanded")

    monkeypatch.setattr(zlib, "decompressobj", no_reading)  # zipfile's way to inflate
    with pytest.raises(QualcodeError) as err:
        refiqda.read_qdpx(path)
    message = str(err.value)
    assert len(message.splitlines()) == 1 and f"{G(6)}.txt" in message
    assert "zip-bombe" in message


def test_a_web_page_saved_as_qdpx_is_not_a_zip_archive(tmp_path, project, project_path):
    path = tmp_path / "projekt.qdpx"
    path.write_text("<!DOCTYPE html>\n<html><body>Log ind</body></html>\n", encoding="utf-8")
    before = snapshot(project_path)
    line = assert_one_line_error(
        run("import", "qdpx", project_path, path), "projekt.qdpx", "ikke et zip-arkiv"
    )
    assert "DOCTYPE" not in line
    assert snapshot(project_path) == before


@pytest.mark.parametrize(
    "names, needles",
    [
        (["a.qde", "b/b.qde"], ("2 .qde-filer", "'a.qde'", "'b/b.qde'")),
        (["Project.qde", "project.qde"], ("'Project.qde'", "'project.qde'", "andre bogstaver")),
    ],
)
def test_an_archive_with_two_projects_says_so(tmp_path, names, needles):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in names:
            z.writestr(name, danish_project())
    path = tmp_path / "to.qdpx"
    path.write_bytes(buf.getvalue())
    target = tmp_path / "p.qualcode.db"
    line = assert_one_line_error(run("import", "qdpx", target, path), "to.qdpx", *needles)
    assert "ingen project.qde" not in line or "og ingen project.qde" in line
    assert not target.exists()
