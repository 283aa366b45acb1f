"""The Danish pipeline, keyword rules, classifier, suggestions, evaluation and KWIC (issue 4)."""

from __future__ import annotations

import socket

import pytest

from helpers import assert_one_line_error, run, write_csv
from qualcode.core.codebook import Code, Codebook, load_codebook
from qualcode.core.project import Project
from qualcode.errors import QualcodeError
from qualcode.nlp.evaluate import evaluate, folds_of, metrics
from qualcode.nlp.kwic import kwic
from qualcode.nlp.pipeline import analyse_text, analyses, fold, lemma_of
from qualcode.nlp.rules import RuleMatcher
from qualcode.nlp.suggest import Suggester
from qualcode.nlp.textcat import coded_items, load, train, train_and_save

# -- the pipeline ------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    [
        "arbejdsgiver",
        "arbejdsgiveren",
        "arbejdsgiverne",
        "arbejdsgivers",
        "Arbejdsgivere",
        "ARBEJDSGIVERNES",
    ],
)
def test_inflections_share_one_lemma(word):
    assert lemma_of(word) == "arbejdsgiver"


@pytest.mark.parametrize(
    ("typed", "danish"),
    [
        ("foelger", "følger"),
        ("aendringerne", "ændringerne"),
        ("paa", "på"),
        ("Maalgruppen", "Målgruppen"),
    ],
)
def test_ae_oe_aa_spellings_get_the_key_of_the_danish_letters(typed, danish):
    assert analyse_text(typed).tokens[0].key == analyse_text(danish).tokens[0].key


def test_unknown_compounds_are_lemmatised_on_their_known_tail():
    assert lemma_of("fleksjobordningen") == "fleksjobordning"
    assert lemma_of("IT-systemerne") == "it-system"


def test_the_lemma_file_holds_exactly_the_lookup_table(tmp_path, monkeypatch):
    """Streamed from the gzipped JSON in chunks: a pair cut by a chunk edge, or with JSON
    escapes, must come out whole."""
    import gzip
    import json

    from qualcode.nlp import lemmas

    table = {
        "arbejdsgiverne": "arbejdsgiver",
        'citat"tegn': "citat",
        "\\skråstreg": "x",
        "æblerne": "æble",
        "ünïcødé": "u",
    } | {f"ord{i}": f"o{i}" for i in range(300)}
    path = tmp_path / "da.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(table, fh, ensure_ascii=True)
    for chunk in (7, 64, 1 << 20):
        assert dict(lemmas._pairs(path, chunk=chunk)) == table
    real = dict(lemmas._pairs(lemmas._source()[0]))
    assert len(real) == 553_116 and real["fleksjobbet"] == "fleksjob"


def test_fold_keeps_ascii_and_lowers():
    assert fold("Æblerne Øst Å") == "aeblerne oest aa"


def test_sentences_and_token_offsets_point_into_the_text():
    text = "Arbejdsgiverne er bekymrede. De kender ikke fleksjob!  Ny linje."
    a = analyse_text(text)
    assert [text[s:e] for s, e in a.sents] == [
        "Arbejdsgiverne er bekymrede.",
        "De kender ikke fleksjob!",
        "Ny linje.",
    ]
    assert [text[t.start : t.end] for t in a.tokens][:4] == [
        "Arbejdsgiverne",
        "er",
        "bekymrede",
        ".",
    ]
    assert a.tokens[0].lemma == "arbejdsgiver" and a.tokens[2].lemma == "bekymre"


def test_analyses_are_cached_in_the_project_and_redone_when_the_text_changes(project):
    ids = [i.id for i in project.items("strategier")]
    first = analyses(project, ids)
    rows = project.db.execute("SELECT COUNT(*) FROM nlp_docs").fetchone()[0]
    assert rows == len(ids) == 3
    calls = []
    again = analyses(project, ids, progress=lambda d, t: calls.append((d, t)))
    assert again == first and calls == [(3, 3)]  # all from the cache: nothing to do
    project.db.execute("UPDATE items SET text = 'Fleksjobbet er nyt.' WHERE id = ?", [ids[0]])
    changed = analyses(project, ids)
    assert [t.lemma for t in changed[ids[0]].tokens][:2] == ["fleksjob", "være"]


