"""The dispatched_linkage screen: collaboration groups with their contacts, joint cases, the evidence rate."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable, Static

from coordtui.ui import Col, FitTable, ModelScreen, named

from dispatched_linkage.rules import evidence_rates


class LinkageScreen(ModelScreen):
    AUTO_FOCUS = "#cases"
    BINDINGS = [Binding("enter", "open", "打开/Open", id="key.open", show=False)]

    def build(self):
        yield Static(id="dl-title")
        yield FitTable(id="groups", cursor_type="row")
        yield FitTable(id="cases", cursor_type="row", zebra_stripes=True)
        yield Static(id="dl-rate")

    def populate(self) -> None:
        ws, org_id = self.app.ws, self.app.org_id
        org = ws.org(org_id)
        self.query_one("#dl-title", Static).update(self.heading("linkage.title"))
        groups = ws.records(org_id, "dispatched_group")
        data = []
        for cg in sorted(ws.records(org_id, "collab_group"), key=lambda c: c.number):
            members = [g for g in groups if g.collab_group == cg.id]
            missing = [g.host for g in members if not g.contact]
            data.append(([cg.name, ws.get(org_id, "office", cg.office)[0].name if cg.office else "—", str(len(members)),
                          Text("、".join(missing), style="bold red") if missing else "—"], None))
        self.query_one("#groups", FitTable).show(named(self.t("linkage.groups"), Col("group", "", keep=True), Col("office", "", rank=1, min=8),
                                                       Col("count", "", rank=2), Col("missing", "", keep=True)), data)
        data = []
        self.rows = sorted(ws.records(org_id, "case"), key=lambda c: c.opened_on, reverse=True)
        for c in self.rows:
            needs = c.subject_level == "中层正职" and c.filed_on is not None
            pre = Text(self.day(c.prereviewed_on), style="green") if c.prereviewed_on else (Text(self.t("linkage.missing"), style="bold red") if needs else Text("—", style="dim"))
            data.append(([c.title, c.linkage, c.subject_level, pre, self.day(c.filed_on) if c.filed_on else "—"], None))
        self.query_one("#cases", FitTable).show(named(self.t("linkage.cases"), Col("title", "", keep=True), Col("linkage", "", rank=3, min=6),
                                                      Col("level", "", rank=2, min=6), Col("prereview", "", rank=1, hide=False), Col("filed", "", rank=4)), data)
        ctx = ws.context(org, self.app.as_of)
        rates = evidence_rates(ctx)
        text = self.t("linkage.sep").join(self.t("linkage.year_rate", year=y, asked=a, reviewed=b, share=a / b) for y, (a, b) in rates.items()) or "—"
        self.query_one("#dl-rate", Static).update(self.t("linkage.rate", rates=text))

    def action_open(self) -> None:
        table = self.query_one("#cases", FitTable)
        if self.rows and table.cursor_row is not None:
            self.app.open_record(self.app.org_id, "case", self.rows[table.cursor_row].id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "cases":
            self.action_open()
