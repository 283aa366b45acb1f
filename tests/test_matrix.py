"""`qualcode matrix`: groups of jobcentres by themes. Every cell is checked against a count
made here by hand from the project file (sqlite3 and plain Python, not qualcode): for the
values of an attribute (in the survey's order), named groups of values, and questions
sharing a codebook, on the coder basis counts use. Then --top and its ties, every format,
the one-line errors, the report's section, and Tabel 4 of the seed report."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from helpers import REPORT, SEED_TABLES, assert_one_line_error, needs_shared, run, snapshot
from qualcode.core.crosstab import parse_groups
from qualcode.core.matrix import QuestionGroup, parse_questions, theme_matrix
from qualcode.core.numbers import round_half_up
from qualcode.core.project import Project
from qualcode.demo import ACTOR_QUESTIONS, REGISTER_ORDER
from qualcode.io.matrix import CSV_COLUMNS, display_rows

ACTORS = [QuestionGroup(name, qid) for qid, (_col, name) in ACTOR_QUESTIONS.items()]
ACTOR_SPEC = ",".join(f"{g.name}={g.question}" for g in ACTORS)
GROUPS = ["høj/meget høj=I høj grad,I meget høj grad", "nogen/mindre=I nogen grad,I mindre grad"]


# -- the count by hand ------------------------------------------------------------------


def by_hand(path, qid: str, members: set[str] | None = None, coder: str | None = None):
    """code key -> (respondents, answered) for the jobcentres in ``members`` (default: all)
    who answered ``qid``, read straight from the tables: distinct respondents with a
    coding of the code or a code under it, on a non-empty answer (or an interview
    excerpt), by ``coder`` or anybody."""
    conn = sqlite3.connect(path)
    try:
        answered = {
            rid
            for (rid,) in conn.execute(
                "SELECT respondent_id FROM items WHERE question_id = ? AND is_empty = 0"
                " AND kind != 'interviewer'",
                [qid],
            )
        }
        if members is not None:
            answered &= members
        (book,) = conn.execute("SELECT codebook_id FROM questions WHERE id = ?", [qid]).fetchone()
        codes = conn.execute(
            "SELECT id, key, parent_id FROM codes WHERE codebook_id = ?", [book]
        ).fetchall()
        coded: dict[int, set[str]] = {}
        for code_id, rid, who in conn.execute(
            "SELECT c.code_id, i.respondent_id, c.coder FROM codings c"
            " JOIN items i ON i.id = c.item_id WHERE i.question_id = ? AND i.is_empty = 0",
            [qid],
        ):
            if coder is None or who == coder:
                coded.setdefault(code_id, set()).add(rid)
    finally:
        conn.close()
    parent = {cid: pid for cid, _key, pid in codes}

    def under(cid: int, top: int) -> bool:
        while cid is not None:
            if cid == top:
                return True
            cid = parent[cid]
        return False

    out = {}
    for cid, key, _pid in codes:
        who = set()
        for other, rids in coded.items():
            if under(other, cid):
                who |= rids
        out[key] = (len(who & answered), len(answered))
    return out


def attribute_of(path, name: str) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(
            conn.execute("SELECT respondent_id, value FROM attributes WHERE name = ?", [name])
        )
    finally:
        conn.close()


def cells(frame) -> dict[tuple[str, str], tuple[int, int]]:
    return {(r.group, r.code): (int(r.respondents), int(r.answered)) for r in frame.itertuples()}


def check_percent(frame) -> None:
    for r in frame.itertuples():
        assert r.percent == pytest.approx(100 * r.respondents / r.answered)


# -- attribute groups -----------------------------------------------------------------


def test_attribute_values_by_hand_in_survey_order(demo_db):
    with Project.open(demo_db, readonly=True) as p:
        frame = theme_matrix(p, question="strategier", by="lokalpolitisk_fokus")
    values = attribute_of(demo_db, "lokalpolitisk_fokus")
    # the register's survey order, not the alphabet ('I høj grad' < 'I meget høj grad');
    # 'Ved ikke' answered nothing and is named as left out
    assert frame.attrs["groups"] == [
        "I meget høj grad",
        "I høj grad",
        "I nogen grad",
        "I mindre grad",
    ]
    assert frame.attrs["groups"] == REGISTER_ORDER["lokalpolitisk_fokus"][:4]
    assert frame.attrs["empty_groups"] == ["Ved ikke"]
    expected = {}
    for value in frame.attrs["groups"]:
        members = {rid for rid, v in values.items() if v == value}
        for key, pair in by_hand(demo_db, "strategier", members).items():
            expected[(value, key)] = pair
    assert cells(frame) == expected
    assert sum(frame.attrs["bases"].values()) == 35  # every answer is in a group
    check_percent(frame)
    # the codebook's order within a group
    with Project.open(demo_db, readonly=True) as p:
        keys = [c.key for c in p.codebook("lokalpolitiske-strategier")]
    assert list(frame[frame["group"] == "I høj grad"]["code"]) == keys


def test_named_groups_by_hand(demo_db):
    with Project.open(demo_db, readonly=True) as p:
        frame = theme_matrix(
            p, question="strategier", by="lokalpolitisk_fokus", groups=parse_groups(GROUPS)
        )
    values = attribute_of(demo_db, "lokalpolitisk_fokus")
    assert frame.attrs["groups"] == ["høj/meget høj", "nogen/mindre"]  # as given
    expected = {}
    for spec in GROUPS:
        name, _, listed = spec.partition("=")
        members = {rid for rid, v in values.items() if v in listed.split(",")}
        for key, pair in by_hand(demo_db, "strategier", members).items():
            expected[(name, key)] = pair
    assert cells(frame) == expected
    assert frame.attrs["bases"] == {"høj/meget høj": 22, "nogen/mindre": 13}
    check_percent(frame)


def test_no_survey_order_means_sorted_and_the_order_can_be_set(demo_copy):
    with Project.open(demo_copy, readonly=True) as p:
        frame = theme_matrix(p, question="strategier", by="region")
    assert frame.attrs["groups"] == sorted(frame.attrs["groups"])
    order = "Nordjylland,Midtjylland,Syddanmark,Hovedstaden,Sjælland"
    result = run("attributes", demo_copy, "region", "--order", order)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "region (spørgeskemaets rækkefølge): Nordjylland (9), Midtjylland (17)"
    )
    with Project.open(demo_copy, readonly=True) as p:
        frame = theme_matrix(p, question="strategier", by="region")
    assert frame.attrs["groups"] == order.split(",")
    # a partial order: the values left out follow, sorted
    run("attributes", demo_copy, "region", "--order", "Sjælland")
    with Project.open(demo_copy, readonly=True) as p:
        assert theme_matrix(p, question="strategier", by="region").attrs["groups"] == [
            "Sjælland",
            "Hovedstaden",
            "Midtjylland",
            "Nordjylland",
            "Syddanmark",
        ]
    assert run("attributes", demo_copy, "region", "--order", "").exit_code == 0
    assert run("attributes", demo_copy, "region").stdout.startswith("region: Hovedstaden")


def test_attributes_lists_without_writing(demo_copy):
    before = snapshot(demo_copy)
    result = run("attributes", demo_copy)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert (
        "lokalpolitisk_fokus (spørgeskemaets rækkefølge): I meget høj grad (12), I høj grad (23), "
        "I nogen grad (34), I mindre grad (11), Ved ikke (2)"
    ) in lines
    assert "stoerrelse (spørgeskemaets rækkefølge): Lille (30), Mellem (34), Stor (18)" in lines
    assert snapshot(demo_copy) == before


@pytest.mark.parametrize(
    "args, needles",
    [
        (["nope", "--order", "a"], ["ingen respondent har attributten 'nope'"]),
        (["region", "--order", "Fyn"], ["region = 'Fyn'", "Hovedstaden"]),
        (["region", "--order", "Sjælland,Sjælland"], ["'Sjælland' er angivet to gange"]),
        (["--order", "a,b"], ["--order kræver attributtens NAME"]),
        (["nope"], ["ingen respondent har attributten 'nope'"]),
    ],
)
def test_attributes_bad_input_is_one_line(demo_copy, args, needles):
    before = snapshot(demo_copy)
    assert_one_line_error(run("attributes", demo_copy, *args), *needles)
    assert snapshot(demo_copy) == before


# -- question groups ------------------------------------------------------------------


def test_questions_sharing_a_codebook_by_hand(demo_db):
    with Project.open(demo_db, readonly=True) as p:
        frame = theme_matrix(p, questions=ACTORS)
    assert frame.attrs["groups"] == [g.name for g in ACTORS]
    expected = {
        (g.name, key): pair for g in ACTORS for key, pair in by_hand(demo_db, g.question).items()
    }
    assert cells(frame) == expected
    assert frame.attrs["bases"] == {
        g.name: n for g, n in zip(ACTORS, [14, 8, 7, 9, 6], strict=True)
    }
    check_percent(frame)
    # two waves of one question are questions sharing a codebook too
    with Project.open(demo_db, readonly=True) as p:
        waves = theme_matrix(p, questions=parse_questions("strategier,strategier-2017"))
    expected = {
        (q, key): pair
        for q in ("strategier", "strategier-2017")
        for key, pair in by_hand(demo_db, q).items()
    }
    assert cells(waves) == expected


def test_parse_questions():
    assert parse_questions("a, Navn med mellemrum=b ,c") == [
        QuestionGroup("a", "a"),
        QuestionGroup("Navn med mellemrum", "b"),
        QuestionGroup("c", "c"),
    ]
    assert parse_questions(["a", "b,c"]) == parse_questions("a,b,c")


# -- the coder basis ------------------------------------------------------------------


@pytest.fixture
def coders(demo_copy):
    """guld coded every answer (the demo); ida codes a few answers her own way."""
    with Project.open(demo_copy) as p:
        for qid, code in (
            ("samarbejde-lokale-virksomheder", "andet"),
            ("samarbejde-satspulje", "opkvalificering"),
            ("strategier", "fleksjob"),
        ):
            for item in p.items(qid)[:4]:
                if not item.is_empty:
                    p.add_coding(item.id, code, coder="ida")
    return demo_copy


def csv_cells(text: str) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (r["group"], r["code"]): (int(r["respondents"]), int(r["answered"]))
        for r in csv.DictReader(io.StringIO(text))
    }


def test_coder_basis_as_counts(coders):
    args = ["matrix", coders, "--questions", ACTOR_SPEC, "--format", "csv"]

    def expected(coder):
        return {
            (g.name, key): pair
            for g in ACTORS
            for key, pair in by_hand(coders, g.question, coder=coder).items()
        }

    for coder in ("guld", "ida"):
        result = run(*args, "--coder", coder)
        assert result.exit_code == 0, result.output
        assert csv_cells(result.stdout) == expected(coder)
        assert not result.stderr
    assert expected("ida") != expected("guld") != expected(None)
    # every coder together: joined, with the warning counts gives
    joined = run(*args)
    assert csv_cells(joined.stdout) == expected(None)
    assert "kodet af 2 kodere (guld, ida)" in joined.stderr
    assert csv_cells(run(*args, "--coder", "*").stdout) == expected(None)
    # the project's basis is the default, as for counts, and the table names it
    assert run("basis", coders, "--set", "ida").exit_code == 0
    based = run(*args)
    assert csv_cells(based.stdout) == expected("ida") and not based.stderr
    table = run("matrix", coders, "--question", "strategier", "--by", "stoerrelse")
    assert "Kodet af: ida." in table.stdout
    values = attribute_of(coders, "stoerrelse")
    with Project.open(coders, readonly=True) as p:
        frame = theme_matrix(p, question="strategier", by="stoerrelse", coder=p.basis())
    assert frame.attrs["groups"] == ["Lille", "Mellem", "Stor"]
    assert cells(frame) == {
        (v, key): pair
        for v in ("Lille", "Mellem", "Stor")
        for key, pair in by_hand(
            coders, "strategier", {r for r, x in values.items() if x == v}, coder="ida"
        ).items()
    }
    assert run(*args, "--coder", "*").stderr  # '*' overrides the basis, and warns


# -- --top ----------------------------------------------------------------------------


def kept_by_hand(counts: dict[str, tuple[int, int]], top: int) -> list[str]:
    """The themes at least as frequent as the top-th, mentioned at all, most frequent
    first (codebook order, as ``counts`` is, among ties)."""
    ns = sorted((n for n, _ in counts.values()), reverse=True)
    cut = ns[top - 1] if top <= len(ns) else 0
    keys = [k for k, (n, _) in counts.items() if n > 0 and n >= cut]
    order = list(counts)
    return sorted(keys, key=lambda k: (-counts[k][0], order.index(k)))


@pytest.mark.parametrize("top", [1, 2, 3, 4, 5, 7])
def test_top_keeps_ties(demo_db, top):
    with Project.open(demo_db, readonly=True) as p:
        frame = theme_matrix(p, questions=ACTORS, top=top)
        keys = [c.key for c in p.codebook("eksterne-aktoerer")]
    for g in ACTORS:
        counts = by_hand(demo_db, g.question)
        counts = {k: counts[k] for k in keys}
        assert list(frame[frame["group"] == g.name]["code"]) == kept_by_hand(counts, top)
    shown = frame[frame["group"] == "Lokale virksomheder"]
    # 10, then 7, 7, 7: the second place is shared three ways, so top 2 and top 3 are four
    if top in (2, 3, 4):
        assert list(shown["respondents"]) == [10, 7, 7, 7]
        assert list(shown["rank"]) == [1, 2, 2, 2]
    if top == 5:  # and the fifth two ways (vidensopsamling and andet: 2 each)
        assert list(shown["respondents"]) == [10, 7, 7, 7, 2, 2]


def test_top_never_lists_a_theme_nobody_mentions(demo_db):
    with Project.open(demo_db, readonly=True) as p:
        frame = theme_matrix(p, questions=ACTORS, top=7)
        whole = theme_matrix(p, questions=ACTORS)
    assert (frame["respondents"] > 0).all()
    assert len(frame) == int((whole["respondents"] > 0).sum())


def test_tabel_4_layout_from_the_cli(demo_db):
    result = run("matrix", demo_db, "--questions", ACTOR_SPEC, "--top", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert (
        lines[0] == "Temaer i samarbejde med eksterne aktører pr. spørgsmål – de 2 hyppigste temaer"
    )
    assert lines[1].split("  ")[0] == "Spørgsmål"
    row = next(line for line in lines if line.startswith("Satspuljefinansierede virksomheder"))
    assert "Jobformidling" in row and "Anført af 4 ud af 6 jobcentre" in row and "66,7 %" in row
    assert "De 2 hyppigste temaer i hver gruppe" in result.stdout


# -- Tabel 4 of the seed report --------------------------------------------------------


def seed_tabel_4(source: Path = SEED_TABLES) -> list[tuple[str, str]]:
    """(actor, its themes as printed: the labels one after another) from the seed (the copy
    of its tables in tests/fixtures, or the report itself)."""
    lines = source.read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Tabel 4:"))
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            if rows:
                break
            continue
        actor, _, themes = line.partition("\t")
        if actor.isupper():  # the heading: EKSTERN AKTØR, HYPPIGST ANGIVNE ...
            continue
        rows.append((actor.strip(), themes.strip()))
    return rows


@needs_shared(REPORT)
def test_tabel_4_copied_into_tests_is_the_seed_reports():
    assert seed_tabel_4(REPORT) == seed_tabel_4()


def test_demo_gives_tabel_4_of_the_seed_report(demo_db):
    seed = seed_tabel_4()
    assert [actor for actor, _ in seed] == [g.name for g in ACTORS]
    spec = ",".join(f"{actor}={ACTOR_QUESTIONS_BY_NAME[actor]}" for actor, _ in seed)
    result = run("matrix", demo_db, "--questions", spec, "--top", "2", "--format", "csv")
    assert result.exit_code == 0, result.output
    listed: dict[str, list[str]] = {}
    for r in csv.DictReader(io.StringIO(result.stdout)):
        listed.setdefault(r["group"], []).append(r["label"])
    assert list(listed) == [actor for actor, _ in seed]
    for actor, themes in seed:
        # the seed lost the table's line breaks: the labels stand one after another
        assert " ".join(listed[actor]) == themes, actor


ACTOR_QUESTIONS_BY_NAME = {name: qid for qid, (_col, name) in ACTOR_QUESTIONS.items()}


# -- formats --------------------------------------------------------------------------


@pytest.mark.parametrize("top", [None, 2])
def test_every_format_renders_the_same_cells(demo_db, tmp_path, top):
    from docx import Document
    from openpyxl import load_workbook

    extra = ["--top", str(top)] if top else []
    base = ["matrix", demo_db, "--question", "strategier", "--by", "lokalpolitisk_fokus", *extra]
    with Project.open(demo_db, readonly=True) as p:
        frame = theme_matrix(p, question="strategier", by="lokalpolitisk_fokus", top=top)
    head, body = display_rows(frame)

    data = run(*base, "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(data)))
    assert list(rows[0]) == CSV_COLUMNS
    assert [(r["group"], r["code"]) for r in rows] == list(
        zip(frame["group"], frame["code"], strict=True)
    )
    assert [float(r["percent"]) for r in rows] == [round_half_up(x, 1) for x in frame["percent"]]
    assert [int(r["rank"]) for r in rows] == list(frame["rank"])

    table = run(*base).stdout
    for cells_ in body:
        for c in cells_:
            if c and "af" in c:
                assert c in table

    md = run(*base, "--format", "md").stdout
    assert "| " + " | ".join(head) + " |" in md
    assert "| " + " | ".join(body[0]) + " |" in md

    run(*base, "-o", tmp_path / "m.docx")
    document = Document(tmp_path / "m.docx")
    got = [[c.text.replace("\xa0", " ") for c in row.cells] for row in document.tables[0].rows]
    assert got == [head, *body]
    assert document.paragraphs[0].text.startswith("strategier: Indhold i lokalpolitiske")

    run(*base, "-o", tmp_path / "m.xlsx")
    ws = load_workbook(tmp_path / "m.xlsx").active
    values = list(ws.iter_rows(values_only=True))
    if top:
        assert values[1] == (
            "lokalpolitisk_fokus",
            "Tema",
            "Nævner",
            "Besvaret",
            "Andel (%)",
            "Placering",
        )
        got_rows = [v for v in values[2 : 2 + len(frame)]]
        assert [(v[0], v[1], v[2], v[3]) for v in got_rows] == list(
            zip(
                frame["group"], frame["label"], frame["respondents"], frame["answered"], strict=True
            )
        )
    else:
        assert values[1][:4] == (
            "lokalpolitisk_fokus",
            "Besvaret",
            'Generelt fokus på "borgere på kanten": nævner',
            'Generelt fokus på "borgere på kanten": andel (%)',
        )
        first = frame[frame["group"] == "I meget høj grad"]
        assert values[2][0] == "I meget høj grad" and values[2][1] == 7
        assert list(values[2][2::2][: len(first)]) == list(first["respondents"])
        assert list(values[2][3::2][: len(first)]) == [
            round_half_up(x, 1) for x in first["percent"]
        ]


def test_csv_for_danish_excel_and_the_projects_noun(demo_copy):
    base = ["matrix", demo_copy, "--questions", ACTOR_SPEC, "--top", "1"]
    plain = run(*base, "--format", "csv").stdout
    danish = run(*base, "--format", "csv", "--dialect", "excel-da").stdout
    assert danish.startswith("\ufeffgroup;question;code;label;respondents;answered;percent;rank")
    assert "Lokale virksomheder;samarbejde-lokale-virksomheder;" in danish
    assert ";10;14;71,4;1" in danish and ",10,14,71.4,1" in plain
    assert_one_line_error(run(*base, "--dialect", "excel-da"), "--dialect excel-da er til CSV")
    with Project.open(demo_copy) as p:
        p.set_noun("kommune/kommuner")
    table = run(*base).stdout
    assert "Anført af 10 ud af 14 kommuner" in table
    assert "Antal kommuner der nævner temaet" in table
    assert "Grundlag: kommuner der har svaret" in table


def test_formats_need_a_file_and_writing_twice_needs_force(demo_db, tmp_path):
    base = ["matrix", demo_db, "--questions", ACTOR_SPEC]
    for fmt in ("xlsx", "docx"):
        assert run(*base, "--format", fmt).exit_code == 2
    target = tmp_path / "m.csv"
    assert run(*base, "-o", target).exit_code == 0
    first = target.read_bytes()
    assert first.startswith(b"group,question,code,label,respondents,answered,percent,rank\n")
    assert_one_line_error(run(*base, "--top", "1", "-o", target), "findes allerede")
    assert target.read_bytes() == first
    assert run(*base, "--top", "1", "-o", target, "--force").exit_code == 0
    assert target.read_bytes() != first


# -- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, needles",
    [
        (["--question", "nope", "--by", "region"], ["intet spørgsmål 'nope'"]),
        (["--question", "strategier", "--by", "nope"], ["ingen respondent har attributten 'nope'"]),
        (
            ["--question", "strategier", "--by", "region", "--group", "x=Fyn"],
            ["--group 'x'", "region = 'Fyn'"],
        ),
        (["--question", "strategier", "--group", "x=Fyn"], ["--group kræver --by"]),
        (["--question", "strategier"], ["--question QID --by ATTRIBUTE"]),
        (["--by", "region"], ["--question QID --by ATTRIBUTE"]),
        ([], ["--question QID --by ATTRIBUTE eller --questions"]),
        (
            ["--questions", "strategier,udfordringer-fysiske"],
            ["skal have samme kodebog", "strategier (lokalpolitiske-strategier)"],
        ),
        (["--questions", "strategier,nope"], ["intet spørgsmål 'nope'"]),
        (["--questions", "strategier,strategier"], ["'strategier' er angivet to gange"]),
        (["--questions", "a=strategier,a=strategier-2017"], ["navnet 'a' er angivet to gange"]),
        (["--questions", " , "], ["angiv mindst ét spørgsmål"]),
        (["--questions", "=strategier"], ["skriv QID eller NAVN=QID"]),
        (
            ["--questions", "strategier", "--question", "strategier", "--by", "region"],
            ["enten --questions eller --question"],
        ),
        (["--questions", "strategier", "--top", "0"], ["--top skal være 1 eller mere, ikke 0"]),
        (["--questions", "strategier", "--top", "-3"], ["--top skal være 1 eller mere"]),
        (
            ["--question", "strategier", "--by", "lokalpolitisk_fokus", "--group", "x=Ved ikke"],
            ["ingen gruppe har jobcentre, der har svaret"],
        ),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(demo_copy, tmp_path, args, needles):
    before = snapshot(demo_copy)
    target = tmp_path / "m.csv"
    result = run("matrix", demo_copy, *args, "-o", target)
    assert_one_line_error(result, *needles)
    assert [p.name for p in tmp_path.iterdir() if "m.csv" in p.name] == []  # nor a temporary
    assert snapshot(demo_copy) == before


# -- the report -----------------------------------------------------------------------


def test_report_has_the_matrix_of_questions_sharing_a_codebook(demo_db, tmp_path):
    from openpyxl import load_workbook

    result = run("report", demo_db, "-o", tmp_path / "r.md")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("; 1 temamatrix")
    text = (tmp_path / "r.md").read_text("utf-8")
    # every question of eksterne-aktoerer, by its id, every theme
    assert "## Temamatrix 1: Temaer i samarbejde med eksterne aktører pr. spørgsmål\n" in text
    section = text.split("## Temamatrix 1")[1]
    assert "| samarbejde-lokale-virksomheder | 10 af 14 (71,4 %) |" in section

    result = run("report", demo_db, "-o", tmp_path / "r.xlsx", "--matrix", ACTOR_SPEC, "--top", "2")
    assert result.exit_code == 0, result.output
    ws = load_workbook(tmp_path / "r.xlsx")["Temamatrix 1"]
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[1]]
    with Project.open(demo_db, readonly=True) as p:
        frame = theme_matrix(p, questions=ACTORS, top=2)
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == list(
        zip(frame["group"], frame["label"], frame["respondents"], frame["answered"], strict=True)
    )
    # DOCX and HTML: the heading, then the table as display_rows gives it
    from docx import Document

    head, body = display_rows(frame)
    title = (
        "Temamatrix 1: Temaer i samarbejde med eksterne aktører pr. spørgsmål – "
        "de 2 hyppigste temaer"
    )
    for fmt in ("docx", "html"):
        out = tmp_path / f"r.{fmt}"
        result = run("report", demo_db, "-o", out, "--matrix", ACTOR_SPEC, "--top", "2")
        assert result.exit_code == 0, result.output
    document = Document(tmp_path / "r.docx")
    assert title in [p.text for p in document.paragraphs if p.style.name == "Caption"]
    got = [[c.text.replace("\xa0", " ") for c in row.cells] for row in document.tables[-1].rows]
    assert got == [head, *body]
    html = (tmp_path / "r.html").read_text("utf-8")
    section = html.split('<section id="temamatrix-1">')[1].split("</section>")[0]
    assert f"<h2>{title}</h2>" in section
    assert "<td>Satspuljefinansierede virksomheder</td><td>Jobformidling</td>" in section
    assert_one_line_error(
        run("report", demo_db, "-o", tmp_path / "x.md", "--matrix", "strategier,interview"),
        "skal have samme kodebog",
    )
    assert not (tmp_path / "x.md").exists()
    assert_one_line_error(
        run("report", demo_db, "-o", tmp_path / "x.md", "--top", "0"), "--top skal være 1"
    )


def test_an_order_given_is_undone_and_redone(demo_copy):
    """The survey's order is project data: undone to the order before (the register's,
    or none), redone, also after the project is opened again."""
    from qualcode.core.crosstab import stored_order, value_order
    from qualcode.core.matrix import set_value_order

    register = ["I meget høj grad", "I høj grad", "I nogen grad", "I mindre grad", "Ved ikke"]
    mine = ["Ved ikke", "I mindre grad", "I nogen grad", "I høj grad", "I meget høj grad"]
    with Project.open(demo_copy, coder="ida") as p:
        assert stored_order(p, "lokalpolitisk_fokus") == register
        set_value_order(p, "lokalpolitisk_fokus", mine)
        assert value_order(p, "lokalpolitisk_fokus") == mine
    with Project.open(demo_copy, coder="ida") as p:
        change = p.undo("attributes")
        assert change is not None and "rækkefølgen af lokalpolitisk_fokus" in change.text
        assert stored_order(p, "lokalpolitisk_fokus") == register
        p.redo("attributes")
        assert stored_order(p, "lokalpolitisk_fokus") == mine
