"""Records (记录): a table of any kind, filterable and sortable, paged so it stays quick at any size."""

from __future__ import annotations

from textual.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Select, Static

from coordtui.forms import field_specs, label_for
from coordtui.screens.base import CoreScreen
from coordtui.widgets.columns import Col
from coordtui.widgets.fit_table import FitTable
from coordtui.widgets.match import matches
from coordtui.widgets.footer import KeyFooter

PAGE = 200
MAX_COLUMNS = 6


class RecordsScreen(CoreScreen):
    AUTO_FOCUS = "#records"
    BINDINGS = [
        Binding("enter", "open", "打开/Open", show=False, id="key.open"),
        Binding("n", "new", "新建/New", id="key.new"),
        Binding("slash", "focus_filter", "筛选/Filter", id="key.filter"),
        Binding("k", "focus_kind", "类别/Kind", id="key.kind"),
        Binding("right_square_bracket", "page(1)", "下页/Next", id="key.next_page", show=False),
        Binding("left_square_bracket", "page(-1)", "上页/Prev", id="key.prev_page", show=False),
        Binding("o", "sort", "排序/Sort", id="key.sort"),
        Binding("i", "detail", "详情/Details", id="key.detail"),
    ]

    def __init__(self, org_id: str, kind: str | None = None) -> None:
        super().__init__()
        self.org_id = org_id
        self.kind = kind
        self.page = 0
        self.sort_column: str | None = None
        self.rows: list[dict] = []

    def compose(self) -> ComposeResult:
        ws = self.app.ws
        org = ws.org(self.org_id)
        model = ws.model_of(org)
        lang = self.app.lang
        options = [(k.title_zh if lang == "zh" else k.title_en, k.kind) for k in model.kinds]  # names, not ids
        self.kind = self.kind or model.kinds[0].kind
        yield Static(f"[b]{self.t('nav.records')}[/b] · {escape(org.name)}", id="records-title")
        with Horizontal(id="records-bar"):
            yield Select(options, value=self.kind, allow_blank=False, id="records-kind")
            yield Input(placeholder=self.t("filter.placeholder"), id="records-filter")
        yield FitTable(id="records", cursor_type="row", zebra_stripes=True)
        yield Static("", id="records-status")
        yield KeyFooter()

    def populate(self) -> None:
        """Reload the kind's rows (cheap: the store's cache), then show the current page."""
        ws = self.app.ws
        self.cls = ws.model_of(ws.org(self.org_id)).kind(self.kind)
        self.specs = field_specs(self.cls)
        self.date_fields = {s.name for s in self.specs if s.widget == "date"}
        self.all_rows = ws.rows(self.org_id, self.kind)
        self.lookups = self._lookups(self.specs)
        self.refilter()

    def refilter(self) -> None:
        needle = self.query_one("#records-filter", Input).value.strip()
        rows = self.all_rows
        if needle:
            label = self.cls.label_field
            # what is stored, and what is shown of it: a date as 2026年10月15日, a referred record by name
            shown = [s.name for s in self.specs if s.widget == "date" and self.app.lang == "zh"] + list(self.lookups)
            rows = [r for r in rows if needle.lower() in " ".join([*(str(v) for k, v in r.items() if not k.startswith("_")),
                                                                   *(self._cell(r.get(c), c) for c in shown if r.get(c))]).lower()
                    or (needle.isascii() and matches(needle, str(r.get(label) or "")))]
        if self.sort_column:
            rows = sorted(rows, key=lambda r: (str(r.get(self.sort_column) or "") if self.sort_column in self.date_fields  # by the day
                                               else self._cell(r.get(self.sort_column), self.sort_column), r["id"]))
        else:
            rows = sorted(rows, key=lambda r: r["id"])
        self.rows = rows
        self.show_page()

    def show_page(self) -> None:
        """Only the visible page becomes table rows, so the cost follows the page, not the store."""
        specs = self.specs
        columns = ["id"] + [s.name for s in specs if s.name != "id"][: MAX_COLUMNS - 1]
        pages = max(1, (len(self.rows) + PAGE - 1) // PAGE)
        self.page = max(0, min(self.page, pages - 1))
        shown = self.rows[self.page * PAGE:(self.page + 1) * PAGE]
        labels = {s.name: label_for(s.label, self.app.lang) for s in specs}
        table = self.query_one("#records", FitTable)
        label_field = self.cls.label_field
        cols = [Col(c, labels.get(c, c), keep=c == label_field, rank=len(columns) - n if c == "id" else n + 1, min=8)
                for n, c in enumerate(columns)]
        table.show(cols, [([self._cell(row.get(c), c) for c in columns], str(i)) for i, row in enumerate(shown)])
        status = self.t("records.status", count=len(self.rows), page=self.page + 1, pages=pages)
        sort = self.t("records.sorted", column=labels.get(self.sort_column, self.sort_column)) if self.sort_column else self.t("records.unsorted")
        status = f"{status} · {sort}"
        self.query_one("#records-status", Static).update(status)

    def _lookups(self, specs) -> dict[str, dict[str, str]]:
        ws = self.app.ws
        result = {}
        for s in specs:
            if s.ref_kind:
                result[s.name] = {r.id: r.label() for r in ws.records(self.org_id, s.ref_kind)}
        return result

    def _cell(self, value, column: str) -> str:  # noqa: ANN001
        """A stored value as a person reads it: referred records by name, dates as 2026年10月15日."""
        names = self.lookups.get(column)
        if isinstance(value, list):
            return "、".join(names.get(v, v) if names else str(v) for v in value)
        if names and value:
            return names.get(value, value)
        if isinstance(value, bool):
            return self.t("form.yes") if value else ""
        if value and column in self.date_fields:
            return self.day(value)
        return "" if value is None else str(value)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and event.value != self.kind:
            self.kind = str(event.value)
            self.page, self.sort_column = 0, None
            self.populate()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.page = 0
        self.refilter()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one("#records", DataTable)
        index = self.page * PAGE + (table.cursor_row or 0)
        if self.rows and index < len(self.rows):
            self.app.open_record(self.org_id, self.kind, self.rows[index]["id"])

    def action_detail(self) -> None:
        """The highlighted record's details and its attachments (记录详情)."""
        from coordtui.screens.attachments import RecordDetailScreen

        table = self.query_one("#records", DataTable)
        index = self.page * PAGE + (table.cursor_row or 0)
        if self.rows and index < len(self.rows):
            self.app.push_screen(RecordDetailScreen(self.org_id, self.kind, self.rows[index]["id"]))

    def action_new(self) -> None:
        self.app.new_record(self.org_id, self.kind, {})

    def action_focus_filter(self) -> None:
        self.query_one("#records-filter", Input).focus()

    def action_focus_kind(self) -> None:
        self.query_one("#records-kind", Select).focus()

    def action_page(self, step: int) -> None:
        self.page = max(0, self.page + step)
        self.show_page()

    def action_sort(self) -> None:
        """Sort by the next column shown (a row cursor has no column to point at), then by id again."""
        table = self.query_one("#records", FitTable)
        keys = [k for k in table.shown_keys if k != "id"]
        if not keys:
            return
        at = keys.index(self.sort_column) + 1 if self.sort_column in keys else 0
        self.sort_column = keys[at] if at < len(keys) else None
        self.page = 0
        self.refilter()
