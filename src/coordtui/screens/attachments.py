"""Evidence kept with a record (佐证材料) in the interface: a record's attachments, and the keys
that add, export and remove one.

The same list and keys serve the record form (记录表单) and the record's details (记录详情):
:class:`AttachmentTable` shows the files, :class:`AttachmentKeys` is mixed into a screen that
knows its ``org_id``, ``kind`` and ``record_id``. What a person may attach, see or remove is
the workspace's to decide (roles, scopes, sensitive kinds, the type judged by content, the size
limits); a refusal is one line in an error dialog and nothing is written.

Where the files are: at a terminal on the machine itself, a path and the export folder are the
person's own. Over SSH (the forced command) neither is: the server's paths are not theirs and a
copy written there would never reach them, so both are refused with the command that does it
(as ``x`` export is). In a browser tab (``coordtui serve``) the upload page of the server opens
in a new tab, and an exported file goes to the browser's downloads.
"""

from __future__ import annotations

import errno
import io
import os
import shlex
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlencode

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.widgets import Label, Static

from coordtui.errors import CoordError, InputError
from coordtui.forms import field_specs, label_for
from coordtui.i18n import t
from coordtui.screens.base import CoreScreen
from coordtui.widgets.columns import Col
from coordtui.widgets.fit_table import FitTable
from coordtui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from coordtui.app import CoordApp

#: The keys of the attachments, the same on the form and on the details. Control keys: on the
#: form a letter is typed into the field that has the focus, and none of them is an everywhere key.
BINDINGS = [
    Binding("ctrl+o", "attach", "添加附件/Attach file", id="key.attach"),
    Binding("ctrl+g", "export_attachment", "导出附件/Export file", id="key.export_attachment"),
    Binding("ctrl+t", "detach", "删除附件/Remove file", id="key.detach"),
]

#: Why a folder cannot be written, in the catalogue (the system's own words are English).
_OS_REASONS = {errno.EACCES: "att.os.access", errno.EPERM: "att.os.access", errno.EEXIST: "att.os.exists",
               errno.ENOTDIR: "att.os.exists", errno.ENOSPC: "att.os.space", errno.EDQUOT: "att.os.space",
               errno.EROFS: "att.os.read_only", errno.ELOOP: "att.os.link"}

#: Where a browser tab's upload page is (served by :mod:`coordtui.web.server`).
UPLOAD_PATH = "/attach"


def shown_date(value: str | date | None, lang: str) -> str:
    """A day as a person reads it: 2026年10月15日 in Chinese, 2026-10-15 in English."""
    if value is None or value == "":
        return ""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return t("att.date", lang, year=day.year, month=day.month, day=day.day)


class AttachmentsHeading(Label):
    """The line above the list: how many files, or why there are none."""

    DEFAULT_CSS = """
    AttachmentsHeading {
        margin-top: 1;
        text-style: bold;
    }
    """


class AttachmentTable(FitTable):
    """The attachments of one record: title, file name, type, size and the day it was added."""

    DEFAULT_CSS = """
    AttachmentTable {
        height: auto;
        max-height: 10;
    }
    """

    def on_mount(self) -> None:
        # Inline: the application's stylesheet gives every DataTable 1fr, which below a long form
        # left this list one line (its heading) high at 80×24, and app CSS outranks DEFAULT_CSS.
        self.styles.height = "auto"
        self.styles.max_height = 10

    def fill(self, attachments: list[Any], lang: str) -> None:
        self.attachments = list(attachments)
        cols = [
            # Which file and since when is what the list is for: the file name and the day are never
            # cut (they wrap, at worst). The title gives way first (cut with …; the file name says
            # which file it is), then the type (hidden: its name's ending says it; never "PDF  …").
            Col("title", t("att.col.title", lang), rank=3, min=10, hide=False),
            Col("name", t("att.col.name", lang), keep=True),
            Col("type", t("att.col.type", lang), rank=2),
            Col("size", t("att.col.size", lang), rank=1, hide=False),
            Col("added", t("att.col.added", lang), keep=True),
        ]
        rows = [([a.title, a.name, a.type_label(lang), a.size_label(), shown_date(a.added, lang)], a.sha256) for a in self.attachments]
        self.show(cols, rows)

    def selected(self) -> Any | None:
        """The attachment under the cursor (the first when the table never had the focus)."""
        items = getattr(self, "attachments", [])
        if not items:
            return None
        row = self.cursor_row if 0 <= (self.cursor_row or 0) < len(items) else 0
        return items[row or 0]


