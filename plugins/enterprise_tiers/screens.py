"""The enterprise_tiers model's screens: a directive's chain, the commendation quota, the ledger."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable, Static

from coordtui.api import Context, InputError, Period
from coordtui.ui import Col, CoordError, FitTable, ModelScreen, named

from enterprise_tiers.kinds import Commendation, LedgerEntry
from enterprise_tiers.rules import inspectors_by_subsidiary, ledger_proposals, quota


class TierScreen(ModelScreen):
    def ctx(self) -> Context:
        return self.app.ws.context(self.org(), self.app.as_of)



def _mark(ok: bool, text: str) -> Text:
    return Text(text, style="green" if ok else "bold red")


class DirectiveChainScreen(TierScreen):
    """联动任务链: one directive top-down and bottom-up: who planned, who reported, what is missing."""

    AUTO_FOCUS = "#chain"
    BINDINGS = [
        Binding("left_square_bracket", "step(-1)", "上一季", id="key.prev_page"),
        Binding("right_square_bracket", "step(1)", "下一季", id="key.next_page"),
        Binding("enter", "fix", "处理/Fix", id="key.open"),
    ]
    index: int | None = None

    def build(self):
        yield Static(id="et-title")
        yield Static(id="et-directive")
        yield FitTable(id="chain", cursor_type="cell")
        yield Static(id="et-missing")

    def populate(self) -> None:
        self.query_one("#et-title", Static).update(self.heading("chain.title"))
        directives = sorted(self.recs("directive"), key=lambda d: d.issued_on)
        table = self.query_one("#chain", FitTable)
        cols = named(self.t("chain.columns"), Col("company", "", keep=True), Col("plan", "", rank=1, hide=False), Col("assigned", "", rank=4),
                     Col("monthly", "", rank=2, hide=False), Col("report", "", rank=3, hide=False))
        if not directives:
            table.show(cols, [])
            self.query_one("#et-directive", Static).update(self.t("chain.none"))
            return
        if self.index is None:
            current = [i for i, d in enumerate(directives) if d.issued_on <= self.app.as_of]
            self.index = current[-1] if current else 0
        self.index = max(0, min(self.index, len(directives) - 1))
        d = self.directive = directives[self.index]
        quarter = Period.parse(d.quarter)
        self.query_one("#et-directive", Static).update(self.t("chain.directive", title=d.title, issued=self.day(d.issued_on), items="；".join(d.items)))
        staff = inspectors_by_subsidiary(self.ctx())
        plans = {p.subsidiary: p for p in self.recs("plan") if p.directive == d.id}
        reports = {r.subsidiary: r for r in self.recs("unit_report") if r.quarter == d.quarter}
        months = [str(m) for m in quarter.months() if m.end < self.app.as_of]
        settings = self.ctx().settings
        report_due = self.app.ws.calendar.add_working_days(quarter.end, settings.unit_report_working_days).date
        monthly = defaultdict(set)
        for r in self.recs("inspector_report"):
            monthly[r.month].add(r.inspector)
        self.rows, missing, data = [], [], []
        for s in sorted(self.recs("subsidiary"), key=lambda s: s.id):
            people = staff.get(s.id, [])
            plan = plans.get(s.id)
            due_month = sum(len(people) for _ in months)
            done_month = sum(1 for m in months for p in people if p.id in monthly[m])
            report = reports.get(s.id)
            data.append(([s.company or s.name,
                          _mark(plan is not None, self.day(plan.filed_on) if plan else self.t("chain.no_plan_cell")),
                          f"{len(plan.assigned_to)}/{len(people)}" if plan else "—",
                          _mark(done_month == due_month, f"{done_month}/{due_month}"),
                          _mark(report is not None, self.day(report.filed_on)) if report else
                          (Text(self.t("chain.not_due"), style="dim") if self.app.as_of <= report_due else _mark(False, self.t("chain.no_report")))],
                         s.id))
            self.rows.append(s)
            if plan is None:
                missing.append(self.t("chain.no_plan", company=s.company))
            missing += [self.t("chain.no_monthly", name=p.name, month=m) for m in months for p in people if p.id not in monthly[m]]
        table.show(cols, data)
        # What is missing can run to dozens of items: its lines are capped (app.tcss) and it
        # starts with how many, so the title and the table always stay on screen.
        items = self.t("chain.missing_count", count=len(missing), items="；".join(missing)) if missing else self.t("chain.nothing")
        self.query_one("#et-missing", Static).update(self.t("chain.missing", items=items))

    def action_step(self, step: int) -> None:
        self.index = (self.index or 0) + step
        self.populate()

    def action_fix(self) -> None:
        """Enter on a subsidiary's plan or report opens it, or a new one prefilled."""
        table = self.query_one("#chain", FitTable)
        if not getattr(self, "rows", None):
            return
        s = self.rows[table.cursor_coordinate.row]
        column = table.cursor_key()
        if column in ("plan", "assigned"):
            plan = next((p for p in self.recs("plan") if p.directive == self.directive.id and p.subsidiary == s.id), None)
            if plan:
                self.app.open_record(self.app.org_id, "plan", plan.id)
            else:
                self.app.new_record(self.app.org_id, "plan", {"subsidiary": s.id, "directive": self.directive.id, "filed_on": self.app.as_of.isoformat()})
        elif column == "report":
            report = next((r for r in self.recs("unit_report") if r.quarter == self.directive.quarter and r.subsidiary == s.id), None)
            if report:
                self.app.open_record(self.app.org_id, "unit_report", report.id)
            else:
                self.app.new_record(self.app.org_id, "unit_report", {"subsidiary": s.id, "quarter": self.directive.quarter, "filed_on": self.app.as_of.isoformat()})

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_fix()


