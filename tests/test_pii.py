"""Personal data: CPR numbers (valid dates only), phone numbers and e-mail addresses are
found in answers and transcripts, listed by `qualcode scan-pii`, and redacted to a
placeholder with coded passages still covering the same words."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from helpers import assert_one_line_error, run, snapshot, write_csv
from qualcode.core import pii
from qualcode.core.project import Project

PHONE = "23 45 67 89"
MAIL = "søren.ågård@jobcenter-ådalen.dk"
CPR = "010190-1234"
PII_ANSWERS = [
    ["jobcenter_id", "svar"],
    ["JC01", f"Ring til Jens på {PHONE} om fleksjob i morgen."],
    ["JC02", f"Borgeren (CPR {CPR}) har fået bevilget hjælpemidler. Skriv til {MAIL}."],
    ["JC03", "Vi har øget fokus på borgere på kanten i 2017 2018, uden personlige data."],
    ["JC04", "   "],
]


# -- finding ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, valid",
    [
        ("010190-1234", True),  # 1 January 1990
        ("0101901234", True),  # without the dash
        ("311299-5678", True),  # 7th digit 5, year 99 > 57: 1899
        ("290296-1234", True),  # 1996 is a leap year
        ("290200-4234", True),  # 7th digit 4, year 00: 2000, a leap year
        ("290200-1234", False),  # 7th digit 1: 1900, not a leap year
        ("290256-5234", True),  # 7th digit 5, year 56: 2056, a leap year
        ("290257-5234", False),  # 2057 is no leap year
        ("290288-6234", True),  # 7th digit 6, year 88 > 57: 1888, a leap year
        ("290236-9234", True),  # 7th digit 9, year 36: 2036, a leap year
        ("290237-9234", False),  # year 37 with 9: 1937, no leap year
        ("300290-1234", False),  # 30 February
        ("310490-1234", False),  # 31 April
        ("320190-1234", False),  # day 32
        ("001290-1234", False),  # day 0
        ("011390-1234", False),  # month 13
    ],
)
def test_cpr_numbers_need_a_valid_date(number, valid):
    assert pii.is_cpr(number) is valid
    found = pii.find_in_text(f"Borgerens CPR er {number}, oplyst i samtalen.")
    assert [m.kind for m in found] == (["cpr"] if valid else [])
    if valid:
        assert found[0].text == number


def test_no_modulus_11_check():
    # 010190-1235 fails the old modulus-11 check (since 2007 numbers need not pass it)
    assert pii.is_cpr("010190-1235")


def test_cpr_inside_a_longer_number_is_not_a_cpr():
    assert pii.find_in_text("sagsnummer 12010190-12345 og 0101901234567", ["cpr"]) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ring på 23456789.", "23456789"),
        ("Ring på 23 45 67 89 i dag", "23 45 67 89"),
        ("Ring på 2345 6789 i dag", "2345 6789"),
        ("Tlf. +45 23 45 67 89", "+45 23 45 67 89"),
        ("Tlf. +4523456789", "+4523456789"),
        ("Tlf. 0045 2345 6789", "0045 2345 6789"),
    ],
)
def test_phone_numbers(text, expected):
    assert [m.text for m in pii.find_in_text(text, ["phone"])] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "i årene 2017 2018 blev det bedre",  # two years
        "budgettet er 23.456.789 kr.",  # an amount
        "23456789,50 kr",  # a decimal number
        "nummer 12 34 56 78 90 i sagen",  # a longer series of digit pairs
        "postnummer 8000 og 12345678",  # Danish numbers start with 2-9
    ],
)
def test_things_that_are_not_phone_numbers(text):
    assert pii.find_in_text(text, ["phone"]) == []


def test_email_with_danish_letters():
    found = pii.find_in_text(f"Skriv til {MAIL}, tak.")
    assert [(m.kind, m.text) for m in found] == [("email", MAIL)]


def test_a_cpr_number_is_not_also_a_phone_number():
    assert [m.kind for m in pii.find_in_text("0101901234")] == ["cpr"]


def test_mask_gives_nothing_away():
    assert pii.mask("010190-1234", "cpr") == "01••••-••••"
    assert pii.mask(PHONE, "phone") == "23 •• •• ••"
    assert pii.mask(MAIL, "email") == "s•••@jobcenter-ådalen.dk"


# -- a project with personal data ---------------------------------------------------


@pytest.fixture
def pii_db(tmp_path) -> Path:
    path = tmp_path / "persondata.qualcode.db"
    src = write_csv(tmp_path / "svar.csv", PII_ANSWERS)
    result = run(
        "import",
        "answers",
        path,
        src,
        "--respondent-col",
        "jobcenter_id",
        "--text-col",
        "svar",
        "--question",
        "strategier",
        "--codebook",
        "lokalpolitiske-strategier",
    )
    assert result.exit_code == 0, result.output
    return path


def test_import_warns_with_the_number_of_hits(tmp_path, english):
    # in English: the warning's line joins the CLI's words and the scan's summary
    src = write_csv(tmp_path / "svar.csv", PII_ANSWERS)
    result = run(
        "import",
        "answers",
        tmp_path / "p.db",
        src,
        "--respondent-col",
        "jobcenter_id",
        "--text-col",
        "svar",
        "--question",
        "strategier",
        "--codebook",
        "lokalpolitiske-strategier",
    )
    assert result.exit_code == 0
    assert "imported" in result.stdout and "warning" not in result.stdout
    warning = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warning) == 1
    assert "3 possible personal data" in warning[0] and "scan-pii" in warning[0]
    assert PHONE not in result.stderr and CPR not in result.stderr


def test_interview_import_warns(tmp_path, english):
    transcript = tmp_path / "JC09.md"
    transcript.write_text(
        "# JC09 Jobcenter Vestby\n\nInterviewer: Hvem kan vi kontakte?\n\n"
        f"Leder: Min kollega på {MAIL}.\n",
        encoding="utf-8",
    )
    result = run("import", "interviews", tmp_path / "p.db", transcript)
    assert result.exit_code == 0, result.output
    assert "1 possible personal data: 1 e-mail address" in result.stderr


def test_demo_has_no_personal_data(demo_db):
    with Project.open(demo_db) as p:
        assert pii.scan(p) == []


def test_scan_lists_hits(pii_db):
    with Project.open(pii_db) as p:
        hits = pii.scan(p)
    assert [(h.respondent, h.kind, h.text) for h in hits] == [
        ("JC01", "phone", PHONE),
        ("JC02", "cpr", CPR),
        ("JC02", "email", MAIL),
    ]
    assert hits[0].context() == "Ring til Jens på 23 •• •• •• om fleksjob i morgen."
    assert PHONE in hits[0].context(masked=False)


def test_scan_pii_command(pii_db, english):
    result = run("scan-pii", pii_db)
    assert result.exit_code == 0
    assert result.stderr.strip() == (
        "3 possible personal data: 1 CPR number, 1 phone number, 1 e-mail address found"
    )
    assert PHONE in result.stdout and MAIL in result.stdout
    masked = run("scan-pii", pii_db, "--mask")
    assert PHONE not in masked.stdout and "23 •• •• ••" in masked.stdout
    only = run("scan-pii", pii_db, "--kind", "email", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(only.stdout)))
    assert [(r["respondent"], r["kind"], r["text"]) for r in rows] == [("JC02", "email", MAIL)]
    assert "1 possible personal data" in only.stderr


def test_scan_csv_neutralises_a_leading_plus(tmp_path):
    src = write_csv(tmp_path / "svar.csv", [["id", "svar"], ["JC01", "+45 23 45 67 89"]])
    path = tmp_path / "p.db"
    run(
        "import",
        "answers",
        path,
        src,
        "--respondent-col",
        "id",
        "--text-col",
        "svar",
        "--question",
        "q",
        "--codebook",
        "lokalpolitiske-strategier",
    )
    rows = list(csv.DictReader(io.StringIO(run("scan-pii", path, "--format", "csv").stdout)))
    assert rows[0]["text"] == "'+45 23 45 67 89"
    assert rows[0]["context"] == "'+45 23 45 67 89"


def test_scan_pii_bad_input_is_one_line(pii_db, tmp_path):
    assert_one_line_error(run("scan-pii", tmp_path / "nope.db"), "nope.db")
    assert_one_line_error(run("scan-pii", pii_db, "--question", "nope"), "nope")
    assert run("scan-pii", pii_db, "--kind", "adresse").exit_code == 2


# -- redaction ----------------------------------------------------------------------


def test_redaction_shifts_coded_spans(pii_db):
    with Project.open(pii_db, coder="ane") as p:
        item = p.items("strategier", respondent="JC01")[0]
        text = item.text
        fleks = text.index("fleksjob")
        jens = text.index("Jens")
        after = p.add_coding(item.id, "fleksjob", start=fleks, end=fleks + len("fleksjob"))
        around = p.add_coding(item.id, "andet", start=jens, end=text.index(" om"))
        inside = p.add_coding(
            item.id, "borgere-paa-kanten", start=text.index("45"), end=text.index("89") + 2
        )
        before = p.add_coding(item.id, "beskaeftigelsesplan", start=0, end=4)
        whole = p.add_coding(item.id, "kendskab-ordninger")
        p.db.execute(
            "INSERT INTO nlp_docs (item_id, pipeline, text_sha, sents, tokens)"
            " VALUES (?, 'da', 'x', '[]', ?)",
            [item.id, json.dumps([PHONE])],
        )
        p.db.commit()
        assert pii.redact(p, pii.scan(p, kinds=["phone"])) == 1
        new = p.item(item.id).text
        assert new == "Ring til Jens på [TELEFON] om fleksjob i morgen."

        def span(c):
            got = p.coding(c.id)
            return new[got.start : got.end]

        assert span(after) == "fleksjob"
        assert span(around) == "Jens på [TELEFON]"
        assert span(inside) == "[TELEFON]"
        assert span(before) == "Ring"
        assert p.coding(whole.id).start is None
        assert (
            p.db.execute("SELECT COUNT(*) FROM nlp_docs WHERE item_id = ?", [item.id]).fetchone()[0]
            == 0
        )
        assert [q.text for q in p.quotes("fleksjob")] == ["fleksjob"]


def test_redaction_is_logged_without_the_personal_data(pii_db, english):
    result = run("scan-pii", pii_db, "--redact")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("redacted 3 of 3 possible personal data")
    with Project.open(pii_db) as p:
        texts = [i.text for i in p.items("strategier")]
        assert "Borgeren (CPR [CPR]) har fået bevilget hjælpemidler. Skriv til [E-MAIL]." in texts
        assert pii.scan(p) == []
        events = [e for e in p.events() if e["action"] == "pii.redact"]
    assert [e["payload"]["kind"] for e in events] == ["phone", "cpr", "email"]
    assert {e["payload"]["placeholder"] for e in events} == {"[CPR]", "[TELEFON]", "[E-MAIL]"}
    logged = json.dumps([e["payload"] for e in events], ensure_ascii=False)
    for secret in (PHONE, CPR, MAIL, "010190", "søren"):
        assert secret not in logged
    assert run("scan-pii", pii_db, "--redact").stdout.startswith("redacted 0 of 0")


def test_redaction_leaves_no_trace_in_the_file(pii_db):
    assert run("scan-pii", pii_db, "--redact", "--kind", "cpr").exit_code == 0
    raw = b"".join(
        Path(f"{pii_db}{s}").read_bytes() for s in ("", "-wal") if Path(f"{pii_db}{s}").exists()
    )
    assert CPR.encode() not in raw
    assert MAIL.encode("utf-8") in raw  # only the kind asked for was redacted


def test_redaction_is_all_or_nothing(pii_db, monkeypatch):
    before = snapshot(pii_db)

    def boom(*_a, **_k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pii, "_shift_codings", boom)
    with Project.open(pii_db) as p, pytest.raises(RuntimeError):
        pii.redact(p, pii.scan(p))
    assert snapshot(pii_db) == before


def test_a_stale_hit_is_skipped(pii_db):
    with Project.open(pii_db) as p:
        hits = pii.scan(p)
        assert pii.redact(p, hits[:1]) == 1
        assert pii.redact(p, hits) == 2  # the first is no longer there; the others are


def test_quotes_export_warns_about_unredacted_hits(pii_db, english):
    with Project.open(pii_db) as p:
        p.add_coding(p.items("strategier", respondent="JC02")[0].id, "kendskab-ordninger")
    result = run("quotes", pii_db, "--code", "kendskab-ordninger", "--format", "csv")
    assert result.exit_code == 0
    assert "warning: the quotes hold 2 possible personal data" in result.stderr
    run("scan-pii", pii_db, "--redact")
    clean = run("quotes", pii_db, "--code", "kendskab-ordninger", "--format", "csv")
    assert "warning" not in clean.stderr


def test_scan_reads_with_plain_sqlite(pii_db):
    # the redaction committed: another connection sees it at once
    run("scan-pii", pii_db, "--redact", "--kind", "phone")
    conn = sqlite3.connect(pii_db)
    text = conn.execute("SELECT text FROM items WHERE respondent_id = 'JC01'").fetchone()[0]
    conn.close()
    assert "[TELEFON]" in text


def test_report_warns_when_its_quotes_hold_personal_data(pii_db, tmp_path, english):
    """Only starred quotes go into a report: a star on an unredacted answer warns."""
    with Project.open(pii_db) as p:
        coding = p.add_coding(p.items("strategier", respondent="JC02")[0].id, "kendskab-ordninger")
        p.star(coding.id)
    result = run("report", pii_db, "-o", tmp_path / "rapport.md")
    assert result.exit_code == 0, result.output
    assert "warning: the quotes hold 2 possible personal data" in result.stderr
    run("scan-pii", pii_db, "--redact")
    clean = run("report", pii_db, "-o", tmp_path / "rapport2.md")
    assert clean.exit_code == 0 and "warning" not in clean.stderr


def test_the_prefilter_changes_no_match():
    """Texts without a digit or an '@' are ruled out before the patterns run; with the
    prefilter switched off every text gives the same matches."""
    import random

    from qualcode.core import pii

    random.seed(7)
    pieces = ["borgere på kanten", "ring 20 30 40 50", "010190-1234", "a.b@jobcenter.dk",
              "i 2019 og 2020", "٠١٠١٩٠١٢٣٤", "+45 2345 6789", "@", "fleksjob", "x@y"]  # fmt: skip
    texts = [
        " ".join(random.choice(pieces) for _ in range(random.randint(1, 6))) for _ in range(500)
    ]
    texts += ["", "ingen tal her", "kun @ her"]
    with_filter = [pii.find_in_text(t) for t in texts]
    assert any(with_filter) and not all(with_filter)
    assert [pii.find_in_text(t, prefilter=False) for t in texts] == with_filter