# -- keyword rules -------------------------------------------------------------------

BOOK = Codebook(
    stem="test",
    codes=[
        Code(key="arbejdsgivere", label="Arbejdsgivere", keywords=("arbejdsgiver",)),
        Code(key="kanten", label="Borgere på kanten", keywords=("borgere på kanten",)),
        Code(key="fleks", label="Fleksjob", keywords=("fleksjob*",)),
        Code(key="foelge", label="Følge", keywords=("følge",)),
    ],
)


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("Arbejdsgiverne vil ikke.", "arbejdsgivere", ("Arbejdsgiverne",)),
        ("En arbejdsgivers udgifter.", "arbejdsgivere", ("arbejdsgivers",)),
        ("Vi hjælper borgerne på kanten.", "kanten", ("borgerne på kanten",)),
        ("Fleksjobansættelser og fleksjobbet.", "fleks", ("Fleksjobansættelser", "fleksjobbet")),
        ("Vi foelger op.", "foelge", ("foelger",)),
        ("Vi følger op.", "foelge", ("følger",)),
    ],
)
def test_rules_match_keywords_in_any_inflection(text, code, words):
    hits = RuleMatcher(BOOK).match(text, analyse_text(text))
    assert [h.code for h in hits] == [code]
    assert hits[0].words == words
    assert all(text[s:e] in words for s, e in hits[0].spans)


def test_a_phrase_keyword_needs_its_words_in_a_row():
    text = "Borgerne er på vej, men ikke på kanten."
    assert RuleMatcher(BOOK).match(text, analyse_text(text)) == []


def test_bundled_codebooks_keywords_all_compile():
    for stem in (
        "lokalpolitiske-strategier",
        "udfordringer-fysiske",
        "udfordringer-psykiske",
        "eksterne-aktoerer",
        "kompenserende-ordninger",
        "interviewtemaer",
    ):
        matcher = RuleMatcher(load_codebook(stem))
        assert matcher.match("Intet her.", analyse_text("Intet her.")) == []


# -- the classifier --------------------------------------------------------------------

FIXTURE = [
    ("Arbejdsgiverne er bekymrede for udgifterne.", {"arbejdsgivere"}),
    ("Virksomhederne og arbejdsgiverne tøver.", {"arbejdsgivere"}),
    ("Arbejdsgiveren siger nej til at ansætte.", {"arbejdsgivere"}),
    ("Borgeren mangler transport til arbejdspladsen.", {"transport"}),
    ("Der er lang transport og ingen bus.", {"transport"}),
    ("Transporten er for dyr for borgerne.", {"transport"}),
    ("Arbejdsgiverne tilbyder ikke transport.", {"arbejdsgivere", "transport"}),
    ("Vi har ingen særlige udfordringer.", set()),
]


@pytest.fixture
def fixture_project(tmp_path):
    rows = [["jobcenter_id", "svar"]] + [[f"JC{i:02}", t] for i, (t, _) in enumerate(FIXTURE)]
    path = write_csv(tmp_path / "svar.csv", rows)
    book = tmp_path / "udfordringer-test.yaml"
    book.write_text(
        "codebook: udfordringer-test\ntitle: Test\ncodes:\n"
        "  - {key: arbejdsgivere, label: Arbejdsgivere, keywords: [arbejdsgiver]}\n"
        "  - {key: transport, label: Transport, keywords: [bus]}\n"
        "  - {key: andet, label: Andet}\n",
        encoding="utf-8",
    )
    db = tmp_path / "fixture.db"
    assert (
        run(
            "import",
            "answers",
            db,
            path,
            "--respondent-col",
            "jobcenter_id",
            "--text-col",
            "svar",
            "--question",
            "udf",
            "--codebook",
            book,
        ).exit_code
        == 0
    )
    p = Project.open(db, coder="anne")
    for item, (_, codes) in zip(p.items("udf"), FIXTURE, strict=True):
        for code in codes:
            p.add_coding(item.id, code)
        if not codes:
            p.add_coding(item.id, "andet")
    yield p
    p.close()


def test_training_learns_its_own_training_items(fixture_project):
    data = coded_items(fixture_project, "udfordringer-test")
    assert len(data) == len(FIXTURE)
    model = train(data, epochs=40)
    predicted = [
        {c for c, v in s.items() if v >= model.threshold} for s in model.scores(data.analyses)
    ]
    truth = [codes or {"andet"} for _, codes in FIXTURE]
    assert metrics(truth, predicted, data.labels).micro.f1 >= 0.9


