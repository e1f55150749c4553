"""``coordtui demo``: a guided tour of the application on a temporary copy of the bundled examples.

Space or → goes on, ← goes back, q quits; ``--auto SECONDS`` plays it unattended. The real
store is never opened: the tour builds its own in a temporary folder and removes it after.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Callable

from textual.binding import Binding
from textual.widgets import Static

from coordtui.app import CoordApp
from coordtui.domain.outcomes import DutyStatus
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace
from coordtui.i18n import t

DEMO_ORG = "tjpu"
DEMO_AS_OF = date(2026, 10, 15)


@dataclass
class Step:
    zh: str
    en: str
    go: Callable[["DemoApp"], None]


def _dashboard(app: "DemoApp") -> None:
    app.action_goto("dashboard")


def _findings(app: "DemoApp") -> None:
    app.action_goto("findings")


def _tree(app: "DemoApp") -> None:
    app.action_goto("tree")


def _fix_most_overdue(app: "DemoApp") -> None:
    app.action_goto("dashboard")
    rows = [r for r in app.result.duties if r.org == app.org_id and r.status is DutyStatus.OVERDUE and r.duty.record_kind]
    row = max(rows, key=lambda r: r.overdue_days)
    app.new_record(app.org_id, row.duty.record_kind, dict(row.duty.prefill))


def _matrix(app: "DemoApp") -> None:
    app.action_goto("dashboard")
    app.action_open_model_screen("university_grid", "matrix")


def _calendar(app: "DemoApp") -> None:
    app.action_goto("calendar")


def _export(app: "DemoApp") -> None:
    from coordtui.exports import export

    app.action_goto("dashboard")
    for fmt in ("xlsx", "docx"):
        path = app.export_dir / f"{app.org_id}-2026Q3.{fmt}"
        path.write_bytes(export(app.ws, app.org_id, fmt, as_of=app.as_of, period=None))
    app.exported = sorted(p.name for p in app.export_dir.iterdir())


STEPS = [
    Step("总览：打开即知谁逾期、逾期什么、逾期多久——最久的排在最前", "The dashboard: who is overdue, for what and since when, the longest first", _dashboard),
    Step("问题清单：每条检查发现都有规则编号和期间，按 g 可按规则、级别或对象分组", "Findings: each with its rule and period; g groups them by rule, severity or subject", _findings),
    Step("组织架构：协作组、成员单位、网格员，一目了然，可按名称筛选", "The organization: groups, units and grid members, filterable by name", _tree),
    Step("补录记录：在总览按 Enter，直接打开能补正该事项的表单，边填边校验", "Fixing it: Enter on an overdue duty opens the form that meets it, validated as you type", _fix_most_overdue),
    Step("合规矩阵：各协作组逐季度完成情况，原因一键可见", "The compliance matrix: every group by quarter, the reason one key away", _matrix),
    Step("日历：到期事项、法定节假日与调休上班日都已标注", "The calendar: deadlines, public holidays and adjusted workdays marked", _calendar),
    Step("导出：台账（Excel）和季度工作报告（Word）已生成", "Exports: the ledger (Excel) and the quarterly report (Word) are written", _export),
    Step("演示结束。按 q 退出，或 ← 回看", "That is the tour. q quits, ← goes back", _dashboard),
]


class DemoCaption(Static):
    """The current step's caption (演示说明), docked in the screen the step shows.

    A docked widget rather than a toast: it takes its own rows, so it never hides what
    the step shows, and no overlay cuts a Chinese character in two.
    """

    DEFAULT_CSS = """
    DemoCaption {
        dock: bottom;
        margin-bottom: 1;  /* above the footer, which docks to the same edge */
        height: auto;
        padding: 0 1;
        background: $boost;
        border-left: outer $success;
        text-wrap: wrap;
    }
    """


class DemoApp(CoordApp):
    BINDINGS = [
        Binding("space,right", "step(1)", "下一步/Next", priority=True, id="demo.next"),
        Binding("left", "step(-1)", "上一步/Back", priority=True, id="demo.back"),
        # A tour is watched, not typed into: q always ends it, even over a form.
        Binding("q", "quit", "退出/Quit", priority=True, id="key.quit"),
    ]

    def __init__(self, ws: Workspace, export_dir: Path, *, lang: str = "zh", auto: float | None = None) -> None:
        super().__init__(ws, lang=lang, as_of=DEMO_AS_OF, org_id=DEMO_ORG)
        self.export_dir = export_dir
        self.auto = auto
        self.step = -1
        self.visited: list[tuple[int, str]] = []  # (step, screen shown): what the tour showed
        self.exported: list[str] = []
        self.caption = ""
        self._player = None  # the timer of an unattended tour, stopped once a viewer steps by hand
        #: whether the step's screen is up and drawn: an unattended tour waits for it before going on
        #: (on a loaded server a timer tick could otherwise close a form still mounting its fields)
        self._shown = True
        # The footer names the tour's own keys: the application's keys stay, unlisted (its footer
        # and the tour's would not fit in 80 columns together; ? lists every key of a screen).
        tour = {"demo.next", "demo.back", "key.quit", "key.help"}
        for key, bindings in self._bindings.key_to_bindings.items():
            self._bindings.key_to_bindings[key] = [b if b.id in tour else replace(b, show=False) for b in bindings]

    def _checked(self, result) -> None:
        first = self.result is None and self.step < 0
        super()._checked(result)
        if first:
            self.action_demo(1)
            if self.auto:
                self._player = self.set_interval(self.auto, self._auto_step)

    def action_step(self, delta: int) -> None:
        """A step by hand: the viewer has taken over, so an unattended tour stops playing by itself."""
        if self._player is not None:
            self._player.stop()
            self._player = None
        self.action_demo(delta)

    def _auto_step(self) -> None:
        if not self._shown:
            return
        if self.step < len(STEPS) - 1:
            self.action_demo(1)
        else:
            self.exit()

    def action_demo(self, delta: int) -> None:
        target = max(0, min(len(STEPS) - 1, self.step + delta))
        if target == self.step or self.result is None:
            return
        self.step = target
        self._shown = False
        step = STEPS[target]
        step.go(self)
        self.visited.append((target, type(self.screen_stack[-1]).__name__))
        self.clear_notifications()
        caption = step.zh if self.lang == "zh" else step.en
        if step.go is _export and self.exported:
            caption += f"：{self.export_dir}（{'、'.join(self.exported)}）"
        self.caption = t("demo.step", self.lang, n=target + 1, total=len(STEPS), caption=caption)
        self.call_after_refresh(self._show_caption)

    def _show_caption(self) -> None:
        self._shown = True
        for screen in self.screen_stack:  # a screen the tour goes back to keeps no stale caption
            screen.query(DemoCaption).remove()
        self.screen.mount(DemoCaption(self.caption))
        # The tour is watched, not typed into: a focused text field would take Space and q as text.
        focused = self.screen.focused
        if focused is not None and focused.check_consume_key("space", " "):
            self.screen.set_focus(None)


def run_demo(lang: str = "zh", auto: float | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="coordtui-demo-") as tmp:
        ws = Workspace(Store(Path(tmp) / "store", create=True), PluginHost())
        ws.load_examples()
        exports = Path(tmp) / "exports"
        exports.mkdir()
        DemoApp(ws, exports, lang=lang, auto=auto).run()
    return 0