def commend(ws, org_id: str, inspector_id: str, year: int, percent: int) -> Commendation:
    """Record a commendation unless it would exceed the subsidiary's quota (InputError says how many remain)."""
    ctx = ws.context(ws.org(org_id), date(year, 12, 31))
    staff = inspectors_by_subsidiary(ctx)
    sub = next((s for s, people in staff.items() if any(p.id == inspector_id for p in people)), None)
    if sub is None:
        raise InputError(f"{inspector_id} belongs to no subsidiary and cannot be commended", message_zh=f"{inspector_id} 不属于任何权属单位，不能表彰")
    ids = {p.id for p in staff[sub]}
    taken = [c for c in ws.records(org_id, "commendation") if c.year == year and c.inspector in ids]
    if any(c.inspector == inspector_id for c in taken):
        raise InputError(f"{ctx.label('inspector', inspector_id)} is already commended for {year}", message_zh=f"{ctx.label('inspector', inspector_id)} 已获{year}年度表彰")
    allowed = quota(len(ids), percent)
    if len(taken) >= allowed:
        raise InputError(f"{ctx.label('subsidiary', sub)}: the {year} quota is full: {percent}% of {len(ids)} inspectors is at most {allowed}, none left",
                         message_zh=f"{ctx.label('subsidiary', sub)}{year}年度表彰名额已满：{len(ids)}名纪检委员的{percent}%，至多{allowed}人，剩余0人")
    record = Commendation(id=f"commend-{year}-{inspector_id}", year=year, inspector=inspector_id)
    ws.save(org_id, record, rev=0)
    return record


