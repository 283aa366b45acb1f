"""Realistic synthetic qualcode projects, built through the public importers.

    python bench/generate.py --answers 100000 --out /tmp/bench100k.db [--seed 1]
    python bench/generate.py --answers 100000 --questions 1 --out /tmp/one.db  # worst case

What it makes (all from a seed, so two runs with the same arguments are identical):

* ``answers`` open answers of 5-120 Danish words (mean about 36), spread over five
  questions, one per bundled codebook (the five contract stems), so ``answers / 5``
  jobcentres each answer all five questions. The words come from the repo's own texts
  (``data/svar_2018.csv``, ``data/interviews/JC*.md``) and the codebooks' labels,
  definitions and keywords, strung together by a word-pair (bigram) chain, so the text
  reads like the demo's Danish (æ, ø, å, §, dashes) without being a copy of it.
  ``--questions 1`` puts every answer in the first question instead (the worst case for
  the coding screen and the counts: one question with all the answers).
* A wide SurveyXact-style export: one semicolon CSV in Windows-1252, one row per
  jobcentre with ``jobcenter_id;navn;region;stoerrelse`` and one text column per question.
* 15 interview transcripts (Markdown, the README's format) of about 5,000 words each,
  interviewer questions between speaker turns of 40-260 words in 1-3 paragraphs.
* About 1.5 codings per answer (0-3 distinct codes, each by coder ``anne`` or ``bo``, so
  both coders code some of the same answers), and about 1.5 codings per interview
  excerpt, half of them on an exact passage (a ``text`` column) rather than the whole turn.

The project is built THROUGH the public importers, exactly as the CLI does it:
``read_answers`` + ``Project.import_answers``, ``read_interviews`` +
``Project.import_interviews``, ``read_codings`` + ``Project.import_codings``. Nothing is
written to the database directly, so the generated file is what a user would have, and
the import benchmark (``bench/bench_import.py``) times the same calls on the same files.
The seconds each step took are printed (and returned by :func:`build`).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# question id -> (CSV column, codebook stem): the five contract codebooks, one question each
QUESTIONS = [
    ("strategier", "strategier", "lokalpolitiske-strategier"),
    ("udfordringer-fysiske", "udfordringer_fysiske", "udfordringer-fysiske"),
    ("udfordringer-psykiske", "udfordringer_psykiske", "udfordringer-psykiske"),
    ("eksterne-aktoerer", "eksterne_aktoerer", "eksterne-aktoerer"),
    ("kompenserende-ordninger", "kompenserende_ordninger", "kompenserende-ordninger"),
]
INTERVIEW_QUESTION = "interview"
INTERVIEW_CODEBOOK = "interviewtemaer"
CODERS = ("anne", "bo")
REGIONS = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")
SIZES = ("Lille", "Mellem", "Stor")
ROLES = (
    "Arbejdsmarkedschef",
    "Afdelingsleder",
    "Leder i jobcenter",
    "Teamleder",
    "Virksomhedskonsulent",
)
MIN_WORDS, MAX_WORDS = 5, 120

_TOKEN = re.compile(r"[0-9A-Za-zÆØÅæøåÉéÜüÖöÄä§%/'\-]+|[.,!?]")
_LABEL = re.compile(r"^\s*(?:\*\*)?[A-ZÆØÅ][^:\n]{0,40}?(?:\*\*)?:\s*")


# -- Danish text ------------------------------------------------------------------------
def corpus_texts(repo: Path = REPO) -> list[str]:
    """Every Danish text in the repo: survey answers, interview turns, codebook prose."""
    import yaml

    texts: list[str] = []
    raw = (repo / "data" / "svar_2018.csv").read_bytes().decode("cp1252")
    for row in list(csv.reader(io.StringIO(raw), delimiter=";"))[1:]:
        texts += [cell for cell in row[1:] if cell.strip()]
    for path in sorted((repo / "data" / "interviews").glob("JC*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                texts.append(_LABEL.sub("", line))
    for path in sorted((repo / "codebooks").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [data.get("title", ""), data.get("description", "")]
        for code in data.get("codes", []):
            texts += [code.get("label", ""), code.get("definition", "")]
            texts += [f"{k}." for k in code.get("keywords", []) or []]
    return [t for t in texts if t.strip()]


class Danish:
    """A bigram chain over the repo's Danish sentences (':' and ';' become ',' so a line
    of generated text can never look like a 'Rolle:' speaker label)."""

    def __init__(self, rng: random.Random, texts: list[str] | None = None) -> None:
        self.rng = rng
        self.next: dict[str, list[str]] = defaultdict(list)
        self.starts: list[str] = []
        self.words: list[str] = []
        for text in texts if texts is not None else corpus_texts():
            tokens = _TOKEN.findall(text.replace(":", ",").replace(";", ","))
            previous = "."
            for tok in tokens:
                if tok not in ".,!?":
                    self.words.append(tok)
                if previous in ".!?":
                    if tok in ".,!?":
                        continue
                    self.starts.append(tok)
                else:
                    self.next[previous].append(tok)
                previous = tok
            if previous not in ".!?":
                self.next[previous].append(".")
        self.vocabulary = sorted(set(self.words))

    def sentence(self, max_words: int) -> list[str]:
        """One sentence of at most ``max_words`` words (punctuation tokens included)."""
        rng = self.rng
        out = [rng.choice(self.starts)]
        words = 1
        while words < max_words:
            choices = self.next.get(out[-1])
            tok = rng.choice(choices) if choices else "."
            if tok in ".!?":
                if words >= 4 or max_words - words < 2:
                    break
                tok = rng.choice(self.words)  # too short: keep going
            if tok == "," and out[-1] == ",":
                continue
            out.append(tok)
            if tok not in ",":
                words += 1
        while out and out[-1] == ",":
            out.pop()
        return out

    def text(self, n_words: int) -> str:
        """Sentences totalling exactly ``n_words`` words."""
        parts: list[str] = []
        left = n_words
        while left > 0:
            tokens = self.sentence(left)
            left -= sum(1 for t in tokens if t != ",")
            first = tokens[0]
            tokens[0] = first[:1].upper() + first[1:]
            sentence = ""
            for t in tokens:
                sentence += t if t == "," or not sentence else " " + t
            parts.append(sentence + ".")
        return " ".join(parts)

    def answer_length(self) -> int:
        """5-120 words, skewed to short answers as surveys are (mean about 36)."""
        n = MIN_WORDS + int((MAX_WORDS - MIN_WORDS + 1) * self.rng.betavariate(1.3, 3.5))
        return max(MIN_WORDS, min(MAX_WORDS, n))


def word_count(text: str) -> int:
    return sum(1 for t in _TOKEN.findall(text) if t not in ".,!?")


# -- the files ----------------------------------------------------------------------------
@dataclass
class Files:
    answers: Path
    interviews: list[Path]
    codings: Path
    respondents: int
    answer_count: int
    coding_rows: int
    interview_words: list[int] = field(default_factory=list)
    questions: int = len(QUESTIONS)  # the first this many of QUESTIONS

    @property
    def question_specs(self) -> list[tuple[str, str, str]]:
        return QUESTIONS[: self.questions]


def respondent_ids(n: int) -> list[str]:
    width = max(4, len(str(n)))
    return [f"JC{i:0{width}d}" for i in range(1, n + 1)]


def _names(n: int, rng: random.Random) -> list[str]:
    base = [
        row.split(",")[1]
        for row in (REPO / "data" / "jobcentre.csv")
        .read_text(encoding="utf-8-sig")
        .splitlines()[1:]
        if row.count(",") >= 1
    ]
    return [f"{rng.choice(base)} {i}" if n > len(base) else base[i % len(base)] for i in range(n)]


def _code_keys() -> dict[str, list[str]]:
    from qualcode.core.codebook import load_codebook

    stems = [stem for _q, _c, stem in QUESTIONS] + [INTERVIEW_CODEBOOK]
    return {stem: load_codebook(stem).keys() for stem in stems}


def _pick_codes(rng: random.Random, keys: list[str]) -> list[tuple[str, str]]:
    """0-3 distinct codes (mean 1.5), each by one of the two coders."""
    k = rng.choices((0, 1, 2, 3), weights=(10, 40, 40, 10))[0]
    return [(code, rng.choice(CODERS)) for code in rng.sample(keys, k)]


def write_files(
    workdir: Path,
    answers: int,
    *,
    seed: int = 1,
    interviews: int = 15,
    interview_words: int = 5000,
    questions: int = len(QUESTIONS),
) -> Files:
    """Write the answers CSV, the transcripts and the codings CSV into ``workdir``."""
    if not 1 <= questions <= len(QUESTIONS):
        raise ValueError(f"questions must be 1-{len(QUESTIONS)}")
    specs = QUESTIONS[:questions]
    rng = random.Random(seed)
    danish = Danish(rng)
    workdir.mkdir(parents=True, exist_ok=True)
    n_resp = math.ceil(answers / len(specs))
    ids = respondent_ids(n_resp)
    names = _names(n_resp, rng)
    keys = _code_keys()

    # answers: a wide SurveyXact export, semicolon-separated, Windows-1252; both files are
    # written row by row, so a million answers take no more memory than a thousand
    answers_path = workdir / "svar.csv"
    codings_path = workdir / "kodninger.csv"
    paths: list[Path] = []
    words: list[int] = []
    answers_file = open(answers_path, "w", encoding="cp1252", newline="")  # noqa: SIM115
    codings = open(codings_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
    with answers_file, codings:
        out = csv.writer(answers_file, delimiter=";", lineterminator="\r\n")
        out.writerow(
            ["jobcenter_id", "navn", "region", "stoerrelse", *[col for _q, col, _s in specs]]
        )
        cw = csv.writer(codings, lineterminator="\n")
        cw.writerow(["respondent", "question", "code", "coder", "item", "text"])
        written = coding_rows = 0
        for rid, name in zip(ids, names, strict=True):
            texts = []
            for qid, _col, stem in specs:
                if written >= answers:  # the last jobcentre may leave later questions empty
                    texts.append("")
                    continue
                texts.append(danish.text(danish.answer_length()))
                written += 1
                for code, coder in _pick_codes(rng, keys[stem]):
                    cw.writerow([rid, qid, code, coder, "", ""])
                    coding_rows += 1
            out.writerow([rid, name, rng.choice(REGIONS), rng.choice(SIZES), *texts])
        coding_rows += _write_interviews(
            workdir, cw, rng, danish, ids, names, keys, paths, words, interviews, interview_words
        )
    return Files(
        answers=answers_path,
        interviews=paths,
        codings=codings_path,
        respondents=n_resp,
        answer_count=written,
        coding_rows=coding_rows,
        interview_words=words,
        questions=questions,
    )


def _write_interviews(
    workdir: Path,
    cw,
    rng: random.Random,
    danish: Danish,
    ids: list[str],
    names: list[str],
    keys: dict[str, list[str]],
    paths: list[Path],
    words: list[int],
    interviews: int,
    interview_words: int,
) -> int:
    """The transcripts, and their codings into ``cw``; the number of coding rows."""
    n_resp = len(ids)
    coding_rows = 0
    # 15 transcripts of about 5,000 words, in the README's Markdown format
    step = max(1, n_resp // max(1, interviews))
    for n in range(min(interviews, n_resp)):
        rid, name = ids[n * step], names[n * step]
        role = rng.choice(ROLES)
        lines = [f"# {rid} {name}", ""]
        total, position = 0, 0
        while total < interview_words:
            question = danish.text(rng.randint(8, 20))
            lines += [f"Interviewer: {question[:-1]}?", ""]
            total += word_count(question)
            position += 1
            paragraphs = [danish.text(rng.randint(40, 130)) for _ in range(rng.randint(1, 3))]
            lines += [f"{role}: {paragraphs[0]}", ""]
            for p in paragraphs[1:]:
                lines += [p, ""]
            total += sum(word_count(p) for p in paragraphs)
            position += 1
            excerpt = position  # 1-based item number of this turn in the transcript
            for code, coder in _pick_codes(rng, keys[INTERVIEW_CODEBOOK]):
                passage = ""
                if rng.random() < 0.5:
                    sentences = re.findall(r"[^.]+\.", rng.choice(paragraphs))
                    passage = rng.choice(sentences).strip() if sentences else ""
                cw.writerow([rid, INTERVIEW_QUESTION, code, coder, excerpt, passage])
                coding_rows += 1
        path = workdir / f"{rid}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
        words.append(total)
    return coding_rows


# -- the project ----------------------------------------------------------------------------
def import_answers(project, files: Files) -> dict[str, float]:
    """The CLI's `import answers` for the wide export: parse, then write. Seconds of each."""
    from qualcode.io.answers import read_answers

    specs = files.question_specs
    t0 = time.perf_counter()
    table = read_answers(
        str(files.answers),
        respondent_col="jobcenter_id",
        text_cols=[col for _q, col, _s in specs],
        questions=[q for q, _c, _s in specs],
        codebooks=[s for _q, _c, s in specs],
        attr_cols=["region", "stoerrelse"],
        name_col="navn",
        project=project,
    )
    t1 = time.perf_counter()
    summary = project.import_answers(table)
    t2 = time.perf_counter()
    if summary.items_added != len(table.rows) * len(specs):
        raise RuntimeError(
            f"imported {summary.items_added} answers of {len(table.rows) * len(specs)}"
        )
    return {"answers_read": t1 - t0, "answers_write": t2 - t1}