def test_training_is_repeatable(fixture_project):
    data = coded_items(fixture_project, "udfordringer-test")
    a = train(data, epochs=5).scores(data.analyses[:2])
    b = train(data, epochs=5).scores(data.analyses[:2])
    assert a == b


def test_a_saved_model_applies_to_another_project_with_the_codebook(fixture_project, tmp_path):
    model = train_and_save(fixture_project, "udfordringer-test", tmp_path / "models", epochs=30)
    assert (tmp_path / "models" / "udfordringer-test" / "qualcode-model.json").exists()
    again = load(tmp_path / "models", "udfordringer-test")
    assert again.labels == model.labels == ["arbejdsgivere", "transport", "andet"]
    text = "Arbejdsgivernes holdning er svær."
    assert again.scores([analyse_text(text)])[0]["arbejdsgivere"] >= 0.5


def test_too_few_coded_items_is_a_clear_error(project, english):
    with pytest.raises(QualcodeError, match="only 0 coded item"):
        train(coded_items(project, "lokalpolitiske-strategier"))


@pytest.mark.parametrize("damage", ["missing", "bad-json", "other-codebook", "no-model"])
def test_bad_model_folders_are_refused_in_one_line(fixture_project, tmp_path, damage):
    folder = tmp_path / "m"
    if damage != "missing":
        train_and_save(fixture_project, "udfordringer-test", folder, epochs=2)
    target = folder / "udfordringer-test"
    if damage == "bad-json":
        (target / "qualcode-model.json").write_text("{nej", encoding="utf-8")
    if damage == "no-model":
        (target / "textcat_multilabel" / "model").unlink()
    stem = "lokalpolitiske-strategier" if damage == "other-codebook" else "udfordringer-test"
    path = target if damage == "other-codebook" else folder
    with pytest.raises(QualcodeError) as err:
        load(path, stem)
    assert len(str(err.value).splitlines()) == 1 and str(folder) in str(err.value)


# -- suggestions and verdicts -----------------------------------------------------------


def test_suggestions_skip_codes_coded_or_rejected_and_verdicts_are_stored(fixture_project):
    p = fixture_project
    item = p.items("udf")[6]  # arbejdsgiverne + transport
    ida = Suggester(p, "udf", coder="ida")
    assert [(s.code, s.source, s.words) for s in ida.for_item(item.id)] == [
        ("arbejdsgivere", "rule", ("Arbejdsgiverne",))
    ]
    coding = p.accept_suggestion(item.id, "arbejdsgivere", source="rule", score=0.6, coder="ida")
    assert (coding.coder, coding.origin, coding.start) == ("ida", "rule", None)
    assert Suggester(p, "udf", coder="ida").for_item(item.id) == []
    other = p.items("udf")[0]
    p.reject_suggestion(other.id, "arbejdsgivere", source="rule", score=0.6, coder="ida")
    assert Suggester(p, "udf", coder="ida").for_item(other.id) == []
    assert p.verdicts("udf") == [
        (item.id, "arbejdsgivere", "ida", "accepted", "rule"),
        (other.id, "arbejdsgivere", "ida", "rejected", "rule"),
    ]
    actions = [e["action"] for e in p.events()]
    assert "suggestion.accept" in actions and "suggestion.reject" in actions


def test_an_accepted_suggestion_taken_off_by_hand_is_suggested_again(fixture_project):
    p = fixture_project
    item = p.items("udf")[6]  # arbejdsgiverne + transport
    p.accept_suggestion(item.id, "arbejdsgivere", source="rule", score=0.6, coder="ida")
    assert Suggester(p, "udf", coder="ida").for_item(item.id) == []
    assert p.toggle_code(item.id, "arbejdsgivere", coder="ida") is False  # off again, by hand
    again = Suggester(p, "udf", coder="ida").for_item(item.id)
    assert [(s.code, s.source) for s in again] == [("arbejdsgivere", "rule")]
    # another coder's acceptance is theirs: it never hid the code from ida's list
    p.accept_suggestion(item.id, "arbejdsgivere", source="rule", score=0.6, coder="bo")
    assert [s.code for s in Suggester(p, "udf", coder="ida").for_item(item.id)] == ["arbejdsgivere"]
    # a rejection still hides it
    p.reject_suggestion(item.id, "arbejdsgivere", source="rule", score=0.6, coder="ida")
    assert Suggester(p, "udf", coder="ida").for_item(item.id) == []


