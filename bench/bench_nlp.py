"""The spaCy pipeline into the project, and training on 5,000 coded answers.

    python bench/generate.py --answers 25000 --out /tmp/bench25k.db   # 5,000 per question
    python bench/bench_nlp.py --db /tmp/bench25k.db [--question strategier] [--items 5000]

Pipeline. qualcode: :func:`qualcode.nlp.pipeline.analyses` on the question's first
``--items`` answers with an empty cache: read the texts from the project, ``nlp.pipe`` in
batches, lemmas with the case and compound fallbacks, and the results written to the
project's ``nlp_docs`` table. Floor: bare ``nlp.pipe`` of the same texts through a blank
Danish pipeline with the sentencizer and the lookup lemmatizer, in the same process, the
texts already in memory, nothing kept. Reported as items per second and the ratio
qualcode / floor (time). Then the same call again, all from the cache.

Training: :func:`qualcode.nlp.textcat.train_and_save` on the coded answers of the
question's codebook (the generated project codes about 1.5 codes per answer), seconds
on this machine, with the number of items and epochs. Also the time to score every
answer with the trained model (the "least sure first" order of the workbench).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import emit  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--question", default="strategier")
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import spacy

    from qualcode.core.project import Project
    from qualcode.nlp.pipeline import analyses, get_nlp
    from qualcode.nlp.suggest import Suggester
    from qualcode.nlp.textcat import coded_items, load, train_and_save

    project = Project.open(args.db, coder="bench")
    items = project.items(args.question)[: args.items]
    ids, texts = [i.id for i in items], [i.text for i in items]
    stem = project.question(args.question).codebook
    out: dict[str, object] = {"items": len(ids), "question": args.question}

    # warm both: the lookup table loads on first use
    get_nlp()
    floor_nlp = spacy.blank("da")
    floor_nlp.add_pipe("sentencizer")
    floor_nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    floor_nlp.initialize()
    list(floor_nlp.pipe(texts[:50]))

    t0 = time.perf_counter()
    for doc in floor_nlp.pipe(texts, batch_size=256):
        [t.lemma_ for t in doc]
    floor = time.perf_counter() - t0

    with project.transaction():
        project.db.execute("DELETE FROM nlp_docs")
    t0 = time.perf_counter()
    analyses(project, ids)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    analyses(project, ids)
    cached = time.perf_counter() - t0
    out |= {
        "pipe_floor_s": round(floor, 3),
        "pipe_qualcode_s": round(ours, 3),
        "pipe_ratio": round(ours / floor, 2),
        "floor_items_per_s": round(len(ids) / floor),
        "qualcode_items_per_s": round(len(ids) / ours),
        "cached_items_per_s": round(len(ids) / cached),
    }

    data = coded_items(project, stem, questions=[args.question])
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        model = train_and_save(project, stem, Path(folder), questions=[args.question])
        train_s = time.perf_counter() - t0
        model = load(model.path)
        all_ids = [i.id for i in project.items(args.question)]
        analyses(project, all_ids)
        t0 = time.perf_counter()
        Suggester(project, args.question, model=model, coder="ny").uncertainty(all_ids)
        score_s = time.perf_counter() - t0
    out |= {
        "train_items": len(data),
        "train_codes": len(data.labels),
        "train_epochs": model.meta["epochs"],
        "train_s": round(train_s, 2),
        "score_items": len(all_ids),
        "score_s": round(score_s, 2),
    }
    project.close()
    if args.json:
        emit(out)
    else:
        for key, value in out.items():
            print(f"{key:>22}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
