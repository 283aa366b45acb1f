"""The grid of answers (issue 18): a question's answers with chosen attribute columns,
sorted by any column (a survey's order, else Danish order) and filtered by words, codes and
attribute values; read a page at a time. Checked against the project file."""

from __future__ import annotations

import sqlite3

import pytest

from helpers import write_csv
from qualcode.core.grid import CODES, RESPONDENT, TEXT, SortBy, danish_key
from qualcode.core.matrix import set_value_order
from qualcode.core.project import Project
from qualcode.core.query import Query
from qualcode.errors import NotFound
from qualcode.store import grid as grid_store

REGISTER = [
    ["jobcenter_id", "svar", "kommune", "region", "størrelse"],
    ["JC10", "Fleksjob til flere.\nOg mere samarbejde.", "Aabenraa", "Syddanmark", "Stor"],
    ["JC2", "Samarbejde med virksomheder", "Ærø", "Syddanmark", "Lille"],
    ["JC3", "Borgere på kanten", "Århus", "Midtjylland", "Mellem"],
    ["JC4", "Andet: en plan", "Odense", "Syddanmark", ""],
    ["JC5", "   ", "Zealand", "Sjælland", "Lille"],  # blank: not in the grid
    ["JC6", "Øget fokus på fleksjob", "Ølstykke", "Hovedstaden", "Mellem"],
]


@pytest.fixture
def grid_project(tmp_path):
    from qualcode.io.answers import read_answers

    src = write_csv(tmp_path / "svar.csv", REGISTER)
    path = tmp_path / "grid.qualcode.db"
    p = Project.open(path, create=True, coder="ida")
    p.import_answers(
        read_answers(
            str(src),
            respondent_col="jobcenter_id",
            text_cols=["svar"],
            questions=["strategier"],
            codebooks=["lokalpolitiske-strategier"],
            attr_cols=["kommune", "region", "størrelse"],
        )
    )
    # the survey's order of størrelse is not the alphabet's (Lille, Mellem, Stor is)
    set_value_order(p, "størrelse", ["Stor", "Mellem", "Lille"])
    p.add_code("lokalpolitiske-strategier", "Fleksjob for unge", key="unge", parent="fleksjob")
    ids = {it.respondent: it.id for it in p.items("strategier")}
    p.add_coding(ids["JC10"], "fleksjob")
    p.add_coding(ids["JC6"], "unge")  # a child of fleksjob
    p.add_coding(ids["JC2"], "samarbejde-organisationer")
    p.add_coding(ids["JC3"], "andet", coder="bo")
    yield p, ids
    p.close()


def respondents(grid) -> list[str]:
    return [row.respondent for row in grid.rows(0, 100)]


def test_the_rows_show_text_codes_and_the_chosen_attributes(grid_project):
    p, ids = grid_project
    grid = p.grid("strategier", attributes=["region", "størrelse"])
    assert grid.total == len(grid) == 5  # the blank answer is not to code
    rows = {row.respondent: row for row in grid.rows(0, 10)}
    assert set(rows) == {"JC10", "JC2", "JC3", "JC4", "JC6"}
    first = rows["JC10"]
    assert first.item_id == ids["JC10"]
    assert (first.text, first.cut) == ("Fleksjob til flere.", True)  # the first line
    assert (rows["JC2"].text, rows["JC2"].cut) == ("Samarbejde med virksomheder", False)
    assert first.codes == ("Fleksjob",)
    assert rows["JC6"].codes == ("Fleksjob for unge",)
    assert rows["JC3"].codes == ("Andet",)  # by anybody
    assert first.values == ("Syddanmark", "Stor")
    assert rows["JC4"].values == ("Syddanmark", "")
    # only one coder's codes
    mine = {r.respondent: r.codes for r in p.grid("strategier", coder="ida").rows(0, 10)}
    assert mine["JC3"] == () and mine["JC10"] == ("Fleksjob",)


def test_unfiltered_and_unsorted_the_grid_is_the_queues_order(grid_project):
    p, _ids = grid_project
    queue, _coded = p.queue("strategier")
    assert p.grid("strategier").ids == [r[0] for r in queue]


