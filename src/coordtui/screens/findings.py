"""Findings (问题清单): every finding of the as-of date, grouped by rule, severity or subject."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Static

from coordtui.domain.records import Finding
from coordtui.screens.base import CoreScreen

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
GROUPINGS = ("rule", "severity", "subject")


class FindingsScreen(CoreScreen):
    AUTO_FOCUS = "#findings"
    BINDINGS = [
        Binding("g", "cycle_group", "分组/Group", id="key.group"),
        Binding("slash", "focus_filter", "筛选/Filter", id="key.filter"),
        Binding("enter", "open", "打开/Open", show=False, id="key.open"),
    ]

    grouping = "rule"

    def compose(self) -> ComposeResult:
        yield Static("", id="findings-title")
        yield Input(placeholder="筛选 / filter", id="findings-filter")
        yield DataTable(id="findings", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    def populate(self) -> None:
        app = self.app
        group_name = {"rule": self.t("col.rule"), "severity": self.t("col.severity"), "subject": self.t("col.subject")}[self.grouping]
        self.query_one("#findings-title", Static).update(
            Text(f"{self.t('nav.findings')} · {app.orgs[app.org_index].name if app.orgs else ''} · {self.t('as_of')} {app.as_of.isoformat()} · {self.t('findings.group')}: {group_name} (g)", style="bold")
        )
        table = self.query_one("#findings", DataTable)
        table.clear(columns=True)
        narrow = self.app.size.width < 110
        for key in ("severity", "subject", "period", "message", "rule"):
            table.add_column(self.t(f"col.{key}"), key=key, width=14 if narrow and key == "subject" else None)
        self.shown: list[Finding] = []
        if app.result is None:
            return
        needle = self.query_one("#findings-filter", Input).value.strip().lower()
        findings = [f for f in app.result.findings if (f.org == app.org_id or f.org == "-")
                    and (not needle or needle in f"{f.subject} {f.message} {f.message_en} {f.rule}".lower())]
        key = {
            "rule": lambda f: (f.rule, f.severity.rank, f.period or ""),
            "severity": lambda f: (f.severity.rank, f.rule, f.period or ""),
            "subject": lambda f: (f.subject, f.severity.rank, f.period or ""),
        }[self.grouping]
        findings.sort(key=key)
        for i, f in enumerate(findings):
            table.add_row(
                Text(self.t(f"sev.{f.severity.value}"), style=SEVERITY_STYLE[f.severity.value]),
                f.subject,
                f.period or "",
                f.text(app.lang),
                f.rule.split(".", 1)[-1],
                key=str(i),
            )
        self.shown = findings

    def on_input_changed(self, event: Input.Changed) -> None:
        self.populate()

    def action_focus_filter(self) -> None:
        self.query_one("#findings-filter", Input).focus()

    def action_cycle_group(self) -> None:
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        self.populate()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one("#findings", DataTable)
        if not self.shown or table.cursor_row is None or table.cursor_row >= len(self.shown):
            return
        f = self.shown[table.cursor_row]
        if f.subject_kind and f.subject_id:
            self.app.open_record(f.org, f.subject_kind, f.subject_id)
        else:
            self.app.notify(f.text(self.app.lang), title=f.rule)
