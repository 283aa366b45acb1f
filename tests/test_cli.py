"""The command line: every command has help, user errors are one line with exit 1,
bad usage exits 2, and each output format is right."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest
from click.testing import CliRunner

from qualcode.cli import cli

runner = CliRunner()


def run(*args: str):
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def commands(group=cli, prefix=()):
    import click

    for name, cmd in group.commands.items():
        yield (*prefix, name)
        if isinstance(cmd, click.Group):
            yield from commands(cmd, (*prefix, name))


@pytest.mark.parametrize("path", list(commands()), ids=" ".join)
def test_every_command_has_help(path):
    result = run(*path, "--help")
    assert result.exit_code == 0
    usage, description = result.output.split("\n\n")[:2]
    assert usage.startswith("Brug:")  # click's words in Danish too
    assert len(description.strip()) > 20, "a real description, not only the usage line"


def test_every_command_and_group_has_help_text():
    """Like sqlite-utils' docs test: a command added without a docstring fails here."""
    without = [" ".join(path) for path in commands() if not (_command(path).help or "").strip()]
    assert (cli.help or "").strip() and not without, f"no help text: {without}"


def test_every_command_is_in_the_readme():
    """The README's command block ("What you can do now") names every command, so a new
    command is listed where people look first."""
    import re
    from pathlib import Path

    import click

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    block = re.search(r"## What you can do now\n\n```bash\n(.*?)\n```", readme, re.S)
    assert block, "the README's command block is gone"
    missing = [
        " ".join(path)
        for path in commands()
        if not isinstance(_command(path), click.Group)
        and not re.search(rf"qualcode {re.escape(' '.join(path))}(\s|$)", block.group(1), re.M)
    ]
    assert not missing, f"add a line to the README's command block for: {missing}"


def _command(path):
    cmd = cli
    for name in path:
        cmd = cmd.commands[name]
    return cmd


def test_counts_strategier_prints_tabel_1(demo_db):
    result = run("counts", demo_db, "--question", "strategier")
    assert result.exit_code == 0
    line = next(x for x in result.output.splitlines() if x.startswith("Generelt fokus"))
    assert 'Generelt fokus på "borgere på kanten"' in line
    assert "15 af 35" in line