def test_a_page_is_read_for_its_ids_only(grid_project):
    p, _ids = grid_project
    grid = p.grid("strategier", sort=SortBy(RESPONDENT))
    assert respondents(grid) == ["JC2", "JC3", "JC4", "JC6", "JC10"]  # numbers as numbers
    assert [r.respondent for r in grid.rows(1, 2)] == ["JC3", "JC4"]
    assert [r.respondent for r in grid.rows(4, 10)] == ["JC10"]
    assert grid.rows(5, 10) == [] and grid.rows(0, 0) == []
    assert grid.index(grid.ids[3]) == 3 and grid.index(-1) is None
    items, codes, values = grid_store.page(p.db, grid.ids[:2], ["region"], None, 5)
    assert set(items) == set(grid.ids[:2])
    assert items[grid.ids[0]] == ("JC2", "Samar", len("Samarbejde med virksomheder"))
    assert codes == {grid.ids[0]: {"samarbejde-organisationer"}, grid.ids[1]: {"andet"}}
    assert values == {("JC2", "region"): "Syddanmark", ("JC3", "region"): "Midtjylland"}


def test_an_attribute_with_a_survey_order_sorts_in_it(grid_project):
    p, _ids = grid_project
    up = p.grid("strategier", attributes=["størrelse"], sort=SortBy("størrelse", attribute=True))
    assert [r.values[0] for r in up.rows(0, 10)] == ["Stor", "Mellem", "Mellem", "Lille", ""]
    assert respondents(up)[1:3] == ["JC3", "JC6"]  # a tie keeps the file's order
    down = p.grid(
        "strategier",
        attributes=["størrelse"],
        sort=SortBy("størrelse", attribute=True, descending=True),
    )
    # the one without a value stays last
    assert [r.values[0] for r in down.rows(0, 10)] == ["Lille", "Mellem", "Mellem", "Stor", ""]


def test_an_attribute_without_one_sorts_in_danish_order(grid_project):
    p, _ids = grid_project
    grid = p.grid("strategier", attributes=["kommune"], sort=SortBy("kommune", attribute=True))
    # æ, ø and å after z, in that order; "Aa" is two letters a
    assert [r.values[0] for r in grid.rows(0, 10)] == [
        "Aabenraa",
        "Odense",
        "Ærø",
        "Ølstykke",
        "Århus",
    ]


def test_sorting_by_text_and_by_codes(grid_project):
    p, _ids = grid_project
    by_text = p.grid("strategier", sort=SortBy(TEXT))
    assert [r.text[:6] for r in by_text.rows(0, 10)] == [
        "Andet:", "Borger", "Fleksj", "Samarb", "Øget f",
    ]  # fmt: skip
    by_codes = p.grid("strategier", sort=SortBy(CODES))
    # in the codebook's order (a child right after its parent), uncoded last
    assert [r.codes for r in by_codes.rows(0, 10)] == [
        ("Samarbejde med organisationer/virksomheder",),
        ("Fleksjob",),
        ("Fleksjob for unge",),
        ("Andet",),
        (),
    ]
    down = p.grid("strategier", sort=SortBy(CODES, descending=True))
    assert [r.codes for r in down.rows(0, 10)][-1] == ()


