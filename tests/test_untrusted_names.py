"""Names from data never become paths unchecked (issue 11, item 7).

A codebook's stem names its model folder (<project>.models/<stem>) and 'qualcode train'
replaces that folder. A stem of '..' from a colleague's .qdpx once emptied the project's
own folder, and '../../x' a folder outside it. Here such names come in through every door
(a REFI-QDA file's hints, --codebook, a YAML file's name) and training runs after them;
the files around the project stay exactly as they were."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from helpers import assert_one_line_error, run, snapshot, write_csv
from qualcode.core.project import Project
from qualcode.io import refiqda
from qualcode.safe import is_path_name

ROWS = [
    ["jobcenter_id", "strategi", "udfordring"],
    ["JC01", "Vi har fokus på fleksjob og virksomheder.", "Transport er svært for borgerne."],
    ["JC02", "Fleksjob er skrevet ind i planen.", "Borgerne mangler transport."],
    ["JC03", "Mere samarbejde med virksomhederne.", "Arbejdsgiverne er bekymrede."],
    ["JC04", "Ingen særlig strategi.", "Arbejdsgiverne siger nej."],
]


def listing(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file and folder under ``folder`` with its bytes, but those under ``skip``."""
    out = {}
    for p in sorted(folder.rglob("*")):
        name = str(p.relative_to(folder))
        if not name.startswith(skip):
            out[name] = b"<dir>" if p.is_dir() else p.read_bytes()
    return out


@pytest.fixture(scope="module")
def qualcode_qdpx(tmp_path_factory) -> Path:
    """A small qualcode project exported as .qdpx: two questions, two codebooks, codings."""
    folder = tmp_path_factory.mktemp("kilde")
    csv = write_csv(folder / "svar.csv", ROWS)
    db = folder / "kilde.qualcode.db"
    result = run(
        "import",
        "answers",
        db,
        csv,
        "--respondent-col",
        "jobcenter_id",
        "--text-col",
        "strategi",
        "--question",
        "strategier",
        "--codebook",
        "lokalpolitiske-strategier",
        "--text-col",
        "udfordring",
        "--question",
        "udfordringer",
        "--codebook",
        "udfordringer-fysiske",
    )
    assert result.exit_code == 0, result.output
    with Project.open(db, coder="anne") as p:
        for qid in ("strategier", "udfordringer"):
            keys = p.codebook(qid).keys()
            for n, item in enumerate(p.items(qid)):
                p.add_coding(item.id, keys[n % 2])
        code_id = p.db.execute("SELECT id FROM codes LIMIT 1").fetchone()[0]
        p.add_memo("code", code_id, "En note om koden")
        p.add_memo("item", p.items("strategier")[0].id, "En note om svaret")
    out = folder / "kilde.qdpx"
    assert run("export", "qdpx", db, "-o", out).exit_code == 0
    return out