def test_counts_csv_columns(demo_db):
    result = run("counts", demo_db, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert set(["question", "code", "label", "respondents", "answered", "percent"]) <= set(rows[0])
    assert {r["question"] for r in rows} == {
        "strategier",
        "udfordringer-fysiske",
        "udfordringer-psykiske",
        "interview",
        # Tabel 4: one question per type of external actor
        "samarbejde-lokale-virksomheder",
        "samarbejde-patientforeninger",
        "samarbejde-socialoekonomiske",
        "samarbejde-private-leverandoerer",
        "samarbejde-satspulje",
    }
    fys = {r["code"]: r for r in rows if r["question"] == "udfordringer-fysiske"}
    assert fys["videnskrav"]["respondents"] == "5" and fys["videnskrav"]["answered"] == "19"
    assert float(fys["videnskrav"]["percent"]) == pytest.approx(26.3)


def test_counts_markdown_has_report_layout(demo_db):
    result = run("counts", demo_db, "--question", "udfordringer-psykiske", "--format", "md")
    assert "| Udfordringer med arbejdsgivere | Arbejdsgiverne og virksomhederne" in result.output
    assert "Anført af 9 ud af 19 jobcentre | 47 % | Anført af 9 ud af 19 jobcentre |" in (
        result.output
    )


def test_counts_interview_markdown_uses_verbal_scale(demo_db):
    result = run("counts", demo_db, "--question", "interview", "--format", "md")
    assert "Nævnt af de fleste (" in result.output
    assert "Enkelte = 1–3, flere = 4–8" in result.output


def test_counts_json(demo_db):
    result = run("counts", demo_db, "--question", "strategier", "--format", "json")
    data = json.loads(result.output)
    assert data["answered"] == 35
    assert data["codes"][0]["respondents"] == 15


def test_counts_xlsx_numbers_are_numbers(demo_db, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "tabel.xlsx"
    result = run("counts", demo_db, "-o", out)
    assert result.exit_code == 0, result.output
    ws = load_workbook(out)["strategier"]
    assert ws["A3"].value == 'Generelt fokus på "borgere på kanten"'
    assert ws["C3"].value == "Anført af 15 ud af 35 jobcentre"
    assert ws["D3"].value == 15 and isinstance(ws["D3"].value, int)
    assert ws["F3"].value == pytest.approx(42.857, abs=0.05)
    assert ws.column_dimensions["A"].width >= 40


def test_output_is_not_overwritten_without_force(demo_db, tmp_path):
    out = tmp_path / "t.csv"
    out.write_text("mine", encoding="utf-8")
    result = run("counts", demo_db, "-o", out)
    assert result.exit_code == 1
    assert "findes allerede; brug --force" in result.stderr
    assert out.read_text(encoding="utf-8") == "mine"
    assert run("counts", demo_db, "-o", out, "--force").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("question,code,label")


def test_csv_export_neutralises_formulas(project, project_path):
    from qualcode.io.export import safe_cell

    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("-3") == "'-3" and safe_cell("Fleksjob") == "Fleksjob"
    it = project.items("strategier", respondent="JC01")[0]
    project.db.execute("UPDATE items SET text = '=1+1' WHERE id = ?", [it.id])
    project.db.commit()
    project.add_coding(it.id, "fleksjob")
    out = run("quotes", project_path, "--code", "fleksjob", "--format", "csv").output
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["text"] == "'=1+1"


def test_quotes_markdown(demo_db):
    result = run("quotes", demo_db, "--code", "eksterne-aktoerer")
    assert result.exit_code == 0
    assert (
        '"Vi samarbejder fast med Kræftens Bekæmpelse med om kompenserende ordninger til '
        'kræftpatienter" – Leder i jobcenter'
    ) in result.output
    anon = run("quotes", demo_db, "--code", "eksterne-aktoerer", "--anonymous").output
    assert "JC" not in anon


def test_quotes_csv_by_label(demo_db):
    result = run("quotes", demo_db, "--code", "Hjælpemidler", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and all(r["code"] == "hjaelpemidler" and r["role"] for r in rows)


def test_user_errors_are_one_line_exit_1(demo_db, tmp_path):
    cases = [
        ("counts", demo_db, "--question", "nope"),
        ("counts", tmp_path / "missing.db"),
        ("quotes", demo_db, "--code", "nope"),
        ("codebook", "show", "nope"),
        ("codebook", "validate", tmp_path / "nope.yaml"),
    ]
    for args in cases:
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("qualcode: fejl: "), args
        assert result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "missing.db").exists()


def test_bad_usage_exits_2(demo_db):
    assert run("counts", demo_db, "--format", "pdf").exit_code == 2
    assert run("quotes", demo_db).exit_code == 2
    assert run("nosuchcommand").exit_code == 2
    assert run("counts", demo_db, "--format", "xlsx").exit_code == 2


def test_not_a_project_file(tmp_path, english):
    bad = tmp_path / "x.db"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    result = run("counts", bad)
    assert result.exit_code == 1 and "not an SQLite file" in result.stderr


def test_code_command_codes_and_uncodes(demo_copy, english):
    result = run(
        "code",
        demo_copy,
        "--question",
        "strategier",
        "--respondent",
        "JC04",
        "--code",
        "Fleksjob",
        "--coder",
        "ida",
    )
    assert result.exit_code == 0, result.stderr
    conn = sqlite3.connect(demo_copy)
    sql = (
        "SELECT COUNT(*) FROM codings c JOIN items i ON i.id = c.item_id JOIN codes k"
        " ON k.id = c.code_id WHERE i.respondent_id = 'JC04' AND k.key = 'fleksjob'"
        " AND c.coder = 'ida'"
    )
    assert conn.execute(sql).fetchone()[0] == 1
    assert (
        run(
            "code",
            demo_copy,
            "--question",
            "strategier",
            "--respondent",
            "JC04",
            "--code",
            "fleksjob",
            "--coder",
            "ida",
            "--remove",
        ).exit_code
        == 0
    )
    assert conn.execute(sql).fetchone()[0] == 0
    empty = run(
        "code", demo_copy, "--question", "strategier", "--respondent", "JC02", "--code", "fleksjob"
    )
    assert empty.exit_code == 1 and "empty answer" in empty.stderr


def test_demo_command_refuses_to_overwrite(tmp_path):
    target = tmp_path / "d.db"
    assert run("demo", target).exit_code == 0
    again = run("demo", target)
    assert again.exit_code == 1 and "--force" in again.stderr
    assert run("demo", target, "--force").exit_code == 0


def test_bare_qualcode_builds_demo_in_data_dir_and_prints_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_HOME", str(tmp_path / "home"))
    result = run()
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "home" / "demo.qualcode.db").exists()
    assert "15 af 35" in result.output
    assert run().exit_code == 0  # second start reuses it


def test_codebook_commands(tmp_path, demo_db):
    listing = run("codebook", "list").output
    for stem in (
        "lokalpolitiske-strategier",
        "udfordringer-fysiske",
        "udfordringer-psykiske",
        "eksterne-aktoerer",
        "kompenserende-ordninger",
    ):
        assert stem in listing
    shown = run("codebook", "show", "udfordringer-fysiske").output
    assert "Praktiske omstændigheder" in shown and "Rapporten: 5 ud af 19" in shown
    out = tmp_path / "lokalpolitiske-strategier.yaml"
    assert run("codebook", "export", demo_db, "lokalpolitiske-strategier", "-o", out).exit_code == 0
    ok = run("codebook", "validate", out)
    assert ok.exit_code == 0 and "ok (7 koder" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("codes:\n  - {key: a, label: A, color: blå}\n", encoding="utf-8")
    result = run("codebook", "validate", bad)
    assert result.exit_code == 1 and "ugyldig farve 'blå'" in result.stderr


def test_info(demo_db):
    out = run("info", demo_db).output
    assert "82 respondenter" in out and "strategier (åbent" in out


def test_codebook_export_under_another_name_still_validates(tmp_path, demo_db):
    out = tmp_path / "mine-temaer.yaml"
    assert run("codebook", "export", demo_db, "udfordringer-psykiske", "-o", out).exit_code == 0
    assert run("codebook", "validate", out).exit_code == 0


def test_exported_files_get_normal_permissions(demo_db, tmp_path):
    import os
    import stat

    out = tmp_path / "t.csv"
    assert run("counts", demo_db, "-o", out).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_tui_command_fails_early_with_one_line(tmp_path, demo_db, english):
    missing = run("tui", tmp_path / "missing.db")
    assert missing.exit_code == 1 and "no such project file" in missing.stderr
    assert not (tmp_path / "missing.db").exists()
    wrong = run("tui", demo_db, "--question", "nope")
    assert wrong.exit_code == 1 and "no question 'nope'" in wrong.stderr