def test_filters_by_code_with_its_children_and_by_attribute(grid_project, tmp_path):
    p, _ids = grid_project
    assert respondents(p.grid("strategier", query="kode:fleksjob")) == ["JC10", "JC6"]
    assert respondents(p.grid("strategier", query="kode:unge")) == ["JC6"]
    assert respondents(p.grid("strategier", query="kode:andet", coder="ida")) == []
    assert respondents(p.grid("strategier", query="region:syddanmark")) == ["JC10", "JC2", "JC4"]
    # the start of a value; the name without case and with ø as oe; quotes round spaces
    assert respondents(p.grid("strategier", query="Region:midt")) == ["JC3"]
    assert respondents(p.grid("strategier", query="storrelse:mellem")) == []  # no such name
    assert respondents(p.grid("strategier", query="størrelse:mellem")) == ["JC3", "JC6"]
    assert respondents(p.grid("strategier", query='region:"hovedstaden"')) == ["JC6"]
    # values of one attribute: either; different attributes, codes and words: all
    both = p.grid("strategier", query="region:midt region:hoved")
    assert respondents(both) == ["JC3", "JC6"]
    assert respondents(p.grid("strategier", query="region:syd kode:fleksjob")) == ["JC10"]
    assert respondents(p.grid("strategier", query="region:syd samarbejde")) == ["JC10", "JC2"]
    assert respondents(p.grid("strategier", query="jc:jc1")) == ["JC10"]
    # checked against the file itself
    conn = sqlite3.connect(p.path)
    expected = {
        r[0]
        for r in conn.execute(
            "SELECT i.id FROM items i JOIN attributes a ON a.respondent_id = i.respondent_id"
            " WHERE i.question_id = 'strategier' AND i.is_empty = 0 AND a.name = 'region'"
            " AND a.value = 'Syddanmark'"
        )
    }
    conn.close()
    assert set(p.grid("strategier", query="region:Syddanmark").ids) == expected


def test_a_filter_that_cannot_match_says_why(grid_project):
    p, _ids = grid_project
    grid = p.grid("strategier", query="kode:zz")
    assert len(grid) == 0 and "zz" in grid.warnings[0] and "fleksjob" in grid.warnings[0]
    grid = p.grid("strategier", query="region:Bornholm")
    assert len(grid) == 0 and "Bornholm" in grid.warnings[0] and "Sjælland" in grid.warnings[0]
    with pytest.raises(NotFound, match="kommunenr"):
        p.grid("strategier", attributes=["kommunenr"])
    with pytest.raises(NotFound, match="kommunenr"):
        p.grid("strategier", sort=SortBy("kommunenr", attribute=True))


def test_the_grid_columns_are_remembered_per_project_and_user(grid_project):
    p, _ids = grid_project
    assert p.remembered_grid_columns("mette") is None
    p.remember_grid_columns("mette", ["region", "kommune"])
    p.remember_grid_columns("jens", [])
    assert p.remembered_grid_columns("mette") == ["region", "kommune"]
    assert p.remembered_grid_columns("jens") == []  # chosen: none
    assert p.grid_attributes() == ["kommune", "region", "størrelse"]


def test_the_query_syntax_is_the_queues_with_attributes():
    assert Query.parse("fleksjob kode:andet jc:JC1") == Query(("fleksjob",), ("andet",), ("jc1",))
    # without the attributes' names, NAME:VALUE is a word, as the queue has always read it
    assert Query.parse("region:nord").words == ("region:nord",)
    parsed = Query.parse('Størrelse:lille region:"Region Nord" x', ["størrelse", "region"])
    assert parsed.attributes == (("størrelse", "lille"), ("region", "Region Nord"))
    assert parsed.words == ("x",)
    # a name of more words (a register's column heading) in quotes; the value too, or not
    known = ["Antal borgere", "region"]
    parsed = Query.parse('"antal borgere":"1-5" "Antal borgere":6+ fleks', known)
    assert parsed.attributes == (("Antal borgere", "1-5"), ("Antal borgere", "6+"))
    assert parsed.words == ("fleks",)
    # a quoted name the project does not have, or without a value, stays words
    assert Query.parse('"Antal ansatte":5 "Antal borgere":', known).words == (
        '"Antal ansatte":5',
        '"Antal borgere":',
    )
    assert Query.parse('"antal borgere"', known).words == ('"antal', 'borgere"')


def test_danish_order():
    words = ["Å", "ø", "Æble", "zebra", "JC10", "JC2", "jc3", "Émile", "eva", "Ørsted"]
    assert sorted(words, key=danish_key) == [
        "Émile", "eva", "JC2", "jc3", "JC10", "zebra", "Æble", "ø", "Ørsted", "Å",
    ]  # fmt: skip