def test_rejections_feed_the_next_training(fixture_project):
    p = fixture_project
    before = coded_items(p, "udfordringer-test", coder="ida")
    p.reject_suggestion(p.items("udf")[0].id, "arbejdsgivere", source="rule", coder="ida")
    after = coded_items(p, "udfordringer-test", coder="ida")
    assert len(before) == 0 and len(after) == 1 and after.codes == [set()]


def test_accepting_an_unknown_source_or_code_changes_nothing(fixture_project):
    p = fixture_project
    before = p.snapshot()
    item = p.items("udf")[0]
    with pytest.raises(QualcodeError):
        p.accept_suggestion(item.id, "arbejdsgivere", source="gæt")
    with pytest.raises(QualcodeError):
        p.accept_suggestion(item.id, "findes-ikke", source="rule")
    assert p.snapshot() == before


def test_undo_takes_back_an_accepted_suggestion(fixture_project):
    p = fixture_project
    item = p.items("udf")[7]
    p.accept_suggestion(item.id, "transport", source="model", score=0.7)
    assert [c.origin for c in p.codings(item_id=item.id, coder="anne")] == ["", "model"]
    p.undo()
    assert [c.code for c in p.codings(item_id=item.id, coder="anne")] == ["andet"]
    p.redo()
    assert [c.origin for c in p.codings(item_id=item.id, coder="anne")] == ["", "model"]


def test_model_suggestions_and_uncertainty(fixture_project):
    p = fixture_project
    model = train(coded_items(p, "udfordringer-test"), epochs=30)
    s = Suggester(p, "udf", model=model, coder="ida")
    found = s.for_items([i.id for i in p.items("udf")])
    sources = {x.source for group in found.values() for x in group}
    assert sources == {"rule", "model"}
    unsure = s.uncertainty([i.id for i in p.items("udf")])
    assert set(unsure) == {i.id for i in p.items("udf")}
    assert all(0 <= v <= 1 for v in unsure.values())


# -- evaluation --------------------------------------------------------------------------


def test_metrics_agree_with_scikit_learn():
    from sklearn.metrics import precision_recall_fscore_support
    from sklearn.preprocessing import MultiLabelBinarizer

    labels = ["a", "b", "c", "d"]
    truth = [{"a"}, {"a", "b"}, {"c"}, set(), {"b", "c"}, {"a"}, {"d"}]
    pred = [{"a"}, {"b"}, {"a", "c"}, {"b"}, {"b", "c"}, set(), set()]
    ours = metrics(truth, pred, labels)
    mlb = MultiLabelBinarizer(classes=labels)
    y_true, y_pred = mlb.fit_transform(truth), mlb.transform(pred)
    for avg, (p, r, f) in (
        ("micro", (ours.micro.precision, ours.micro.recall, ours.micro.f1)),
        ("macro", ours.macro()),
    ):
        sp, sr, sf, _ = precision_recall_fscore_support(
            y_true, y_pred, average=avg, zero_division=0
        )
        assert (p, r, f) == pytest.approx((sp, sr, sf), abs=1e-12)
    sp, sr, sf, support = precision_recall_fscore_support(
        y_true, y_pred, average=None, zero_division=0
    )
    for i, label in enumerate(labels):
        s = ours.per_code[label]
        assert (s.precision, s.recall, s.f1, s.support) == pytest.approx(
            (sp[i], sr[i], sf[i], support[i])
        )


def test_folds_cover_every_item_once():
    folds = folds_of(23, 5, seed=3)
    assert sorted(i for f in folds for i in f) == list(range(23))
    assert folds == folds_of(23, 5, seed=3)