def with_hints_renamed(source: Path, target: Path, names: dict[str, str]) -> Path:
    """``source`` with every codebook stem and question id in its qualcode hints renamed
    (the GUIDs, texts and sources stay): what a colleague's hostile file could hold."""

    def rename(value):
        if isinstance(value, dict):
            return {names.get(k, k): rename(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rename(v) for v in value]
        return names.get(value, value) if isinstance(value, str) else value

    return with_hints(source, target, rename)


def with_hints(source: Path, target: Path, change) -> Path:
    """``source`` with its qualcode hints replaced by ``change(hints)``."""
    with zipfile.ZipFile(source) as z:
        files = {i.filename: z.read(i) for i in z.infolist()}
    root = etree.fromstring(files["project.qde"])
    (description,) = root.findall(f"{{{refiqda.NS_PROJECT}}}Description")
    text, hints = refiqda._split_hints(description.text)
    assert hints is not None
    description.text = (
        text + "\n" + refiqda.HINT_PREFIX + json.dumps(change(hints), ensure_ascii=False)
    )
    files["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    target.write_bytes(buf.getvalue())
    return target


HOSTILE = {
    "lokalpolitiske-strategier": "..",
    "udfordringer-fysiske": "../../x",
    "strategier": "/tmp/q",
    "udfordringer": ".",
}


@pytest.fixture
def around(tmp_path) -> Path:
    """tmp/work (the project's folder, with a file of the analyst's), tmp/x (where
    '../../x' from the models folder points) and tmp/sibling: each holding a file."""
    for folder, name in (("work", "noter.txt"), ("x", "behold.txt"), ("sibling", "data.csv")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text(f"{folder}: må ikke forsvinde", encoding="utf-8")
    return tmp_path


def test_a_qdpx_whose_hints_name_dot_dot_then_train_touches_nothing_around(qualcode_qdpx, around):
    crafted = with_hints_renamed(qualcode_qdpx, around / "sibling" / "fra-kollega.qdpx", HOSTILE)
    db = around / "work" / "p.qualcode.db"
    result = run("import", "qdpx", db, crafted)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "importerede" in lines[0] and len(lines) == 5
    for old, new in (
        ("..", "kodebog"),
        ("../../x", "x"),
        ("/tmp/q", "tmp-q"),
        (".", "spoergsmaal"),
    ):
        assert any(f"'{old}' i filen hedder '{new}' i projektet" in line for line in lines[1:]), (
            old,
            lines,
        )
    with Project.open(db) as p:
        assert sorted(p.codebook_stems()) == ["kodebog", "x"]
        assert sorted(q.id for q in p.questions()) == ["spoergsmaal", "tmp-q"]
        assert {q.id: q.codebook for q in p.questions()} == {"tmp-q": "kodebog", "spoergsmaal": "x"}
        assert len(p.codings()) == 8
        assert {m.target for m in p.memos()} == {"code", "item"}  # their targets found
    before = listing(around, skip=("work/p.qualcode.db",))
    result = run("train", db, "--epochs", "2")
    assert result.exit_code == 0, result.output
    assert listing(around, skip=("work/p.qualcode.db",)) == before
    models = around / "work" / "p.qualcode.db.models"
    assert sorted(p.name for p in models.iterdir()) == ["kodebog", "x"]
    with Project.open(db) as p:  # the project file is whole
        assert len(p.codings()) == 8
    result = run("suggest", db, "--question", "tmp-q", "--format", "csv")
    assert result.exit_code == 0 and ",model," in result.stdout


def test_importing_the_renamed_file_again_changes_nothing(qualcode_qdpx, tmp_path):
    crafted = with_hints_renamed(qualcode_qdpx, tmp_path / "fra-kollega.qdpx", HOSTILE)
    db = tmp_path / "p.qualcode.db"
    assert run("import", "qdpx", db, crafted).exit_code == 0
    before = snapshot(db)
    result = run("import", "qdpx", db, crafted)
    assert result.exit_code == 0 and "intet nyt" in result.stdout
    assert snapshot(db) == before


def test_hint_names_that_clash_once_made_safe_stay_apart(qualcode_qdpx, tmp_path):
    crafted = with_hints_renamed(
        qualcode_qdpx,
        tmp_path / "to.qdpx",
        {
            "lokalpolitiske-strategier": "x/",
            "udfordringer-fysiske": "x",
            "strategier": "Spørgsmål 1",
            "udfordringer": "spoergsmaal-1",
        },
    )
    db = tmp_path / "p.qualcode.db"
    result = run("import", "qdpx", db, crafted)
    assert result.exit_code == 0, result.output
    with Project.open(db) as p:
        assert {q.id: q.codebook for q in p.questions()} == {
            "spoergsmaal-1-2": "x-2",
            "spoergsmaal-1": "x",
        }
        assert all(is_path_name(s) for s in p.codebook_stems())


@pytest.mark.parametrize("kind", ["qdc", "qdpx"])
@pytest.mark.parametrize("stem", ["..", "../../x", "/tmp/x", ".", "a/b", "-x"])
def test_a_codebook_option_that_is_not_a_file_name_is_refused(qualcode_qdpx, around, kind, stem):
    source = qualcode_qdpx
    if kind == "qdc":
        source = around / "sibling" / "koder.qdc"
        db0 = around / "kilde.qualcode.db"
        assert run("import", "qdpx", db0, qualcode_qdpx).exit_code == 0
        assert run("export", "qdc", db0, "-o", source).exit_code == 0
    db = around / "work" / "p.qualcode.db"
    before = listing(around)
    line = assert_one_line_error(
        run("import", kind, db, source, "--codebook", stem),
        str(source),
        "kan ikke bruges som filnavn",
    )
    assert f"kodebogens navn '{stem}'" in line
    assert listing(around) == before  # no project file made either


def test_a_yaml_file_named_dot_dot_cannot_become_a_codebook(around):
    book = around / "sibling" / "...yaml"
    book.write_text("codes:\n  - label: En\n  - label: To\n", encoding="utf-8")
    csv = write_csv(around / "sibling" / "svar.csv", ROWS)
    db = around / "work" / "p.qualcode.db"
    before = listing(around)
    assert_one_line_error(run("codebook", "validate", book), str(book), "'..'")
    assert_one_line_error(
        run(
            "import",
            "answers",
            db,
            csv,
            "--respondent-col",
            "jobcenter_id",
            "--text-col",
            "strategi",
            "--question",
            "q",
            "--codebook",
            book,
        ),
        str(book),
        "kan ikke bruges som filnavn",
    )
    assert listing(around) == before


def test_a_file_name_that_is_a_device_name_gives_a_safe_default():
    assert refiqda.default_name("CON.qdpx") == "navn-con"
    assert refiqda.default_name("Mit Projekt.qdpx") == "mit-projekt"
    assert refiqda.default_name("...qdpx") == "kode"


def test_hints_of_another_shape_are_read_like_any_other_tools_file(qualcode_qdpx, tmp_path):
    def skew(hints):
        hints["questions"][0]["id"] = ["..", 5]
        return hints

    crafted = with_hints(qualcode_qdpx, tmp_path / "skaev.qdpx", skew)
    db = tmp_path / "p.qualcode.db"
    result = run("import", "qdpx", db, crafted)
    assert result.exit_code == 0, result.output
    with Project.open(db) as p:  # one question and codebook named after the file
        assert [(q.id, q.codebook) for q in p.questions()] == [("skaev", "skaev")]


def test_coder_names_from_a_file_stay_data(qualcode_qdpx, tmp_path):
    crafted = tmp_path / "brugere.qdpx"
    with zipfile.ZipFile(qualcode_qdpx) as z:
        files = {i.filename: z.read(i) for i in z.infolist()}
    files["project.qde"] = files["project.qde"].replace(b'name="anne"', b'name="../../x"')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    crafted.write_bytes(buf.getvalue())
    db = tmp_path / "work" / "p.qualcode.db"
    db.parent.mkdir()
    before = listing(tmp_path, skip=("work",))
    assert run("import", "qdpx", db, crafted).exit_code == 0
    assert run("train", db, "--epochs", "2").exit_code == 0
    with Project.open(db) as p:
        assert {c.coder for c in p.codings()} == {"../../x"}
    assert listing(tmp_path, skip=("work",)) == before
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == [
        "p.qualcode.db",
        "p.qualcode.db.models",
    ]