class AttachmentKeys:
    """Mixed into a core screen with ``org_id``, ``kind`` and ``record_id`` (None: a record not
    saved yet): the attachment keys, acting on the screen's :class:`AttachmentTable`."""

    app: "CoordApp"

    org_id: str
    kind: str

    def attachment_record_id(self) -> str | None:
        """The record whose attachments these are (None: not saved yet, so none)."""
        return getattr(self, "record_id", None)

    def attachment_label(self) -> str:
        """The record as the dialogs name it."""
        return self.attachment_record_id() or ""

    # the list -----------------------------------------------------------------------------
    def attachments_widgets(self) -> ComposeResult:
        yield AttachmentsHeading("", id="attachments-heading", markup=False)
        yield AttachmentTable(id="attachments", cursor_type="row", zebra_stripes=True)

    def show_attachments(self) -> None:
        """Fill the list from the workspace (the actor's view of it)."""
        lang = self.app.lang
        heading = self.query_one("#attachments-heading", Label)  # type: ignore[attr-defined]
        table = self.query_one("#attachments", AttachmentTable)  # type: ignore[attr-defined]
        record_id = self.attachment_record_id()
        if record_id is None:
            heading.update(t("att.new_record", lang))
            table.fill([], lang)
            table.display = False
            return
        try:
            items = self.app.ws.attachments(self.org_id, self.kind, record_id)
        except CoordError as exc:
            heading.update(exc.text(lang))
            table.fill([], lang)
            table.display = False
            return
        heading.update(t("att.heading", lang, count=len(items)) + ("" if items else " · " + t("att.none", lang)))
        table.fill(items, lang)
        table.display = bool(items)

    def _selected(self) -> Any | None:
        return self.query_one("#attachments", AttachmentTable).selected()  # type: ignore[attr-defined]

    def _error(self, exc: CoordError) -> None:
        self.app.show_error(exc)

    def _saved_first(self) -> str | None:
        record_id = self.attachment_record_id()
        if record_id is None:
            label = self.attachment_label()
            self._error(InputError(t("att.save_first", "en", record=label), message_zh=t("att.save_first", "zh", record=label)))
        return record_id

    def _in_worker(self, work: Callable[[], Any], done: Callable[[Any], None], what: str, *, folder: str | None = None) -> None:
        """Run ``work`` in a thread (a big file, or the store's lock held by another user's write,
        must not freeze the keys); then ``done(result)``, or the error in a dialog. ``folder``: where
        ``work`` writes, named when it cannot."""
        app = self.app

        def failed(exc: Exception) -> CoordError:
            error = f"{type(exc).__name__}: {exc}"
            return CoordError(t("att.failed", "en", error=error), message_zh=t("att.failed", "zh", error=error), title="Internal error")

        def run() -> None:
            try:
                result = work()
            except CoordError as exc:
                app.call_from_thread(self._error, exc)
            except OSError as exc:
                if folder is None:
                    app.call_from_thread(self._error, failed(exc))
                    return
                why_en, why_zh = exc.strerror or str(exc), t(_OS_REASONS.get(exc.errno, "att.os.other"), "zh")
                app.call_from_thread(self._error, InputError(t("att.cannot_write", "en", folder=folder, error=why_en),
                                                             message_zh=t("att.cannot_write", "zh", folder=folder, error=why_zh)))
            except Exception as exc:  # a bug below: say so in one line; the application stays
                app.call_from_thread(self._error, failed(exc))
            else:
                app.call_from_thread(done, result)

        app.run_worker(run, thread=True, group="attachments", name=what)

    def _attachments_changed(self, title: str, message: str) -> None:
        self.app.notify(escape(message), title=title)
        if self.is_mounted:  # type: ignore[attr-defined]
            self.show_attachments()
        self.app.record_saved()  # a rule may ask for evidence: check again

    # add ------------------------------------------------------------------------------------
    def action_attach(self) -> None:
        from coordtui.screens.modals import AttachModal

        record_id = self._saved_first()
        if record_id is None:
            return
        app = self.app
        if app.is_web:  # a browser tab: the file is on the person's machine, the server's page takes it
            query = urlencode({"org": self.org_id, "kind": self.kind, "id": record_id, "lang": app.lang})
            url = f"{UPLOAD_PATH}?{query}"
            app.open_url(url, new_tab=True)
            # A browser may hold back a tab opened by a page rather than a click: the address is said too.
            app.notify(escape(t("att.upload_opened", app.lang, url=url)), timeout=15)
            return
        if app.remote:
            values = dict(org=self.org_id, kind=self.kind, id=record_id)
            self._error(InputError(t("att.add_over_ssh", "en", **values), message_zh=t("att.add_over_ssh", "zh", **values)))
            return

        def chosen(answer: tuple[str, str] | None) -> None:
            if answer:
                path, title = answer
                app.notify(t("att.working", app.lang))
                self._in_worker(partial(self._attach_path, path, title or None), self._attached, f"attach {path}")

        app.push_screen(AttachModal(self.attachment_label()), chosen)

    def _attach_path(self, path: str, title: str | None) -> Any:
        from pathlib import Path

        file = Path(path).expanduser()
        if not os.path.lexists(file):  # (a folder, a FIFO or a device is refused by attach_path, in both languages)
            shown = str(file)[:200]
            raise InputError(t("att.not_found", "en", path=shown), message_zh=t("att.not_found", "zh", path=shown))
        return self.app.ws.attach_path(self.org_id, self.kind, self.attachment_record_id(), file, title=title)

    def _attached(self, attachment: Any) -> None:
        self._attachments_changed(t("att.attached", self.app.lang), f"{attachment.title} · {attachment.name} · {attachment.size_label()}")

    # export ---------------------------------------------------------------------------------
    def _chosen(self) -> tuple[str, Any] | None:
        """(the record's id, the attachment selected in its table), or None after saying there is none."""
        record_id = self.attachment_record_id()
        chosen = self._selected() if record_id else None
        if chosen is None:
            self.app.notify(t("att.nothing", self.app.lang), severity="warning")
            return None
        return record_id, chosen

    def action_export_attachment(self) -> None:
        app = self.app
        picked = self._chosen()
        if picked is None:
            return
        record_id, chosen = picked
        if app.remote and not app.is_web:
            values = dict(org=self.org_id, kind=self.kind, id=record_id, digest=chosen.sha256[:12], name=shlex.quote(chosen.name))
            self._error(InputError(t("att.export_over_ssh", "en", **values), message_zh=t("att.export_over_ssh", "zh", **values)))
            return
        self._in_worker(partial(self._export, record_id, chosen), self._exported, f"export {chosen.name}", folder=str(app.export_dir))

    def _export(self, record_id: str, chosen: Any) -> str:
        from coordtui.app import _write_private

        app = self.app
        data = self._unless_gone(chosen, app.ws.attachment_bytes, self.org_id, self.kind, record_id, chosen.sha256)
        if data is None:
            return None
        if app.is_web:
            app.call_from_thread(app.deliver_binary, io.BytesIO(data), save_filename=chosen.name)
            return ""
        path = app.export_dir / chosen.name
        _write_private(app.export_dir, path, data)
        return str(path)

    def _exported(self, path: str | None) -> None:
        app = self.app
        if path is None:
            return
        if path:
            app.notify(escape(path), title=t("att.exported", app.lang), timeout=8)
        else:
            app.notify(t("att.sent", app.lang), title=t("att.exported", app.lang))

    # remove ---------------------------------------------------------------------------------
    def action_detach(self) -> None:
        from coordtui.screens.modals import ConfirmModal

        app = self.app
        picked = self._chosen()
        if picked is None:
            return
        record_id, chosen = picked
        lang = app.lang
        question = t("att.confirm", lang, record=self.attachment_label(), title=chosen.title, name=chosen.name)

        def answered(yes: bool | None) -> None:
            if yes:
                work = partial(self._unless_gone, chosen, app.ws.detach, self.org_id, self.kind, record_id, chosen.sha256)
                self._in_worker(work, self._detached, f"detach {chosen.name}")

        app.push_screen(ConfirmModal(t("att.confirm_title", lang), question, t("att.yes", lang), t("att.no", lang)), answered)

    def _unless_gone(self, chosen: Any, work: Callable[..., Any], *args: Any) -> Any:
        """``work(*args)``, in the worker; when another person or process took the file off the
        record meanwhile, the list is read again and says so in the interface's language (None)."""
        from coordtui.attachments import AttachmentGone

        try:
            return work(*args)
        except AttachmentGone:
            self.app.call_from_thread(self._gone, chosen)
            return None

    def _gone(self, chosen: Any) -> None:
        if self.is_mounted:  # type: ignore[attr-defined]
            self.show_attachments()
        values = dict(title=chosen.title, name=chosen.name, record=self.attachment_label())
        self._error(InputError(t("att.gone", "en", **values), message_zh=t("att.gone", "zh", **values),
                               title=t("att.gone_title", "en")))

    def _detached(self, attachment: Any) -> None:
        if attachment is None:
            return
        self._attachments_changed(t("att.removed", self.app.lang), f"{attachment.title} · {attachment.name}")


