"""Export from the interface (导出): choose a format; the file is written in a worker."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from coordtui.i18n import t
from coordtui.screens.base import Localized

#: The file name's ending of a format, where it is not the format's name.
SUFFIX = {"archive": "zip"}
#: The formats offered, each described by the catalogue's ``export.<format>``.
CHOICES = ["xlsx", "docx", "archive", "md", "ics", "json"]


class ExportModal(Localized, ModalScreen["str | None"]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="key.cancel")]

    def compose(self) -> ComposeResult:
        lang = self.app.lang
        with Vertical(classes="dialog"):
            yield Label(t("export.title", lang), classes="dialog-title")
            yield OptionList(*[Option(f"{SUFFIX.get(fmt, fmt):<5} {t('export.' + fmt, lang)}", id=fmt) for fmt in CHOICES], id="export-formats")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
