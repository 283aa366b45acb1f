"""Cross-tabulation: does the share of jobcentres mentioning a theme differ between groups?

The jobcentres that answered a question are split by one of their attributes (e.g.
``lokalpolitisk_fokus``), either one group per distinct value or into named groups of
values (``høj/meget høj`` = "I høj grad" + "I meget høj grad"). Per code: how many in each
group mention it (n/N and percent), the difference in percentage points when there are
two groups, and a test of independence of "mentions the theme" and group: Fisher's exact
test (two-sided) for two groups, the chi-square test of the 2×k table otherwise, with a
warning when an expected count is below 5. Jobcentres without the attribute, or with a
value that is in no group, are left out and counted.

    >>> frame = crosstab(project, "strategier", "lokalpolitisk_fokus",
    ...                  groups=parse_groups(["høj=I høj grad,I meget høj grad",
    ...                                       "lav=I nogen grad,I mindre grad"]))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.core.counts import mentions
from qualcode.errors import NotFound, QualcodeError
from qualcode.i18n import translator
from qualcode.store import analysis as analysis_store
from qualcode.store import respondents as respondent_store
from qualcode.store import settings as settings_store

_, _n = translator("core")

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.core.codebook import Codebook
    from qualcode.core.project import Project
    from qualcode.models import Question

MIN_EXPECTED = 5
# the warnings of a test, in the language of the process (read when the module is imported,
# so that a frame's warning is always one of these: readers compare with them)
SMALL_EXPECTED = _(
    "forventet antal under {n} i mindst én celle; chi-i-anden-testen er usikker"
).format(n=MIN_EXPECTED)
NO_TEST = _("ingen test: temaet nævnes af alle eller ingen")


class EmptyGroups(QualcodeError):
    """Fewer than two groups have jobcentres that answered the question."""


@dataclass(frozen=True)
class Group:
    """A named group of attribute values."""

    name: str
    values: tuple[str, ...]


def no_attribute(attribute: str, known: Iterable[str]) -> str:
    """The error for an attribute no respondent has."""
    return _("no respondent has the attribute '{attribute}' (attributes: {known})").format(
        attribute=attribute, known=", ".join(known) or _("none")
    )


def no_value(group: str, attribute: str, value: str, values: Iterable[str]) -> str:
    """The error for a --group value no respondent has."""
    return _(
        "--group '{group}': no respondent has {attribute} = '{value}' (values: {values})"
    ).format(group=group, attribute=attribute, value=value, values=", ".join(values))


def parse_group(spec: str) -> Group:
    """``"høj/meget høj=I høj grad,I meget høj grad"`` -> Group (values split on commas)."""
    name, sep, rest = spec.partition("=")
    name = name.strip()
    values = tuple(v.strip() for v in rest.split(",") if v.strip())
    if not sep or not name or not values:
        raise QualcodeError(
            _("--group '{spec}': write NAME=VALUE[,VALUE...], e.g. {example}").format(
                spec=spec, example='"høj=I høj grad,I meget høj grad"'
            )
        )
    return Group(name, values)


def parse_groups(specs: Iterable[str]) -> list[Group] | None:
    """Several --group options (None when there are none); names and values must not repeat."""
    groups = [parse_group(s) for s in specs]
    if not groups:
        return None
    return checked_groups(groups)


def as_groups(
    groups: Mapping[str, str | Sequence[str]] | Sequence[str | Group] | str | None,
) -> list[Group] | None:
    """Groups as a notebook writes them: ``{"høj": ["I høj grad", "I meget høj grad"]}``
    (a value may hold a comma), ``["høj=I høj grad,I meget høj grad", ...]`` as --group
    takes them, :class:`Group` objects, or None; checked as :func:`parse_groups` checks."""
    if groups is None:
        return None
    if isinstance(groups, str):
        groups = [groups]
    if isinstance(groups, Mapping):
        found = [
            Group(str(name).strip(), (values,) if isinstance(values, str) else tuple(values))
            for name, values in groups.items()
        ]
    else:
        found = [g if isinstance(g, Group) else parse_group(g) for g in groups]
    for g in found:
        if not g.name or not g.values or any(not str(v).strip() for v in g.values):
            raise QualcodeError(
                _("--group '{name}': give the group a name and its values").format(name=g.name)
            )
    return checked_groups(found) if found else None


def checked_groups(groups: list[Group]) -> list[Group]:
    """``groups`` if no name and no value is given twice, else one error line."""
    seen_names: set[str] = set()
    seen_values: dict[str, str] = {}
    for g in groups:
        if g.name in seen_names:
            raise QualcodeError(_("--group '{name}' is given twice").format(name=g.name))
        seen_names.add(g.name)
        for v in g.values:
            if v in seen_values:
                raise QualcodeError(
                    _("--group: the value '{value}' is in both '{first}' and '{second}'").format(
                        value=v, first=seen_values[v], second=g.name
                    )
                )
            seen_values[v] = g.name
    return groups


def attribute_values(project: Project) -> dict[str, dict[str, int]]:
    """Attribute name -> value -> how many respondents have it (names and values sorted;
    empty values are no value)."""
    return analysis_store.attribute_counts(project.db)


@dataclass(frozen=True)
class TestResult:
    test: str  # 'fisher', 'chi2' or '' (no test possible)
    p_value: float | None
    statistic: float | None
    min_expected: float | None
    warning: str


ORDER_KEY = "attribute_order:"  # + attribute name -> JSON list of values, survey order


def value_order(project: Project, attribute: str) -> list[str]:
    """The attribute's values (those some respondent has) in the survey's order when the
    project has it, the values it does not list after them, sorted; else all sorted."""
    values = list(attribute_values(project).get(attribute, {}))
    stored = stored_order(project, attribute)
    first = [v for v in stored if v in values]
    return first + [v for v in values if v not in first]


def stored_order(project: Project, attribute: str) -> list[str]:
    """The survey order stored for the attribute ([] when none is)."""
    return settings_store.get_list(project.db, ORDER_KEY + attribute)


def independence_test(mentioned: Sequence[int], bases: Sequence[int]) -> TestResult:
    """Test whether mentioning a theme is independent of the group.

    ``mentioned[i]`` of ``bases[i]`` jobcentres in group i mention it. Two groups: Fisher's
    exact test (two-sided) of [[n1, N1-n1], [n2, N2-n2]]. More: Pearson's chi-square test of
    the 2×k table (no continuity correction: it only applies to 2×2), with a warning when an
    expected count is below 5. When every or no jobcentre mentions the theme the table has
    an empty row and there is nothing to test.
    """
    from qualcode.core.significance import chi2_independence, fisher_two_sided

    table = [
        [int(n) for n in mentioned],
        [int(b) - int(n) for n, b in zip(mentioned, bases, strict=True)],
    ]
    total = sum(int(b) for b in bases)
    row_sums = [sum(r) for r in table]
    expected = [[rs * int(b) / total for b in bases] for rs in row_sums] if total else [[0.0]]
    min_expected = min(min(r) for r in expected)
    if len(bases) < 2 or total == 0 or 0 in row_sums:
        return TestResult("", None, None, min_expected, NO_TEST)
    if len(bases) == 2:  # rows: the groups
        odds, p = fisher_two_sided(table[0][0], table[1][0], table[0][1], table[1][1])
        return TestResult("fisher", p, odds, min_expected, "")
    chi2, p, _expected = chi2_independence(table)
    warning = SMALL_EXPECTED if min_expected < MIN_EXPECTED else ""
    return TestResult("chi2", p, chi2, min_expected, warning)


@dataclass
class Split:
    """The jobcentres that answered a question, split by an attribute into groups (the
    crosstab's and the theme matrix's by an attribute): who is in each group, who mentions
    each theme, and who was left out."""

    question: Question
    book: Codebook
    groups: list[Group]  # every group asked for, in order (empty ones too)
    members: dict[str, set[str]]  # group name -> respondents in it that answered
    answered: list[str]
    by_code: dict[str, set[str]]  # code key -> who mentions it, a parent counting its children
    missing: int  # answered, without a value
    ungrouped: dict[str, int]  # answered, with a value in no group: value -> how many

    @property
    def empty(self) -> list[str]:
        return [g.name for g in self.groups if not self.members[g.name]]


def split_by_attribute(
    project: Project,
    question: str,
    attribute: str,
    groups: list[Group] | None = None,
    coder: str | None = None,
) -> Split:
    """Split the jobcentres that answered ``question`` by ``attribute``: into the named
    ``groups`` of its values, or each value its own group in the survey's order
    (:func:`value_order`). An attribute or a group's value no respondent has is an error."""
    q = project.question(question)
    book = project.codebook(q.codebook)
    known = attribute_values(project)
    if attribute not in known:
        raise NotFound(no_attribute(attribute, known))
    values = value_order(project, attribute)
    if groups:
        for g in groups:
            for v in g.values:
                if v not in known[attribute]:
                    raise NotFound(no_value(g.name, attribute, v, values))
    else:
        groups = [Group(v, (v,)) for v in values]
    group_of = {v: g.name for g in groups for v in g.values}
    attrs = respondent_store.attribute_values(project.db, attribute)
    answered, by_code = mentions(project, q, book, coder=coder)
    members: dict[str, set[str]] = {g.name: set() for g in groups}
    missing = 0
    ungrouped: dict[str, int] = {}
    for rid in answered:
        value = attrs.get(rid)
        if value is None or not value.strip():
            missing += 1
        elif value not in group_of:
            ungrouped[value] = ungrouped.get(value, 0) + 1
        else:
            members[group_of[value]].add(rid)
    return Split(q, book, groups, members, list(answered), by_code, missing, ungrouped)