class RecordDetailScreen(AttachmentKeys, CoreScreen):
    """One record as it is (记录详情): its fields, read-only, and its attachments; ``e`` edits it."""

    AUTO_FOCUS = "#attachments"
    BINDINGS = [
        Binding("e", "edit", "编辑/Edit", id="key.edit"),
        *BINDINGS,
    ]

    def __init__(self, org_id: str, kind: str, record_id: str) -> None:
        super().__init__()
        self.org_id, self.kind, self.record_id = org_id, kind, record_id
        self.label = record_id

    def attachment_label(self) -> str:
        return self.label

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-title", markup=False)
        with VerticalScroll(id="detail-body"):
            yield Static("", id="detail-fields", markup=False)
            yield from self.attachments_widgets()
        yield KeyFooter()

    def populate(self) -> None:
        ws, lang = self.app.ws, self.app.lang
        org = ws.org(self.org_id)
        cls = ws.model_of(org).kind(self.kind)
        found = ws.get(self.org_id, self.kind, self.record_id)
        kind_name = cls.title_zh if lang == "zh" else cls.title_en
        if found is None:
            self.query_one("#detail-title", Static).update(f"{t('detail.title', lang, kind=kind_name)} · {org.name}")
            self.query_one("#detail-fields", Static).update(t("record.gone", lang, kind=kind_name, id=self.record_id))
            self.query_one("#attachments-heading", Label).update("")
            self.query_one("#attachments", AttachmentTable).display = False
            return
        record, rev = found
        self.label = record.label()
        self.query_one("#detail-title", Static).update(f"{t('detail.title', lang, kind=kind_name)} · {self.label} · {org.name} · rev {rev}")
        lines = []
        values = record.model_dump()
        for spec in field_specs(cls):
            value = values.get(spec.name)
            if spec.ref_kind and value:
                names = {r.id: r.label() for r in ws.records(self.org_id, spec.ref_kind)}
                value = "、".join(names.get(v, v) for v in value) if isinstance(value, list) else names.get(value, value)
            elif isinstance(value, list):
                value = "、".join(map(str, value))
            elif isinstance(value, bool):
                value = t("form.yes", lang) if value else ""
            elif isinstance(value, date):
                value = shown_date(value, lang)
            lines.append(f"{label_for(spec.label, lang)}{'：' if lang == 'zh' else ': '}{'' if value is None else value}")
        self.query_one("#detail-fields", Static).update("\n".join(lines))
        self.show_attachments()

    def action_edit(self) -> None:
        self.app.open_record(self.org_id, self.kind, self.record_id)
