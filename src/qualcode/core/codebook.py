"""Codebooks: the themes an analyst codes against, one human-editable YAML file each.

A codebook file looks like this (see ``codebooks/`` for the real ones)::

    codebook: lokalpolitiske-strategier      # optional; must equal the file stem
    title: Indhold i lokalpolitiske strategier eller tilkendegivelser
    definition_source: "Essensen af fokuspunktet, Tabel 1 ..."
    published: {year: 2018, base: 35, source: "Tabel 1 ..."}
    codes:
      - key: fleksjob                         # stable id; derived from the label if absent
        label: Fleksjob                       # required, unique within the codebook
        definition: Der er øget fokus på ...
        color: "#9467BD"                      # #RRGGBB; a palette colour if absent
        keywords: [fleksjob, fleksjobordning]
        published: 5                          # the report's count (base/year from above)
        parent: another-key                   # optional nesting
        include: other-codebook-stem          # optional: that codebook's codes become children

Codes keep the file's order, children right after their parent, and a code labelled
"Andet" (or marked ``other: true``) sorts last among its siblings.

A codebook's stem (its file name without ``.yaml``) names folders too (a model is saved in
``<project>.models/<stem>/``), so a stem must be a plain file name: letters, digits, '-',
'_' and '.', not starting with '.' or '-' (see :func:`qualcode.safe.is_path_name`). A
mapping that names the same key twice is refused, with both lines.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from qualcode.core.numbers import integer
from qualcode.errors import CodebookError, NotFound
from qualcode.i18n import translator
from qualcode.models import Code as Code  # the codebook API hands out Code too
from qualcode.safe import check_path_name, is_path_name, one_line, path_name

_, _n = translator("core")

# makes the one-line error of a validation step (it names the file)
Fail = Callable[[str], CodebookError]

PALETTE = (
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#BCBD22",
    "#17BECF",
    "#7F7F7F",
)
# compiled (once, by re's cache) when a codebook is first read from YAML
_COLOR = r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$"
_KEY = r"^[\w][\w\-.]*$"
OTHER_LABELS = {"andet", "other", "andre"}

MAX_CODEBOOK_CHARS = 10_000_000  # the real codebooks hold a few thousand characters
_CODEBOOK_FIELDS = {"codebook", "title", "description", "definition_source", "published", "codes"}
_CODE_FIELDS = {
    "key",
    "label",
    "definition",
    "source",
    "color",
    "keywords",
    "published",
    "parent",
    "include",
    "other",
}


@dataclass
class Codebook:
    """An ordered, validated set of codes."""

    stem: str
    title: str = ""
    description: str = ""
    definition_source: str = ""
    published_year: int | None = None
    published_base: int | None = None
    published_source: str = ""
    codes: list[Code] = field(default_factory=list)
    path: Path | None = None

    def __post_init__(self) -> None:
        self.codes = order_codes(self.codes)

    # -- look-ups -----------------------------------------------------------
    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def keys(self) -> list[str]:
        return [c.key for c in self.codes]

    def find(self, key_or_label: str) -> Code | None:
        """The code with this key, or else with exactly this label (case-insensitive)."""
        wanted = key_or_label.strip()
        for code in self.codes:
            if code.key == wanted:
                return code
        folded = wanted.casefold()
        for code in self.codes:
            if code.label.casefold() == folded:
                return code
        return None

    def code(self, key_or_label: str) -> Code:
        found = self.find(key_or_label)
        if found is None:
            raise NotFound(
                _("codebook '{codebook}' has no code with key or label '{code}'").format(
                    codebook=self.stem, code=key_or_label
                )
            )
        return found

    def children(self, key: str | None) -> list[Code]:
        return [c for c in self.codes if c.parent == key]

    def descendants(self, key: str) -> list[Code]:
        out: list[Code] = []
        stack = [key]
        while stack:
            parent = stack.pop()
            for child in self.children(parent):
                out.append(child)
                stack.append(child.key)
        return out

    def depth(self, key: str) -> int:
        by_key = {c.key: c for c in self.codes}
        depth, code = 0, by_key[key]
        while code.parent is not None:
            depth += 1
            code = by_key[code.parent]
        return depth

    # -- writing ------------------------------------------------------------
    def to_dict(self, stem: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"codebook": stem or self.stem, "title": self.title}
        if self.description:
            out["description"] = self.description
        if self.definition_source:
            out["definition_source"] = self.definition_source
        published = {
            k: v
            for k, v in (
                ("year", self.published_year),
                ("base", self.published_base),
                ("source", self.published_source),
            )
            if v
        }
        if published:
            out["published"] = published
        codes = []
        for c in self.codes:
            d: dict[str, Any] = {"key": c.key}
            if c.parent:
                d["parent"] = c.parent
            d["label"] = c.label
            if c.definition:
                d["definition"] = c.definition
            if c.source and c.source != self.definition_source:
                d["source"] = c.source
            d["color"] = c.color
            if c.keywords:
                d["keywords"] = list(c.keywords)
            if c.published_count is not None:
                if (
                    c.published_base == self.published_base
                    and c.published_year == self.published_year
                ):
                    d["published"] = c.published_count
                else:
                    d["published"] = {
                        "count": c.published_count,
                        "base": c.published_base,
                        "year": c.published_year,
                    }
            if c.other and c.label.casefold() not in OTHER_LABELS:
                d["other"] = True
            codes.append(d)
        out["codes"] = codes
        return out

    def to_yaml(self, stem: str | None = None) -> str:
        """The codebook as YAML; ``stem`` names it for a file of another name."""
        import yaml

        return yaml.safe_dump(self.to_dict(stem), allow_unicode=True, sort_keys=False, width=100)


def slugify(text: str) -> str:
    """A stable ASCII key from a label: 'Større videnskrav' -> 'stoerre-videnskrav'."""
    text = text.casefold()
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("§", "paragraf-")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "kode"


def is_other(label: str, flag: bool = False) -> bool:
    return flag or label.strip().casefold() in OTHER_LABELS


def order_codes(codes: Iterable[Code]) -> list[Code]:
    """Depth-first in given order, children after their parent, 'Andet' last among siblings."""
    codes = list(codes)
    keys = {c.key for c in codes}
    by_parent: dict[str | None, list[Code]] = {}
    for c in codes:
        parent = c.parent if c.parent in keys else None
        by_parent.setdefault(parent, []).append(c)
    out: list[Code] = []
    seen: set[str] = set()

    def visit(parent: str | None) -> None:
        siblings = by_parent.get(parent, [])
        for c in sorted(siblings, key=lambda c: c.other):  # stable: 'other' last
            if c.key in seen:
                continue
            seen.add(c.key)
            out.append(c)
            visit(c.key)

    visit(None)
    # codes caught in a parent cycle are unreachable from the roots; validation
    # rejects them, but never drop a code silently here
    out.extend(c for c in codes if c.key not in seen)
    return out


def check_stem(stem: str, file: str) -> str:
    """``stem`` if it can name a codebook (and so a folder); else a one-line CodebookError
    naming ``file`` and a name that would do."""
    try:
        return check_path_name(stem, _("the codebook name"))
    except ValueError as exc:
        raise CodebookError(
            _("{problem}; for example '{name}'").format(
                problem=exc, name=path_name(stem, "kodebog")
            ),
            file=file,
        ) from None


# -- loading ------------------------------------------------------------------


def find_codebook_file(stem_or_path: str | Path, search_dir: Path | None = None) -> Path:
    """A path to a codebook YAML file, given a stem ('fleksjob') or a path."""
    from qualcode.paths import codebooks_dir

    candidate = Path(stem_or_path)
    if candidate.suffix.lower() in (".yaml", ".yml") or candidate.exists():
        if not candidate.is_file():
            raise CodebookError(_("no such codebook file"), file=str(candidate))
        return candidate
    folder = search_dir or codebooks_dir()
    for suffix in (".yaml", ".yml"):
        path = folder / f"{stem_or_path}{suffix}"
        if path.is_file():
            return path
    known = ", ".join(sorted(p.stem for p in folder.glob("*.y*ml"))) or _("none")
    raise CodebookError(
        _("no codebook named '{name}' in {folder} (known: {known})").format(
            name=one_line(str(stem_or_path))[:100], folder=folder, known=known
        )
    )


def load_codebook(stem_or_path: str | Path, search_dir: Path | None = None) -> Codebook:
    """Load and validate a codebook by stem (from ``codebooks/``) or by file path."""
    path = find_codebook_file(stem_or_path, search_dir)
    return _load(path, stack=())


def list_codebooks(search_dir: Path | None = None) -> list[str]:
    from qualcode.paths import codebooks_dir

    folder = search_dir or codebooks_dir()
    return sorted(p.stem for p in folder.glob("*.yaml"))


def _load(path: Path, stack: tuple[str, ...]) -> Codebook:
    import yaml

    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CodebookError(
            _("cannot read: {reason}").format(reason=exc.strerror), file=name
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodebookError(
            _("not UTF-8 text (byte {byte})").format(byte=exc.start), file=name
        ) from None
    try:
        data = yaml.load(text, Loader=_loader())  # a SafeLoader: see _loader
    except _DuplicateKey as exc:
        raise CodebookError(str(exc), file=name) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # PyYAML's own words for the problem (it has no others)
        problem = getattr(exc, "problem", None) or _("invalid YAML")
        text = (
            _("line {line}: invalid YAML ({problem})").format(line=mark.line + 1, problem=problem)
            if mark is not None
            else _("invalid YAML ({problem})").format(problem=problem)
        )
        raise CodebookError(text, file=name) from None
    except RecursionError:
        raise CodebookError(_("invalid YAML (nested too deeply)"), file=name) from None
    except Exception as exc:
        # PyYAML fails with plain exceptions on a tagged value it cannot build ('!!int abc',
        # '!!timestamp 2018-13-45', '!!timestamp x') and on an integer of over 4300 digits
        detail = str(exc) if isinstance(exc, ValueError) else _("a tagged value it cannot read")
        raise CodebookError(
            _("invalid YAML ({problem})").format(problem=detail), file=name
        ) from None
    _check_numbers(data, name)
    return parse_codebook(
        data,
        stem=path.stem,
        file=name,
        search_dir=path.parent,
        stack=stack + (path.stem,),
        path=path,
    )


def parse_codebook(
    data: Any,
    *,
    stem: str,
    file: str = "<codebook>",
    search_dir: Path | None = None,
    stack: tuple[str, ...] = (),
    path: Path | None = None,
    stored: bool = False,
) -> Codebook:
    """Validate a codebook given as parsed YAML; every error names the file and code.

    ``stem`` must be a safe file name (:func:`check_stem`), unless ``stored``: a codebook
    already in a project is re-validated after an edit under the name it has there (an
    older version may have let another name in; model folders check names themselves)."""

    def fail(msg: str) -> CodebookError:
        return CodebookError(msg, file=file)

    if not stored:
        check_stem(stem, file)
    if not isinstance(data, dict):
        raise fail(_("a codebook must be a mapping with 'title' and 'codes'"))
    unknown = set(data) - _CODEBOOK_FIELDS
    if unknown:
        raise fail(
            _("unknown field '{field}' (known: {known})").format(
                field=sorted(map(str, unknown))[0], known=", ".join(sorted(_CODEBOOK_FIELDS))
            )
        )
    _check_text_fields(data, ("codebook", "title", "description", "definition_source"), "", fail)
    declared = data.get("codebook")
    if declared is not None and str(declared) != stem:
        raise fail(
            _("'codebook: {declared}' differs from the file name stem '{stem}'").format(
                declared=declared, stem=stem
            )
        )
    published = data.get("published") or {}
    if not isinstance(published, dict):
        raise fail(_("'published' must be a mapping with year, base and source"))
    _check_text_fields(published, ("source",), "published: ", fail)
    book_year = _opt_int(published.get("year"), "published.year", fail)
    book_base = _opt_int(published.get("base"), "published.base", fail)
    definition_source = _text(data.get("definition_source"))
    raw_codes = data.get("codes")
    if not isinstance(raw_codes, list) or not raw_codes:
        raise fail(_("'codes' must be a non-empty list"))

    codes: list[Code] = []
    chars = 0
    for index, entry in enumerate(raw_codes, start=1):
        where = _("code {index}").format(index=index)
        first_new = len(codes)
        if not isinstance(entry, dict):
            raise fail(
                _("{where}: each code must be a mapping with at least a 'label'").format(
                    where=where
                )
            )
        unknown = set(entry) - _CODE_FIELDS
        if unknown:
            raise fail(
                _("{where}: unknown field '{field}' (known: {known})").format(
                    where=where,
                    field=sorted(map(str, unknown))[0],
                    known=", ".join(sorted(_CODE_FIELDS)),
                )
            )
        _check_text_fields(
            entry,
            ("key", "label", "definition", "source", "color", "parent", "include"),
            f"{where}: ",
            fail,
        )
        label = _text(entry.get("label"))
        if not label:
            raise fail(_("{where}: missing label").format(where=where))
        key = _text(entry.get("key")) or slugify(label)
        where = _("code {index} ('{key}')").format(index=index, key=key)
        if not re.match(_KEY, key):
            raise fail(
                _("{where}: key may hold letters, digits, '-', '_' and '.', no spaces").format(
                    where=where
                )
            )
        color = _text(entry.get("color")) or PALETTE[(index - 1) % len(PALETTE)]
        if not re.match(_COLOR, color):
            raise fail(
                _("{where}: bad colour '{color}' (use #RRGGBB, e.g. #1F77B4)").format(
                    where=where, color=color
                )
            )
        if len(color) == 4:  # #ABC -> #AABBCC: terminals and Word want six digits
            color = "#" + "".join(ch * 2 for ch in color[1:])
        keywords = entry.get("keywords") or []
        if isinstance(keywords, str):
            keywords = [keywords]
        if not isinstance(keywords, list) or not all(isinstance(k, str | int) for k in keywords):
            raise fail(
                _("{where}: keywords must be a list of words or phrases").format(where=where)
            )
        count, base, year = None, book_base, book_year
        pub = entry.get("published")
        if isinstance(pub, dict):
            count = _opt_int(pub.get("count"), f"{where}: published.count", fail)
            base = _opt_int(pub.get("base", book_base), f"{where}: published.base", fail)
            year = _opt_int(pub.get("year", book_year), f"{where}: published.year", fail)
        elif pub is not None:
            count = _opt_int(pub, f"{where}: published", fail)
        if count is not None and base is not None and count > base:
            raise fail(
                _("{where}: published count {count} is larger than its base {base}").format(
                    where=where, count=count, base=base
                )
            )
        parent = _text(entry.get("parent")) or None
        codes.append(
            Code(
                key=key,
                label=label,
                definition=_text(entry.get("definition")),
                source=_text(entry.get("source")) or definition_source,
                color=color.upper(),
                keywords=tuple(str(k) for k in keywords),
                parent=parent,
                published_count=count,
                published_base=base if count is not None else None,
                published_year=year if count is not None else None,
                other=is_other(label, bool(entry.get("other"))),
            )
        )
        include = entry.get("include")
        if include:
            codes.extend(_included(str(include), key, search_dir, stack, fail))
        # YAML aliases can repeat one long text in every code: bound what is kept
        chars += sum(
            len(c.key)
            + len(c.label)
            + len(c.definition)
            + len(c.source)
            + sum(map(len, c.keywords))
            for c in codes[first_new:]
        )
        if chars > MAX_CODEBOOK_CHARS:
            raise fail(
                _(
                    "the codes hold more than {n} characters of text "
                    "(a long text repeated with YAML aliases?)"
                ).format(n=integer(MAX_CODEBOOK_CHARS))
            )

    _check_unique(codes, fail)
    by_key = {c.key: c for c in codes}
    for c in codes:
        if c.parent is None:
            continue
        if c.parent not in by_key:
            raise fail(
                _("code '{code}': unknown parent '{parent}'").format(code=c.key, parent=c.parent)
            )
        seen = {c.key}
        p: Code | None = by_key[c.parent]
        while p is not None:
            if p.key in seen:
                raise fail(
                    _("code '{code}': parent chain loops back to '{parent}'").format(
                        code=c.key, parent=p.key
                    )
                )
            seen.add(p.key)
            p = by_key.get(p.parent) if p.parent else None
    return Codebook(
        stem=stem,
        title=_text(data.get("title")) or stem,
        description=_text(data.get("description")),
        definition_source=definition_source,
        published_year=book_year,
        published_base=book_base,
        published_source=_text(published.get("source")),
        codes=codes,
        path=path,
    )


def _included(
    stem: str, parent_key: str, search_dir: Path | None, stack: tuple[str, ...], fail: Fail
) -> list[Code]:
    if not is_path_name(stem):  # a stem beside this file, never a path elsewhere
        raise fail(
            _(
                "code '{code}': include '{include}' is not a codebook "
                "name (the stem of a file beside this one)"
            ).format(code=parent_key, include=one_line(stem)[:60])
        )
    if stem in stack:
        raise fail(
            _("code '{code}': include '{include}' loops back to itself").format(
                code=parent_key, include=stem
            )
        )
    try:
        path = find_codebook_file(stem, search_dir)
    except CodebookError as exc:
        raise fail(
            _("code '{code}': include: {problem}").format(code=parent_key, problem=exc.detail)
        ) from None
    other = _load(path, stack)
    # the including codebook has its own 'Andet'; keep the included one's out
    return [replace(c, parent=c.parent or parent_key) for c in other.codes if not c.other]


def _check_unique(codes: list[Code], fail: Fail) -> None:
    keys: dict[str, int] = {}
    labels: dict[str, str] = {}
    for c in codes:
        if c.key in keys:
            raise fail(_("duplicate key '{key}'").format(key=c.key))
        keys[c.key] = 1
        folded = c.label.casefold()
        if folded in labels:
            raise fail(
                _("duplicate label '{label}' (codes '{first}' and '{second}')").format(
                    label=c.label, first=labels[folded], second=c.key
                )
            )
        labels[folded] = c.key


class _DuplicateKey(Exception):
    """A mapping names one key twice (the message says where)."""


@functools.cache
def _loader() -> type:
    """PyYAML's SafeLoader, refusing a mapping that names a key twice (PyYAML keeps the
    last silently: a second 'codes:' block would replace the first). Built on first use:
    importing this module does not import yaml."""
    import yaml
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    merge = "tag:yaml.org,2002:merge"

    class Loader(yaml.SafeLoader):
        def get_single_data(self) -> Any:
            node = self.get_single_node()
            if node is None:
                return None
            self._check_keys(node)
            return self.construct_document(node)

        def _check_keys(self, root: Any) -> None:
            # the composed nodes, before '<<' merges are flattened into them; each node
            # once, however often aliases repeat it (no recursion: nesting is unbounded);
            # of several repeated keys, the one nearest the top of the file is named
            stack, seen, found = [root], set(), None
            while stack:
                node = stack.pop()
                if id(node) in seen:
                    continue
                seen.add(id(node))
                if isinstance(node, SequenceNode):
                    stack.extend(node.value)
                elif isinstance(node, MappingNode):
                    first: dict[Any, int] = {}
                    for key_node, value_node in node.value:
                        stack.append(value_node)
                        if key_node.tag == merge or not isinstance(key_node, ScalarNode):
                            stack.append(key_node)
                            continue
                        key = self.construct_object(key_node, deep=True)  # 'yes' is True
                        try:
                            hash(key)
                        except TypeError:  # PyYAML's own check says so
                            continue
                        line = key_node.start_mark.line + 1
                        if key not in first:
                            first[key] = line
                        elif found is None or line < found[0]:
                            found = (line, one_line(key_node.value)[:60], first[key])
            if found is not None:
                line, shown, before = found
                raise _DuplicateKey(
                    _("line {line}: key '{key}' appears twice (first on line {first})").format(
                        line=line, key=shown, first=before
                    )
                )

    return Loader


def _check_text_fields(
    mapping: dict[str, Any], names: tuple[str, ...], where: str, fail: Fail
) -> None:
    """Text fields hold text or a number, never a list or mapping: str() of a structure built
    from YAML aliases (a 'billion laughs') can run to gigabytes."""
    for name in names:
        value = mapping.get(name)
        if isinstance(value, dict | list | set | tuple):
            raise fail(
                _("{where}'{field}' must be text, not {value}").format(
                    where=where, field=name, value=_show(value)
                )
            )


def _check_numbers(data: Any, file: str) -> None:
    """Refuse integers too long to print (a hex literal escapes PyYAML's digit limit).
    Walks each list and mapping once, however often aliases repeat it."""
    stack, seen = [data], set()
    while stack:
        value = stack.pop()
        if isinstance(value, dict | list | set):
            if id(value) not in seen:
                seen.add(id(value))
                stack.extend([*value.keys(), *value.values()] if isinstance(value, dict) else value)
        elif isinstance(value, int):
            try:
                str(value)
            except ValueError:
                raise CodebookError(
                    _("invalid YAML (a number of more than {n} digits)").format(n=4300),
                    file=file,
                ) from None


def _show(value: Any, limit: int = 60) -> str:
    """A short rendering of a YAML value for an error message."""
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list | set | tuple):
        return _("a list")
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _opt_int(value: Any, what: str, fail: Fail) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise fail(
            _("{field} must be a whole number ≥ 0, not {value}").format(
                field=what, value=_show(value)
            )
        )
    return value