@dataclass
class CrossTable:
    """A crosstab as plain Python: one dict per code with the columns of
    :func:`crosstab`'s frame (None where the frame has NaN or NA), and the frame's attrs.
    What the workbench shows without pandas; :meth:`frame` is the DataFrame."""

    rows: list[dict[str, Any]]
    attrs: dict[str, Any]

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        frame = pd.DataFrame(self.rows)
        # numbers stay numbers where a value does not apply: a difference needs two
        # groups, a test needs a theme some but not all mention (missing: NaN;
        # significant: NA)
        for col in ("diff_pp", "statistic", "p_value", "min_expected"):
            frame[col] = frame[col].astype("float64")
        frame["significant"] = frame["significant"].astype("boolean")
        frame.attrs.update(self.attrs)
        return frame


def crosstab(
    project: Project,
    question: str,
    attribute: str,
    *,
    groups: list[Group] | None = None,
    coder: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Per code, the share of jobcentres mentioning it in each group of ``attribute``.

    Columns: question, code, label, depth, then for each group g ``n_{g}``, ``base_{g}``,
    ``pct_{g}``, then ``diff_pp`` (first group minus second; two groups only, else NaN),
    ``test`` ('fisher', 'chi2' or ''), ``statistic``, ``p_value`` (NaN without a test),
    ``significant`` (p < alpha; pandas' nullable boolean, NA without a test),
    ``min_expected``, ``warning_text`` (the caution in words, for display; '' when none).
    ``frame.attrs`` holds the groups, their bases, and how many answering jobcentres were
    left out (``missing``: no value; ``ungrouped``: value -> count for values in no group).
    """
    return cross_table(
        project, question, attribute, groups=groups, coder=coder, alpha=alpha
    ).frame()


def cross_table(
    project: Project,
    question: str,
    attribute: str,
    *,
    groups: list[Group] | None = None,
    coder: str | None = None,
    alpha: float = 0.05,
) -> CrossTable:
    """:func:`crosstab` without pandas: the same rows as dicts, and the same attrs."""
    if not 0 < alpha < 1:
        raise QualcodeError(_("--alpha must be between 0 and 1, not {alpha}").format(alpha=alpha))
    split = split_by_attribute(project, question, attribute, groups, coder)
    q, book, members = split.question, split.book, split.members
    empty = split.empty
    if len(split.groups) - len(empty) < 2:
        what = ", ".join(f"'{n}'" for n in empty) or _("none")
        raise EmptyGroups(
            _(
                "'{question}' by {attribute}: fewer than two groups have {nouns} that "
                "answered (empty: {groups})"
            ).format(question=q.id, attribute=attribute, nouns=project.noun().plural, groups=what)
        )
    shown = [g for g in split.groups if members[g.name]]
    bases = [len(members[g.name]) for g in shown]

    rows = []
    for code in book:
        coded = split.by_code[code.key]
        row: dict[str, Any] = {
            "question": q.id,
            "code": code.key,
            "label": code.label,
            "depth": book.depth(code.key),
        }
        ns = []
        for g, base in zip(shown, bases, strict=True):
            n = len(coded & members[g.name])
            ns.append(n)
            row[f"n_{g.name}"] = n
            row[f"base_{g.name}"] = base
            row[f"pct_{g.name}"] = 100.0 * n / base
        row["diff_pp"] = (
            row[f"pct_{shown[0].name}"] - row[f"pct_{shown[1].name}"] if len(shown) == 2 else None
        )
        result = independence_test(ns, bases)
        row.update(
            test=result.test,
            statistic=result.statistic,
            p_value=result.p_value,
            significant=(None if result.p_value is None else bool(result.p_value < alpha)),
            min_expected=result.min_expected,
            warning_text=result.warning,
        )
        rows.append(row)
    attrs = dict(
        question=q.id,
        question_text=q.text,
        title=book.title,
        kind=q.kind,
        attribute=attribute,
        groups=[g.name for g in shown],
        group_values={g.name: list(g.values) for g in shown},
        bases=dict(zip([g.name for g in shown], bases, strict=True)),
        answered=len(split.answered),
        missing=split.missing,
        ungrouped=split.ungrouped,
        empty_groups=empty,
        alpha=alpha,
        coder=coder,
        basis_label=project.basis_label(coder, project.coders(q.id)),
        noun_plural=project.noun().plural,
    )
    return CrossTable(rows, attrs)