def test_evaluate_reports_rules_model_and_both(fixture_project):
    data = coded_items(fixture_project, "udfordringer-test")
    ev = evaluate(
        data,
        {"arbejdsgivere": "A", "transport": "T", "andet": "X"},
        RuleMatcher(fixture_project.codebook("udfordringer-test")),
        k=4,
        epochs=10,
    )
    assert set(ev.results) == {"rules", "model", "both"}
    rows = ev.rows()
    assert [r["code"] for r in rows] == ["arbejdsgivere", "transport", "andet", "micro", "macro"]
    # the rules find every arbejdsgiver answer and only those
    assert rows[0]["rules_precision"] == 1.0 and rows[0]["rules_recall"] == 1.0
    # both = the union: its recall is never below either source's
    for code in data.labels:
        both = ev.results["both"].per_code[code].recall
        assert both >= ev.results["rules"].per_code[code].recall
        assert both >= ev.results["model"].per_code[code].recall


def test_evaluate_refuses_too_many_folds(fixture_project, english):
    data = coded_items(fixture_project, "udfordringer-test")
    with pytest.raises(QualcodeError, match="fewer than the 20 folds"):
        evaluate(data, {}, RuleMatcher(BOOK), k=20)
    with pytest.raises(QualcodeError, match="at least 2"):
        evaluate(data, {}, RuleMatcher(BOOK), k=1)


# -- keyword in context --------------------------------------------------------------------


def test_kwic_finds_every_inflection_with_context(demo_db):
    p = Project.open(demo_db)
    try:
        hits = kwic(p, "arbejdsgiver", width=20)
        words = {h.match.lower() for h in hits}
        assert {"arbejdsgiverne", "arbejdsgivere"} <= words
        for h in hits:
            text = p.item(h.item_id).text
            assert text[h.start : h.end] == h.match
            assert len(h.left) <= 20 and len(h.right) <= 20
        assert {h.question for h in kwic(p, "arbejdsgiver", question="strategier")} == {
            "strategier"
        }
    finally:
        p.close()


# -- nothing is fetched from the network ----------------------------------------------------


def test_no_network_is_attempted(fixture_project, tmp_path, monkeypatch):
    """The pipeline, training, saving, loading and suggesting with every socket refused."""
    import qualcode.nlp.pipeline as pipeline

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    import qualcode.nlp.lemmas as lemmas

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("QUALCODE_CACHE", str(tmp_path / "cache"))  # the table built afresh
    monkeypatch.setattr(lemmas, "_local", __import__("threading").local())
    pipeline.get_nlp.cache_clear()
    lemmas.lookup.cache_clear()
    pipeline.lemma_of.cache_clear()
    assert lemma_of("arbejdsgiverne") == "arbejdsgiver"
    assert list((tmp_path / "cache").glob("da-lemmas-*.sqlite"))
    model = train_and_save(fixture_project, "udfordringer-test", tmp_path / "m", epochs=3)
    again = load(model.path)
    found = Suggester(fixture_project, "udf", model=again, coder="ida").for_items(
        [i.id for i in fixture_project.items("udf")]
    )
    assert any(found.values())


# -- the CLI -------------------------------------------------------------------------------------


