"""Findings (问题清单): every finding of the as-of date, grouped by rule, severity or subject."""

from __future__ import annotations

import os

from rich.text import Text
from textual.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from coordtui.i18n import days_in
from coordtui.domain.records import Finding
from coordtui.screens.base import CoreScreen
from coordtui.widgets.columns import Col
from coordtui.widgets.fit_table import FitTable
from coordtui.widgets.footer import KeyFooter

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
if os.environ.get("NO_COLOR"):  # weight and reverse video instead of colours Textual would turn grey
    SEVERITY_STYLE = {"error": "bold reverse", "warning": "bold", "info": ""}
#: Signs that say the severity without colour (NO_COLOR).
SEVERITY_SIGN = {"error": "✗", "warning": "!", "info": "·"}
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
        yield Input(placeholder=self.t("filter.placeholder"), id="findings-filter")
        yield FitTable(id="findings", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def populate(self) -> None:
        app = self.app
        group_name = {"rule": self.t("col.rule"), "severity": self.t("col.severity"), "subject": self.t("col.subject")}[self.grouping]
        self.query_one("#findings-title", Static).update(
            Text(f"{self.t('nav.findings')} · {app.orgs[app.org_index].name if app.orgs else ''} · {self.t('as_of')} {self.day(app.as_of)} · {self.t('findings.group')}: {group_name} (g)", style="bold")
        )
        table = self.query_one("#findings", FitTable)
        cols = [
            Col("severity", self.t("col.severity"), rank=1, hide=False),
            Col("subject", self.t("col.subject"), keep=True),
            Col("period", self.t("col.period"), rank=3, min=7),
            Col("message", self.t("col.message"), keep=True),
            Col("rule", self.t("col.rule"), rank=2, min=12, hide=False),
        ]
        self.shown: list[Finding | None] = []  # None: a group's heading row
        if app.result is None:
            table.show(cols, [])
            return
        needle = self.query_one("#findings-filter", Input).value.strip().lower()
        findings = [f for f in app.result.findings if (f.org == app.org_id or f.org == "-")
                    and (not needle or needle in f"{f.subject} {f.message} {days_in(f.message)} {f.message_en} {f.rule}".lower())]
        key = {
            "rule": lambda f: (f.rule, f.severity.rank, f.period or ""),
            "severity": lambda f: (f.severity.rank, f.rule, f.period or ""),
            "subject": lambda f: (f.subject, f.severity.rank, f.period or ""),
        }[self.grouping]
        findings.sort(key=key)
        heading = {
            "rule": lambda f: f.rule.split(".", 1)[-1],
            "severity": lambda f: self.t(f"sev.{f.severity.value}"),
            "subject": lambda f: f.subject,
        }[self.grouping]
        data, shown, counts = [], [], {}
        for f in findings:
            counts[heading(f)] = counts.get(heading(f), 0) + 1
        for i, f in enumerate(findings):
            name = heading(f)
            if i == 0 or heading(findings[i - 1]) != name:  # a heading row before each group (Enter on it does nothing)
                data.append(([Text("──", style="dim"), Text(self.t("findings.group_heading", name=name, count=counts[name]), style="bold"), "", "", ""], f"h{i}"))
                shown.append(None)
            data.append(([
                Text(f"{SEVERITY_SIGN[f.severity.value]} {self.t(f'sev.{f.severity.value}')}", style=SEVERITY_STYLE[f.severity.value]),
                f.subject,
                f.period or "",
                days_in(f.text(app.lang), app.lang),
                f.rule.split(".", 1)[-1],
            ], str(i)))
            shown.append(f)
        table.show(cols, data)
        self.shown = shown

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
        table = self.query_one("#findings", FitTable)
        if not self.shown or table.cursor_row is None or table.cursor_row >= len(self.shown):
            return
        f = self.shown[table.cursor_row]
        if f is None:
            return
        if f.subject_kind and f.subject_id:
            self.app.open_record(f.org, f.subject_kind, f.subject_id)
        else:
            self.app.notify(escape(days_in(f.text(self.app.lang), self.app.lang)), title=f.rule)