class QuotaScreen(TierScreen):
    """年度表彰名额: per subsidiary at most 20% of its inspectors; b commends, u withdraws (b again restores it)."""

    AUTO_FOCUS = "#quota"
    BINDINGS = [
        Binding("b", "commend", "表彰", id="et.commend"),  # c and x are global keys (organization, export)
        Binding("u", "withdraw", "撤销", id="et.withdraw"),
        Binding("left_square_bracket", "year(-1)", "上一年", id="key.prev_page", show=False),
        Binding("right_square_bracket", "year(1)", "下一年", id="key.next_page", show=False),
    ]
    year: int | None = None

    def build(self):
        yield Static(id="et-title")
        yield Static(id="et-summary")
        yield FitTable(id="quota", cursor_type="row", zebra_stripes=True)

    def populate(self) -> None:
        self.year = self.year or self.app.as_of.year
        self.query_one("#et-title", Static).update(self.heading("quota.title", year=self.year))
        percent = self.ctx().settings.commendation_percent
        staff = inspectors_by_subsidiary(self.ctx())
        commended = {c.inspector for c in self.recs("commendation") if c.year == self.year}
        subs = {s.id: s for s in self.recs("subsidiary")}
        summary = Text()
        table = self.query_one("#quota", FitTable)
        self.rows, data = [], []
        for sid in sorted(staff):
            people = staff[sid]
            allowed = quota(len(people), percent)
            used = sum(1 for p in people if p.id in commended)
            name = subs[sid].company or subs[sid].name
            style = "bold red" if used > allowed else ("yellow" if used == allowed else "green")
            key = "quota.left" if used <= allowed else "quota.over"
            summary.append(self.t(key, name=name, used=used, allowed=allowed, left=allowed - used) + "  ", style=style)
            for p in people:
                data.append(([name, p.name, "★" if p.id in commended else ""], p.id))
                self.rows.append(p)
        table.show(named(self.t("quota.columns"), Col("company", "", keep=True), Col("inspector", "", keep=True), Col("star", "", rank=1, hide=False)), data)
        self.query_one("#et-summary", Static).update(summary)

    def _selected(self):
        table = self.query_one("#quota", FitTable)
        return self.rows[table.cursor_row] if self.rows and table.cursor_row is not None else None

    def action_commend(self) -> None:
        person = self._selected()
        if person is None:
            return
        try:
            commend(self.app.ws, self.app.org_id, person.id, self.year, self.ctx().settings.commendation_percent)
        except CoordError as exc:
            self.app.show_error(exc)
            return
        self.app.record_saved()
        self.populate()

    def action_withdraw(self) -> None:
        person = self._selected()
        record = next((c for c in self.recs("commendation") if c.year == self.year and c.inspector == person.id), None) if person else None
        if record is None:
            return
        try:
            _, rev = self.app.ws.get(self.app.org_id, "commendation", record.id)
            self.app.ws.delete(self.app.org_id, "commendation", record.id, rev=rev)
        except CoordError as exc:
            self.app.show_error(exc)
            return
        self.app.record_saved()
        self.populate()

    def action_year(self, step: int) -> None:
        self.year = (self.year or self.app.as_of.year) + step
        self.populate()


class LedgerScreen(TierScreen):
    """管理台账: entries proposed for subsidiaries with no plan or no report; y records the selected one."""

    AUTO_FOCUS = "#ledger"
    BINDINGS = [Binding("y", "confirm", "记入台账", id="et.confirm")]

    def build(self):
        yield Static(id="et-title")
        yield FitTable(id="ledger", cursor_type="row", zebra_stripes=True)
        yield Static(id="et-hint")

    def populate(self) -> None:
        self.query_one("#et-title", Static).update(self.heading("ledger.title"))
        recorded = {(e.subsidiary, e.quarter, e.reason): e for e in self.recs("ledger_entry")}
        subs = {s.id: s.company or s.name for s in self.recs("subsidiary")}
        table = self.query_one("#ledger", FitTable)
        self.rows, data = [], []
        for sub, quarter, reason in ledger_proposals(self.ctx()):
            entry = recorded.pop((sub, str(quarter), reason), None)
            state = Text(self.t("ledger.recorded"), style="green") if entry else Text(self.t("ledger.proposed"), style="bold yellow")
            data.append(([state, subs.get(sub, sub), str(quarter), reason, self.day(entry.recorded_on) if entry else ""], None))
            self.rows.append((sub, str(quarter), reason, entry))
        for (sub, quarter, reason), entry in recorded.items():
            data.append(([Text(self.t("ledger.recorded"), style="green"), subs.get(sub, sub), quarter, reason, self.day(entry.recorded_on)], None))
            self.rows.append((sub, quarter, reason, entry))
        table.show(named(self.t("ledger.columns"), Col("state", "", rank=1, hide=False), Col("company", "", keep=True), Col("quarter", "", rank=2, hide=False),
                         Col("reason", "", keep=True), Col("recorded_on", "", rank=3, min=10)), data)
        self.query_one("#et-hint", Static).update(self.t("ledger.hint"))

    def action_confirm(self) -> None:
        table = self.query_one("#ledger", FitTable)
        if not self.rows or table.cursor_row is None:
            return
        sub, quarter, reason, entry = self.rows[table.cursor_row]
        if entry is not None:
            return
        record = LedgerEntry(id=f"ledger-{sub}-{quarter.lower()}-{'plan' if reason == '无实施方案' else 'report'}", subsidiary=sub,
                             quarter=quarter, reason=reason, recorded_on=self.app.as_of)
        try:
            self.app.ws.save(self.app.org_id, record, rev=0)
        except CoordError as exc:
            self.app.show_error(exc)
            return
        self.app.record_saved()
        self.populate()
