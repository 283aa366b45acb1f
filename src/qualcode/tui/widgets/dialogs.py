"""Small modal dialogs: ask for a line of text, confirm, pick one of several; and the
one way every screen asks where to write an export (:func:`ask_for_file`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from qualcode.i18n import translator
from qualcode.safe import one_line
from qualcode.tui.shown import flat, plain, shown

_, _n = translator("tui")


class InputDialog(ModalScreen[str | None]):
    """Ask for one line (a file name, a label, a colour). Enter accepts, Escape cancels.

    ``keys``: extra (key, description, handler) triples, e.g. ctrl+k in the report dialog
    to choose the coder basis; ``handler(dialog)`` may change :attr:`title_text` through
    :meth:`set_title`."""

    BINDINGS = [Binding("escape", "cancel", _("Fortryd"), tooltip=_("Close without changes"))]

    def __init__(
        self,
        title: str,
        value: str = "",
        *,
        placeholder: str = "",
        id: str | None = None,
        keys: Sequence[tuple[str, str, Callable[[InputDialog], None]]] = (),
    ) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.extra_keys = list(keys)
        for n, (key, description, _handler) in enumerate(self.extra_keys):
            # priority: the input line would take ctrl+ keys for its own editing
            self._bindings.bind(key, f"extra({n})", description, priority=True)

    def action_extra(self, n: int) -> None:
        self.extra_keys[n][2](self)

    def set_title(self, title: str) -> None:
        self.title_text = title
        self.query_one(".dialog-title", Label).update(plain(title))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Input(
                one_line(self.value), placeholder=one_line(self.placeholder), id="dialog-input"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("OK"), variant="primary", id="ok")
                yield Button(_("Fortryd"), id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def accept(self) -> None:
        self.dismiss(self.query_one(Input).value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen[str | None]):
    """Write a few lines (a memo, a definition). Ctrl+S saves, Escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", _("Fortryd"), tooltip=_("Close without saving")),
        Binding("ctrl+s", "save", _("Gem"), tooltip=_("Save the text")),
    ]

    def __init__(self, title: str, value: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield TextArea(shown(self.value), id="dialog-text", soft_wrap=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Gem (ctrl+s)"), variant="primary", id="ok")
                yield Button(_("Fortryd"), id="cancel")

    @on(Button.Pressed, "#ok")
    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """Yes or no to a change that cannot be taken back lightly (merge, delete, redact,
    overwrite). The keys are written on the buttons and under the question: yes takes its
    own key (j or y), no is n or Esc. Enter alone does neither: no button has the focus, and
    Enter says which key answers, so a stray Enter never confirms, nor silently cancels."""

    AUTO_FOCUS = None  # no button to press with Enter
    BINDINGS = [
        Binding("escape,n", "no", _("Nej"), id="confirm-no", tooltip=_("Answer no")),
        Binding("y,j", "yes", _("Ja"), id="confirm-yes", tooltip=_("Answer yes")),
        Binding("enter", "explain", _("Hvilken tast?"), show=False),
    ]

    def __init__(self, question: str, *, yes: str | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.question = question
        self.yes_label = _("Ja") if yes is None else yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.question), classes="dialog-title")
            yield Label(self._keys(), classes="dialog-keys")
            with Horizontal(classes="dialog-buttons"):
                yes = Button(_("{yes} (j)").format(yes=self.yes_label), variant="error", id="yes")
                no = Button(_("Nej (n)"), variant="primary", id="no")
                for button in (yes, no):  # clicked, never pressed with Enter
                    button.can_focus = False
                    yield button

    def _keys(self, *, asked: bool = False):
        if asked:  # Enter was pressed: say it plainly, and stand out
            return plain(
                _("Enter svarer ikke her: tryk j for {yes}, n eller Esc for Nej.").format(
                    yes=self.yes_label
                ),
                style="bold reverse",
            )
        return plain(_("j: {yes} · n eller Esc: Nej").format(yes=self.yes_label), style="dim")

    def action_explain(self) -> None:
        self.query_one(".dialog-keys", Label).update(self._keys(asked=True))

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)