def build(out: Path, files: Files, *, coder: str = "bench") -> dict[str, float]:
    """Import the files into a new project at ``out``; seconds per step."""
    from qualcode.core.codebook import load_codebook
    from qualcode.core.project import Project
    from qualcode.io.codings import read_codings
    from qualcode.io.interviews import read_interviews

    for suffix in ("", "-wal", "-shm"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    times: dict[str, float] = {}
    with Project.create(out, coder=coder) as project:
        times |= import_answers(project, files)
        t0 = time.perf_counter()
        transcripts, digest = read_interviews(files.interviews)
        t1 = time.perf_counter()
        project.import_interviews(
            transcripts,
            question=INTERVIEW_QUESTION,
            codebook=load_codebook(INTERVIEW_CODEBOOK),
            file=str(files.interviews[0].parent),
            sha256=digest,
        )
        t2 = time.perf_counter()
        rows, table = read_codings(str(files.codings), default_coder=coder)
        t3 = time.perf_counter()
        summary = project.import_codings(rows, file=table.file, sha256=table.sha256)
        t4 = time.perf_counter()
        if summary.codings_added != files.coding_rows:
            raise RuntimeError(f"imported {summary.codings_added} codings of {files.coding_rows}")
        times |= {
            "interviews_read": t1 - t0,
            "interviews_write": t2 - t1,
            "codings_read": t3 - t2,
            "codings_write": t4 - t3,
        }
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True, help="the project file to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--questions",
        type=int,
        default=len(QUESTIONS),
        help="spread the answers over this many questions (1-5; default 5)",
    )
    parser.add_argument("--interviews", type=int, default=15)
    parser.add_argument("--interview-words", type=int, default=5000)
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where the CSV and transcripts go (default: OUT's name + .files)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.answers < 1:
        parser.error("--answers must be at least 1")
    workdir = args.workdir or args.out.with_name(args.out.name + ".files")
    t0 = time.perf_counter()
    if not 1 <= args.questions <= len(QUESTIONS):
        parser.error(f"--questions must be 1-{len(QUESTIONS)}")
    files = write_files(
        workdir,
        args.answers,
        seed=args.seed,
        interviews=args.interviews,
        interview_words=args.interview_words,
        questions=args.questions,
    )
    t1 = time.perf_counter()
    times = build(args.out, files)
    result = {
        "out": str(args.out),
        "workdir": str(workdir),
        "questions": files.questions,
        "respondents": files.respondents,
        "answers": files.answer_count,
        "codings": files.coding_rows,
        "interviews": len(files.interviews),
        "interview_words": files.interview_words,
        "write_files": round(t1 - t0, 3),
        **{k: round(v, 3) for k, v in times.items()},
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
