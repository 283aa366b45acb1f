"""The Danish lemma table of spaCy's lookup lemmatizer, read from an indexed file on disk.

spacy-lookups-data ships the table as one gzipped JSON object of 553,116 word → lemma
pairs. Loaded the usual way (spaCy's ``Lookups``) it costs about 190 MB of memory, which
would put the workbench over its memory budget on a big project. So on first use the JSON
is streamed once into a small SQLite file (``da-lemmas-<version>.sqlite``, about 20 MB) in
the user's cache folder (``QUALCODE_CACHE`` overrides), and words are looked up there,
with an in-memory cache of the words met. The file is written to a temporary name and
renamed, so two processes building it at once cannot leave a half-written table.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from qualcode.store import lemmas as lemma_store

_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"')
_local = threading.local()


def _source() -> tuple[Path, str]:
    import importlib.metadata

    import spacy_lookups_data

    data = Path(spacy_lookups_data.__file__).parent / "data" / "da_lemma_lookup.json.gz"
    return data, importlib.metadata.version("spacy-lookups-data")


def cache_dir() -> Path:
    env = os.environ.get("QUALCODE_CACHE")
    if env:
        return Path(env)
    from platformdirs import user_cache_path

    return user_cache_path("qualcode", appauthor=False)


def _unescape(text: str) -> str:
    return json.loads(f'"{text}"') if "\\" in text else text


def _pairs(path: Path, chunk: int = 1 << 20) -> Iterator[tuple[str, str]]:
    """The word → lemma pairs of the gzipped JSON object, a chunk at a time."""
    rest = ""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        while True:
            block = fh.read(chunk)
            text = rest + block
            end = 0
            for m in _PAIR.finditer(text):
                if m.end() == len(text) and block:
                    break  # may be cut off: finish it with the next block
                yield _unescape(m.group(1)), _unescape(m.group(2))
                end = m.end()
            rest = text[end:]
            if not block:
                return


def table_file() -> Path:
    """The lemma file, built from spacy-lookups-data if it is not there yet."""
    source, version = _source()
    folder = cache_dir()
    target = folder / f"da-lemmas-{version}.sqlite"
    if target.exists():
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # no writable cache folder: a private temporary one
        folder = Path(tempfile.gettempdir()) / f"qualcode-cache-{os.getuid()}"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / target.name
        if target.exists():
            return target
    fd, tmp = tempfile.mkstemp(prefix=".da-lemmas.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        count = lemma_store.build(tmp, _pairs(source))
        if count < 1000:  # a damaged download: do not cache a useless table
            raise RuntimeError(f"{source}: only {count} lemmas read")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _conn() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:  # one read-only connection per thread
        conn = lemma_store.open_readonly(table_file())
        _local.conn = conn
    return conn


@lru_cache(maxsize=400_000)
def lookup(word: str) -> str | None:
    """The table's lemma of ``word`` (already lower case), or None if it has none."""
    return lemma_store.lookup(_conn(), word)