class PickDialog(ModalScreen[str | None]):
    """Pick one of several (value, label) choices."""

    BINDINGS = [Binding("escape", "cancel", _("Fortryd"), tooltip=_("Close without choosing"))]

    def __init__(
        self, title: str, choices: list[tuple[str, str]], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield OptionList(
                *[Option(flat(label), id=value) for value, label in self.choices],
                id="dialog-options",
            )

    @on(OptionList.OptionSelected)
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def export_path(name: str, suffix: str) -> Path:
    """The file the user named: in the current folder unless a path is given, with
    ``suffix`` (".csv") added when the name has none."""
    path = Path(name).expanduser()
    if not path.suffix:
        path = path.with_name(f"{path.name}{suffix}")
    if not path.is_absolute():
        path = Path.cwd() / path
    return path


def ask_for_file(
    screen: Screen,
    title: str,
    default: str,
    then: Callable[[Path, bool], object],
    *,
    suffix: str,
    allowed: tuple[str, ...] = (),
    strict: bool = False,
    dialog_id: str | None = None,
    confirm_id: str | None = None,
    keys: Sequence[tuple[str, str, Callable[[InputDialog], None]]] = (),
) -> None:
    """Ask where to write an export, then call ``then(path, force)``.

    ``suffix`` is added to a name without one; with ``allowed``, a name with another
    suffix gets ``suffix`` added too, or with ``strict`` is refused. A folder, or a folder
    that does not exist, is refused with a notice; an existing file is overwritten only
    after the analyst says yes (``force`` is then True). Nothing is written here; what
    ``then`` returns (e.g. the worker it starts) is not used."""

    def chosen(name: str | None) -> None:
        if name is None or not name.strip():
            return
        path = export_path(name.strip(), "")
        if path.is_dir():
            screen.notify(
                _("Ikke gemt: {path} er en mappe; skriv et filnavn.").format(path=path),
                severity="error",
                timeout=6,
                markup=False,
            )
            return
        if not path.suffix:
            path = path.with_name(path.name + suffix)
        if allowed and path.suffix.lower() not in allowed:
            if strict:
                endings = (
                    _("{endings} eller {last}").format(
                        endings=", ".join(allowed[:-1]), last=allowed[-1]
                    )
                    if len(allowed) > 1
                    else allowed[0]
                )
                screen.notify(
                    _("Ikke gemt: {file} skal ende på {endings}.").format(
                        file=path.name, endings=endings
                    ),
                    severity="error",
                    timeout=6,
                    markup=False,
                )
                return
            path = path.with_name(path.name + suffix)
        if not path.parent.is_dir():
            screen.notify(
                _("Ikke gemt: mappen findes ikke ({folder}).").format(folder=path.parent),
                severity="error",
                timeout=6,
                markup=False,
            )
            return
        if path.exists():

            def confirmed(yes: bool | None) -> None:
                if yes:
                    then(path, True)
                else:
                    screen.notify(
                        _("Ikke gemt: {file} findes allerede.").format(file=path.name),
                        severity="warning",
                        timeout=3,
                        markup=False,
                    )

            screen.app.push_screen(
                ConfirmDialog(
                    _("{path} findes allerede. Overskriv den?").format(path=path),
                    yes=_("Overskriv"),
                    id=confirm_id,
                ),
                confirmed,
            )
            return
        then(path, False)

    screen.app.push_screen(
        InputDialog(title, default, placeholder=default, id=dialog_id, keys=keys), chosen
    )


def _fold(text: str) -> str:
    """For matching typed text: case folded, and æ ø å as ae oe aa (as analysts type them
    on a keyboard without them)."""
    return text.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")


def _in_order(query: str, text: str) -> bool:
    """Are the query's letters in ``text`` in that order ('hjlpm' in 'hjaelpemidler')?"""
    rest = iter(text)
    return all(ch in rest for ch in query)


def rank_codes(
    query: str, codes: Sequence[tuple[str, str, Sequence[str]]], recent: Sequence[str] = ()
) -> list[str]:
    """The keys of ``codes`` ((key, label, keywords), codebook order) that match what was
    typed, best first: a label starting with it, a word of the label starting with it, a
    label, key or keyword holding it, then the letters in order. Codes used recently
    come first among equals, and with nothing typed every code is listed that way."""
    q = _fold(query.strip())
    order = {key: n for n, key in enumerate(recent)}
    scored: list[tuple[int, int, int, str]] = []
    for index, (key, label, keywords) in enumerate(codes):
        name = _fold(label)
        if not q:
            score = 0
        elif name.startswith(q):
            score = 5
        elif any(word.startswith(q) for word in name.split()):
            score = 4
        elif q in name:
            score = 3
        elif q in _fold(key) or any(q in _fold(k) for k in keywords):
            score = 2
        elif _in_order(q, name):
            score = 1
        else:
            continue
        scored.append((-score, order.get(key, len(order)), index, key))
    return [key for *_rank, key in sorted(scored)]


class CodePicker(ModalScreen[str | None]):
    """Code by name: type a part of a code's label, key or keyword (or its letters in
    order), Enter codes the highlighted one; the codes used last come first. For a
    codebook with more codes than the number keys reach."""

    BINDINGS = [
        Binding("escape", "cancel", _("Fortryd"), tooltip=_("Close without coding")),
        Binding("down", "move(1)", _("Ned"), show=False),
        Binding("up", "move(-1)", _("Op"), show=False),
    ]

    def __init__(
        self,
        title: str,
        codes: Sequence[tuple[str, str, Sequence[str]]],
        recent: Sequence[str] = (),
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.codes = list(codes)
        self.recent = list(recent)
        self.labels = {key: label for key, label, _ in self.codes}
        self.shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.title_text), classes="dialog-title")
            yield Input(placeholder=_("skriv en del af navnet"), id="picker-input")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    @on(Input.Changed, "#picker-input")
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        self.shown = rank_codes(query, self.codes, self.recent)
        options = self.query_one(OptionList)
        options.clear_options()
        recent = set(self.recent)
        options.add_options(
            [
                Option(flat(("↺ " if key in recent else "  ") + self.labels[key]), id=key)
                for key in self.shown
            ]
        )
        if self.shown:
            options.highlighted = 0

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if self.shown:
            current = options.highlighted if options.highlighted is not None else 0
            options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    @on(Input.Submitted, "#picker-input")
    def _submitted(self) -> None:
        options = self.query_one(OptionList)
        if self.shown and options.highlighted is not None:
            self.dismiss(self.shown[options.highlighted])

    @on(OptionList.OptionSelected, "#picker-options")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
