"""The analyses' layers: agreement, crosstab and waves compute in core, their queries are
in store and their file formats in io, so core holds no SQL and no renderer."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import qualcode

SRC = Path(qualcode.__file__).parent
CORE = ["agreement", "cooccurrence", "crosstab", "waves"]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("name", CORE)
def test_core_analysis_has_no_sql_and_no_file_formats(name):
    path = SRC / "core" / f"{name}.py"
    text = path.read_text(encoding="utf-8")
    assert ".execute(" not in text and "SELECT " not in text
    imported = _imports(path)
    assert not {m for m in imported if m.startswith(("qualcode.io", "qualcode.tui"))}
    assert not imported & {"csv", "json", "io", "openpyxl", "textual", "qualcode.safe"}


@pytest.mark.parametrize("name", ["fmt", "table", *CORE])
def test_io_modules_import_nothing_heavy(name):
    code = (
        f"import sys, qualcode.io.{name}; "
        "print(sorted(m for m in ('pandas', 'openpyxl', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_analysis_queries_agree_with_the_project_api(demo_copy):
    from qualcode.core.project import Project
    from qualcode.store import analysis

    with Project.open(demo_copy) as p:
        p.add_coding(p.items("strategier")[0].id, "fleksjob", coder="bo")
        codable = {it.id: it for it in p.items("interview")}  # no interviewer turns
        expected = sorted(
            {c.coder for c in p.codings(question="interview") if c.item_id in codable}
        )
        assert analysis.coders_of_codable(p.db, "interview") == expected
        assert analysis.coders_of_codable(p.db, "strategier") == ["bo", "guld"]

        by_code = analysis.respondents_by_code(p.db, "strategier", "bo")
        assert by_code == {"fleksjob": {p.items("strategier")[0].respondent}}
        everybody = analysis.respondents_by_code(p.db, "strategier")
        counts = p.counts("strategier")
        for key, n in zip(counts["code"], counts["respondents"], strict=True):
            if not p.codebook("strategier").descendants(key):
                assert len(everybody.get(key, set())) == n

        attrs = analysis.attribute_counts(p.db)
        for r in p.respondents():
            for name, value in r.attributes.items():
                if value.strip():
                    assert attrs[name][value] > 0
                else:
                    assert value not in attrs.get(name, {})
        assert list(attrs) == sorted(attrs)
