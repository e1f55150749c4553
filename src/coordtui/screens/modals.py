"""Modal dialogs: an error, a date prompt, a revision conflict."""

from __future__ import annotations

from typing import Any, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from coordtui.i18n import t
from coordtui.screens.base import Localized


class ErrorModal(Localized, ModalScreen[None]):
    """An error a user can cause: a title and what to do. Never a traceback."""

    BINDINGS = [Binding("escape,enter", "dismiss", "OK", id="key.close")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(classes="modal")
        self.title_text, self.message = title, message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error"):
            yield Label(self.title_text, classes="dialog-title", id="error-title")
            yield Static(self.message, id="error-message", markup=False)
            yield Button(t("ok", self.app.lang), id="ok", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss()


class DateModal(Localized, ModalScreen["str | None"]):
    """Ask for a date (the as-of date)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="key.cancel")]

    def __init__(self, current: str) -> None:
        super().__init__(classes="modal")
        self.current = current

    def compose(self) -> ComposeResult:
        lang = self.app.lang
        with Vertical(classes="dialog"):
            yield Label(t("asof.prompt", lang), classes="dialog-title")
            yield Input(self.current, id="date-input", placeholder="YYYY-MM-DD")
            yield Label("", id="date-error", classes="field-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from datetime import date

        try:
            date.fromisoformat(event.value.strip())
        except ValueError:
            self.query_one("#date-error", Label).update(t("asof.bad", self.app.lang))
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConflictModal(Localized, ModalScreen[str]):
    """Two people saved the same record: show both versions and let the user choose.

    Dismisses with ``"mine"`` (overwrite with my version), ``"theirs"`` (take the saved
    version) or ``"cancel"``.
    """

    BINDINGS = [
        Binding("m", "choose('mine')", "Keep mine", id="key.keep_mine"),
        Binding("t", "choose('theirs')", "Take theirs", id="key.take_theirs"),
        Binding("escape", "choose('cancel')", "Cancel", id="key.cancel"),
    ]

    def __init__(self, message: str, mine: dict[str, Any], theirs: dict[str, Any], *, titles: dict[str, str] | None = None,
                 shown: Callable[[str, Any], str] | None = None) -> None:
        super().__init__(classes="modal")
        self.message, self.mine, self.theirs = message, mine, theirs
        #: Each field's title in the interface language, and how a value is shown (the form's way).
        self.titles, self.shown = titles or {}, shown or (lambda _name, value: repr(value))

    def compose(self) -> ComposeResult:
        lang = self.app.lang
        keys = [k for k in sorted(set(self.mine) | set(self.theirs)) if not k.startswith("_")]
        differing = [k for k in keys if self.mine.get(k) != self.theirs.get(k)]
        with Vertical(classes="dialog conflict"):
            yield Label(t("conflict.title", lang), classes="dialog-title")
            yield Static(self.message, markup=False)
            with VerticalScroll(id="conflict-diff"):
                for k in differing:
                    yield Static(t("conflict.row", lang, field=self.titles.get(k, k), mine=self.shown(k, self.mine.get(k)),
                                   theirs=self.shown(k, self.theirs.get(k))), markup=False, classes="diff-row")
            with Horizontal(classes="buttons"):
                yield Button(t("conflict.keep_mine", lang), id="mine", variant="warning")
                yield Button(t("conflict.take_theirs", lang), id="theirs", variant="primary")
                yield Button(t("conflict.cancel", lang), id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


class AttachModal(Localized, ModalScreen["tuple[str, str] | None"]):
    """Ask for the file to attach to a record (添加附件): its path and, optionally, a title.

    Dismisses with ``(path, title)`` (the title may be empty) or None. Whether the file can be
    attached (found, not too big, of an accepted type) is the workspace's to say, in an error
    dialog, once this closes.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="key.cancel")]

    def __init__(self, record: str) -> None:
        super().__init__(classes="modal")
        self.record = record

    def compose(self) -> ComposeResult:
        lang = self.app.lang
        with Vertical(classes="dialog attach"):
            yield Label(t("att.add_title", lang, record=self.record), classes="dialog-title", markup=False)
            yield Label(t("att.path", lang))
            yield Input(id="attach-path", placeholder=t("att.path_hint", lang))
            yield Label(t("att.title", lang))
            yield Input(id="attach-title", placeholder=t("att.title_hint", lang))
            yield Label("", id="attach-error", classes="field-error")
            yield Label(t("att.add_keys", lang), classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        path = self.query_one("#attach-path", Input).value.strip()
        if not path:
            self.query_one("#attach-error", Label).update(t("att.path_missing", self.app.lang))
            self.query_one("#attach-path", Input).focus()
            return
        if event.input.id == "attach-path" and not self.query_one("#attach-title", Input).value.strip():
            self.query_one("#attach-title", Input).focus()  # Enter in the path goes on to the title
            return
        self.dismiss((path, self.query_one("#attach-title", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(Localized, ModalScreen[bool]):
    """Ask before something that cannot be taken back from the interface (删除附件): y or Enter on
    the first button does it, n or Esc does not."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="key.yes"),
        Binding("n,escape", "answer(False)", "No", id="key.no"),
    ]

    def __init__(self, title: str, question: str, yes: str, no: str) -> None:
        super().__init__(classes="modal")
        self.title_text, self.question, self.yes, self.no = title, question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.question, id="confirm-question", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(self.yes, id="yes", variant="error")
                yield Button(self.no, id="no", variant="primary")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#no", Button).focus()  # Enter alone keeps the file

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