def test_cli_train_suggest_evaluate_kwic_on_the_demo(demo_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_CODER", "ny")
    r = run("train", demo_copy, "--question", "strategier", "--out", tmp_path / "models")
    assert r.exit_code == 0, r.output
    assert "lokalpolitiske-strategier: trænet på 35 kodede tekster" in r.stdout
    out = tmp_path / "forslag.csv"
    r = run(
        "suggest", demo_copy, "--question", "strategier", "--model", tmp_path / "models", "-o", out
    )
    assert r.exit_code == 0, r.output
    import csv

    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert list(rows[0])[:6] == ["respondent", "question", "code", "label", "score", "source"]
    assert {r["source"] for r in rows} == {"rule", "model"}
    assert all(0 <= float(r["score"]) <= 1 for r in rows)
    assert {r["respondent"] for r in rows} <= {
        i.respondent for i in Project.open(demo_copy).items("strategier")
    }
    r = run("evaluate", demo_copy, "--question", "strategier", "--folds", "3", "--format", "csv")
    assert r.exit_code == 0, r.output
    table = list(csv.DictReader(r.stdout.lstrip("\ufeff").splitlines()))
    assert [t["code"] for t in table][-2:] == ["micro", "macro"]
    assert {"rules_f1", "model_f1", "both_f1"} <= set(table[0])
    r = run("kwic", demo_copy, "fleksjob*", "--format", "json")
    assert r.exit_code == 0 and '"match": "Fleksjobberne"' in r.stdout


def test_cli_suggest_without_a_model_uses_the_rules_and_says_so(demo_copy):
    r = run("suggest", demo_copy, "--question", "strategier", "--format", "csv")
    assert r.exit_code == 0
    assert "kun nøgleordsregler" in r.stderr
    assert ",rule," in r.stdout and ",model," not in r.stdout


def test_cli_bad_inputs_are_one_line_errors(demo_copy, tmp_path, english):
    before = Project.open(demo_copy).snapshot()
    assert_one_line_error(
        run("suggest", demo_copy, "--question", "strategier", "--model", tmp_path / "nowhere"),
        "nowhere",
        "qualcode-model.json",
    )
    assert_one_line_error(
        run("evaluate", demo_copy, "--question", "strategier", "--folds", "99"), "99 folds"
    )
    assert_one_line_error(run("kwic", demo_copy, "  "), "WORD")
    assert_one_line_error(run("suggest", demo_copy, "--question", "nej"), "nej")
    assert Project.open(demo_copy).snapshot() == before


# -- model folders: a codebook name from data never leaves the models folder ------------------


def stored_under(project: Project, old: str, new: str) -> None:
    """The codebook renamed in the project file, as an older version could have stored it
    (from a YAML file named '...yaml', or a REFI-QDA file's hints)."""
    conn = project.db
    conn.execute("PRAGMA foreign_keys = OFF")
    with conn:
        for sql in (
            "UPDATE codebooks SET id = ? WHERE id = ?",
            "UPDATE codes SET codebook_id = ? WHERE codebook_id = ?",
            "UPDATE questions SET codebook_id = ? WHERE codebook_id = ?",
        ):
            conn.execute(sql, [new, old])
    conn.execute("PRAGMA foreign_keys = ON")


def listing(folder) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (a folder as b'<dir>')."""
    return {
        str(p.relative_to(folder)): (b"<dir>" if p.is_dir() else p.read_bytes())
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize(
    "stem", ["..", "../../x", "/tmp/x", ".", "", "a/b", ".skjult", "con", "x" * 101]
)
def test_a_codebook_name_that_cannot_name_a_folder_gets_no_model(
    fixture_project, tmp_path, stem, english
):
    from qualcode.nlp.textcat import default_folder, default_model, model_folder

    models = tmp_path / "work" / "models"
    models.mkdir(parents=True)
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "behold.txt").write_text("vigtigt", encoding="utf-8")
    stored_under(fixture_project, "udfordringer-test", stem)
    before = listing(tmp_path)
    with pytest.raises(QualcodeError) as err:
        train_and_save(fixture_project, stem, models, epochs=2)
    message = str(err.value)
    assert len(message.splitlines()) == 1 and "cannot name a file" in message
    assert listing(tmp_path) == before  # nothing made, nothing removed
    for call in (
        lambda: model_folder(models, stem),
        lambda: load(models, stem),
        lambda: default_folder(fixture_project, stem),
    ):
        with pytest.raises(QualcodeError, match="cannot name a file"):
            call()
    assert default_model(fixture_project, stem) is None


def test_the_model_folder_is_the_stem_right_inside_the_models_folder(tmp_path, english):
    from qualcode.nlp.textcat import model_folder

    models = tmp_path / "models"
    assert model_folder(models, "fleksjob") == models / "fleksjob"
    models.mkdir()
    (tmp_path / "andetsteds").mkdir()
    (models / "link").symlink_to(tmp_path / "andetsteds", target_is_directory=True)
    with pytest.raises(QualcodeError, match="link to a folder outside"):
        model_folder(models, "link")


@pytest.mark.parametrize("obstacle", ["folder", "file", "link", "empty-folder"])
def test_a_target_that_is_not_a_model_folder_is_left_alone(fixture_project, tmp_path, obstacle):
    models = tmp_path / "models"
    models.mkdir()
    target = models / "udfordringer-test"
    if obstacle == "folder":
        target.mkdir()
        (target / "data.csv").write_text("a,b\n", encoding="utf-8")
    elif obstacle == "file":
        target.write_text("ikke en model", encoding="utf-8")
    elif obstacle == "link":  # even to a model folder elsewhere
        elsewhere = tmp_path / "andetsteds"
        train_and_save(fixture_project, "udfordringer-test", elsewhere, epochs=2)
        target.symlink_to(elsewhere / "udfordringer-test", target_is_directory=True)
    else:
        target.mkdir()
    before = listing(tmp_path)
    with pytest.raises(QualcodeError) as err:
        train_and_save(fixture_project, "udfordringer-test", models, epochs=2)
    assert len(str(err.value).splitlines()) == 1 and str(target) in str(err.value)
    assert listing(tmp_path) == before


def test_retraining_replaces_the_model_and_leaves_nothing_behind(fixture_project, tmp_path):
    models = tmp_path / "models"
    (models / "andet").mkdir(parents=True)
    (models / "andet" / "noter.txt").write_text("min", encoding="utf-8")
    first = train_and_save(fixture_project, "udfordringer-test", models, epochs=2)
    stamp = (first.path / "qualcode-model.json").read_bytes()
    second = train_and_save(fixture_project, "udfordringer-test", models, epochs=3)
    assert second.path == first.path == models / "udfordringer-test"
    assert sorted(p.name for p in models.iterdir()) == ["andet", "udfordringer-test"]
    assert (models / "andet" / "noter.txt").read_text(encoding="utf-8") == "min"
    assert (second.path / "qualcode-model.json").read_bytes() != stamp
    assert load(models, "udfordringer-test").meta["epochs"] == 3


@pytest.mark.parametrize("fails", ["saving", "renaming-in"])
def test_a_failed_save_keeps_the_old_model(fixture_project, tmp_path, monkeypatch, fails):
    import os

    from qualcode.nlp import textcat

    models = tmp_path / "models"
    train_and_save(fixture_project, "udfordringer-test", models, epochs=2)
    before = listing(models)
    if fails == "saving":

        def broken_save(self, folder):
            (folder / "halvt").write_text("x", encoding="utf-8")
            raise OSError(28, "No space left on device", str(folder))

        monkeypatch.setattr(textcat.Model, "save", broken_save)
    else:
        real_rename = os.rename

        def rename(src, dst):
            if str(src).endswith(".new"):
                raise OSError(13, "Permission denied", str(dst))
            return real_rename(src, dst)

        monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError):
        train_and_save(fixture_project, "udfordringer-test", models, epochs=3)
    assert listing(models) == before  # the old model, and no temporary folder
    assert load(models, "udfordringer-test").meta["epochs"] == 2


def test_cli_train_refuses_a_stored_codebook_named_dot_dot(fixture_project, tmp_path):
    db = fixture_project.path
    stored_under(fixture_project, "udfordringer-test", "..")
    fixture_project.close()
    (tmp_path / "andet.txt").write_text("behold", encoding="utf-8")
    before = {k: v for k, v in listing(tmp_path).items() if not k.startswith("fixture.db")}
    assert_one_line_error(run("train", db), "'..'", "kan ikke bruges som filnavn")
    after = {k: v for k, v in listing(tmp_path).items() if not k.startswith("fixture.db")}
    assert after == before
    with Project.open(db) as p:
        assert p.codebook_stems() == [".."]
    r = run("suggest", db, "--question", "udf", "--format", "csv")  # rules still work
    assert r.exit_code == 0 and "kun nøgleordsregler" in r.stderr


def test_cli_train_out_replaces_only_a_model_folder(fixture_project, tmp_path, english):
    db = fixture_project.path
    out = tmp_path / "ud"
    (out / "udfordringer-test").mkdir(parents=True)
    (out / "udfordringer-test" / "rapport.docx").write_bytes(b"min rapport")
    before = listing(tmp_path / "ud")
    assert_one_line_error(
        run("train", db, "--out", out), "udfordringer-test", "not a qualcode model folder"
    )
    assert listing(tmp_path / "ud") == before
    (out / "udfordringer-test" / "rapport.docx").unlink()
    (out / "udfordringer-test").rmdir()
    for _ in range(2):  # made, then replaced
        r = run("train", db, "--out", out, "--epochs", "2")
        assert r.exit_code == 0, r.output
        assert sorted(p.name for p in out.iterdir()) == ["udfordringer-test"]
