"""The Textual application: core screens over one workspace, fed by every loaded model."""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from textual import work
from textual.app import App
from textual.binding import Binding

from coordtui.commands import NavigationCommands
from coordtui.domain.outcomes import CheckResult, DutyRow, _finding_key
from coordtui.errors import CoordError, InputError, PluginError
from coordtui.i18n import Bilingual, day, t, text_in
from coordtui.screens.base import CoreScreen, ModelScreen
from coordtui.screens.dashboard import DashboardScreen
from coordtui.screens.modals import DateModal, ErrorModal
from coordtui.widgets.keys import localize_bindings
from coordtui.workspace import Workspace, _without_cyclic_gc

if TYPE_CHECKING:
    from coordtui.domain.model import ScreenSpec
    from coordtui.domain.records import Finding


class _Part:
    """One batch's results, arranged in the check's worker thread (the interface's thread only
    files them): duties and findings per organization, and each organization's dashboard counts."""

    def __init__(self, duties: dict, findings: dict, counts: dict) -> None:
        self.duties, self.findings, self.counts = duties, findings, counts

    @classmethod
    def of(cls, part: CheckResult, batch: list[str], as_of: date) -> "_Part":
        from coordtui.screens.dashboard import summary_counts

        duties: dict[str, list[DutyRow]] = {org_id: [] for org_id in batch}
        for row in part.duties:
            duties.setdefault(row.org, []).append(row)
        findings: dict[str, dict[int, list[Finding]]] = {org_id: {} for org_id in batch}
        for finding in part.findings:  # (sorted by the check: each group stays in its order)
            findings.setdefault(finding.org, {}).setdefault(_finding_key(finding)[0], []).append(finding)
        counts = {org_id: summary_counts(duties[org_id], as_of) for org_id in batch}
        return cls(duties, findings, counts)


class _Superseded(Exception):
    """Raised inside a check whose as-of date or generation is no longer current."""


class _Switched(Exception):
    """Raised inside a batch of organizations when the person switched to one not checked yet."""


class CoordApp(App):
    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute, so subclasses defined anywhere find it
    COMMANDS = App.COMMANDS | {NavigationCommands}
    ENABLE_COMMAND_PALETTE = True
    #: Seconds a toast stays (Textual's 5 s left them stacked over the screen).
    NOTIFICATION_TIMEOUT = 3

    BINDINGS = [
        Binding("d", "goto('dashboard')", "总览/Dash", id="key.dashboard"),
        Binding("f", "goto('findings')", "问题/Findings", id="key.findings"),
        Binding("r", "goto('records')", "记录/Records", id="key.records"),
        Binding("t", "goto('tree')", "架构/Tree", show=False, id="key.tree"),
        Binding("h", "goto('history')", "历史/History", show=False, id="key.history"),
        Binding("v", "goto('calendar')", "日历/Calendar", show=False, id="key.calendar"),
        Binding("j", "goto('assessment')", "考核/Year", show=False, id="key.assessment"),  # j: 绩效 (jìxiào); y is a screen's yes
        Binding("p", "goto('plugins')", "插件/Plugins", show=False, id="key.plugins"),
        Binding("m", "model_screens", "模型/Model", id="key.models"),
        Binding("a", "as_of", "日期/Date", id="key.as_of"),
        Binding("c", "next_org", "组织/Org", show=False, id="key.org"),
        Binding("x", "export", "导出/Export", show=False, id="key.export"),
        Binding("l", "toggle_lang", "中/EN", id="key.lang"),
        Binding("ctrl+r", "recheck", "刷新/Refresh", show=False, id="key.refresh"),
        Binding("question_mark", "help", "帮助/Help", id="key.help"),
        Binding("q", "quit", "退出/Quit", id="key.quit"),
        Binding("z", "sign_out", "退出登录/Sign out", id="key.sign_out"),
    ]

    #: How often (seconds) the application looks whether the office's day has changed.
    DAY_CHECK_SECONDS = 60.0

    def __init__(self, ws: Workspace, *, lang: str = "zh", as_of: date | None = None, notice: str | None = None,
                 org_id: str | None = None, remote: bool = False) -> None:
        super().__init__()
        self.ws = ws
        #: A person reached over SSH through the forced command: files written on the server
        #: would never reach them (and would stay on the server), so exports come by command.
        self.remote = remote
        self.lang = lang
        #: The date checks are made for: the office's today, which moves on overnight, unless
        #: the user pinned a date (``--as-of``, or ``a``).
        self.as_of = as_of or ws.today()
        self.pinned = as_of is not None
        self.notice = notice
        #: The first part of the check as the last run kept it under this start's key (see
        #: coordtui.snapshot), shown at mount until the real check's first part replaces it; else
        #: the key (taken before the check, with the moment and sys.path) the real first part is kept under.
        self._snapshot: Any = None
        self._snapshot_key: tuple[tuple[Any, ...] | None, int, list[str], str | None, date] | None = None
        #: The check tag the snapshot was shown under, until a real check's part (or its failure) replaces it.
        self._snapshot_tag: tuple[date, int] | None = None
        #: The organizations the person sees: from the snapshot (plain objects) until the plugins
        #: are loaded, else the workspace's.
        self.orgs = self._open_snapshot(org_id)
        if self._snapshot is not None:
            org_id = self._snapshot.org
        self._result: CheckResult | None = None  # see the property result
        self._pending: frozenset[str] = frozenset(o.id for o in self.orgs)
        #: The duties and the findings per organization of the result ``_index_of``, extended as a
        #: check's parts arrive; at most RESULTS_KEPT organizations' (see :meth:`_keep_at_most`).
        self._index: dict[str, list[DutyRow]] = {}
        #: org id -> severity rank -> its findings, in a whole check's order
        self._found: dict[str, dict[int, list[Finding]]] = {}
        #: The dashboard's counts of every organization checked (org id -> counts), those whose
        #: duties were let go included.
        self._counts: dict[str, tuple] = {}
        self._index_of: CheckResult | None = None
        self._index_tag: tuple[date, int] | None = None
        self._fetching: tuple[tuple[date, int], str] | None = None
        #: What was let go, freed by the check's thread (see :meth:`_keep_at_most`).
        self._graveyard: list = []
        self._arriving: frozenset[str] = frozenset()  # the pending set of results on their way to _checked
        #: Bumped on every save, date change and refresh: a check computed for an older
        #: (as-of date, generation) is never shown.
        self.generation = 0
        self._checking = False  # one check at a time; a request meanwhile re-runs it when it ends
        ids = [o.id for o in self.orgs]
        if org_id is not None and org_id not in ids:
            raise InputError(f"no organization '{org_id}' in {ws.store.root} (known: {', '.join(ids) or 'none'}): check --org",
                             message_zh=f"{ws.store.root} 中没有组织“{org_id}”（已有：{'、'.join(ids) or '无'}）：请检查 --org")
        self.org_index = ids.index(org_id) if org_id else 0
        #: Where exports from the interface go: COORDTUI_EXPORT_DIR, else ./coordtui-exports.
        self.export_dir = Path(os.environ.get("COORDTUI_EXPORT_DIR", "coordtui-exports")).expanduser()
        self.title = t("app.title", lang)

    def _open_snapshot(self, org_id: str | None) -> list:
        """The organizations to show: those of the snapshot kept under this start's key (which
        it then holds in ``_snapshot``), else the workspace's (and the key taken, for the real
        first part to be kept under); the workspace's alone in a store too large for a snapshot
        to be worth its key (see coordtui.snapshot.MAX_MANIFEST_BYTES)."""
        from coordtui import snapshot

        if not snapshot.worth_it(self.ws):
            return self.ws.orgs()
        began = time.time_ns()
        path = list(sys.path)
        found = snapshot.key(self.ws, self.as_of, org_id, path=path, deferred=True)
        kept = snapshot.load(self.ws, found)
        if kept is not None and (org_id is None or kept.org == org_id):
            self._snapshot = kept
            return kept.orgs
        orgs = self.ws.orgs()
        if orgs:
            self._snapshot_key = (found, began, path, org_id, self.as_of)
        return orgs

    # life cycle -------------------------------------------------------------------------
    def get_default_screen(self) -> DashboardScreen:
        """The dashboard, at the bottom of the screen stack for good (each core screen goes over
        it): pushed over Textual's empty default screen, the first frame was laid out and drawn
        for both, a third of its cost."""
        return DashboardScreen()

    def on_mount(self) -> None:
        localize_bindings(self, self.lang)
        if self.notice:
            self.notify(self.notice, timeout=8)
        if not self.orgs:
            self.notify(t("dash.no_orgs", self.lang), severity="warning", timeout=10)
        if self._snapshot is not None:
            # What the last run's check found for this very key: shown now, before any plugin is
            # imported; the plugins are loaded and the real check run after the first frame.
            self.generation += 1
            tag, org_id, kept = self.check_tag, self.org_id, self._snapshot
            part, self._snapshot, self._snapshot_key = _Part.of(kept.result, [org_id], tag[0]), None, None  # (kept already)
            self._snapshot_tag = tag
            self._check_part(tag, part, frozenset(o.id for o in self.orgs) - {org_id})
            self.call_after_refresh(self._load_plugins, kept)
        else:
            self._plugin_notices()
            self.run_check()
        self.set_interval(self.DAY_CHECK_SECONDS, self.follow_today, name="office day")

    def _plugin_notices(self) -> None:
        for info in self.ws.host.plugins.values():
            if info.status == "failed":
                self.notify(t("plugin.failed", self.lang, name=info.name, cause=text_in(info.cause, self.lang)), severity="error", timeout=10)

    @work(thread=True, group="plugins")
    def _load_plugins(self, kept: Any) -> None:
        """After a first frame from a snapshot: load the plugins and the models (off the
        interface's thread, input is never held), read the organizations and the snapshot's
        findings as the workspace and the check make them, then (in the interface's thread) put
        them in place of the plain ones, say which plugins failed, and run the real check."""
        from coordtui import snapshot

        try:
            self.ws.host  # noqa: B018 (loads them)
            orgs = self.ws.orgs()
            full = snapshot.load_full(kept)
        except CoordError as exc:
            self.call_from_thread(self._plugins_loaded, None, None, exc)
            return
        self.call_from_thread(self._plugins_loaded, orgs, full, None)

    def _plugins_loaded(self, orgs: list | None, full: CheckResult | None, error: CoordError | None) -> None:
        if error is not None:  # (the workspace's people or organizations unreadable: said, nothing of the snapshot left)
            self._snapshot_tag = None
            self.result = None
            self.refresh_screens()
            self.show_error(error)
            return
        viewed = self.org_id
        ids = [o.id for o in orgs]
        self.orgs, self.org_index = orgs, ids.index(viewed) if viewed in ids else 0
        if full is not None and self._snapshot_tag == self.check_tag and self.org_id == viewed:
            # The snapshot's findings as the check makes them (the same values) in place of the plain ones.
            self._check_part(self.check_tag, _Part.of(full, [viewed], self.as_of), None)
        self._plugin_notices()
        self.run_check()

    # checking -----------------------------------------------------------------------------
    @property
    def check_tag(self) -> tuple[date, int]:
        """What a check started now is computed for: the as-of date and the generation."""
        return self.as_of, self.generation

    def run_check(self) -> None:
        """Check again for the current as-of date, in a worker thread (the interface keeps
        answering keys meanwhile). The organization being viewed is checked first and shown as
        soon as it is done; the others follow in batches, their counts appearing as they arrive
        (see :attr:`result` and :attr:`pending`). Whatever a check still running was computed
        for is stale from now on: it stops at its next organization, its result is dropped, and
        the check runs again for what is current."""
        self.generation += 1
        if self._checking:
            return
        self._checking = True
        self._check_worker(self.check_tag)

    # What app.result holds ----------------------------------------------------------------
    #: Organizations whose findings and duties are kept in memory (the one being viewed always
    #: among them); of the others only the dashboard's counts (:meth:`counts_of`) are. A million
    #: records' findings and duties took about 2 GB; a screen shows one organization's.
    RESULTS_KEPT = 48

    @property
    def result(self) -> CheckResult | None:
        """The latest check's findings and duties of the organizations checked so far (at most
        :attr:`RESULTS_KEPT` of them, the one being viewed always among them), or None while the
        organization being viewed (``org_id``) is not among them: every screen about one
        organization shows its loading state rather than an all-clear for what was not checked.
        The organizations still to check are :attr:`pending`; a screen that needs every
        organization waits for :attr:`check_complete`."""
        if self._result is None or (self.org_id is not None and (self.org_id in self._pending or self._let_go(self.org_id))):
            return None
        return self._result

    @result.setter
    def result(self, value: CheckResult | None) -> None:
        """Set a whole check's result (every organization checked), or None: nothing checked yet."""
        self._result = value
        self._pending = frozenset() if value is not None else frozenset(o.id for o in self.orgs)
        self._index_of = self._index_tag = None
        self._counts = {}

    @property
    def pending(self) -> frozenset[str]:
        """The organizations (ids) whose results for the current as-of date have not arrived yet."""
        return self._pending

    @property
    def check_complete(self) -> bool:
        """Whether :attr:`result` holds every organization (a total across organizations may be shown)."""
        return self._result is not None and not self._pending

    def duties_of(self, org_id: str) -> list[DutyRow] | None:
        """The duties of ``org_id`` in the latest check, or None while it is pending or its duties
        were let go (:attr:`RESULTS_KEPT`; :meth:`counts_of` has its counts). Indexed as results
        arrive, so hundreds of organizations are never walked once per organization."""
        if self._result is None or org_id in self._pending or self._let_go(org_id):
            return None
        if self._index_of is not self._result:  # a result set whole (not by the progressive check)
            index: dict[str, list[DutyRow]] = {}
            for row in self._result.duties:
                index.setdefault(row.org, []).append(row)
            self._index, self._index_of, self._index_tag, self._counts = index, self._result, None, {}
        return self._index.get(org_id, [])

    def counts_of(self, org_id: str) -> tuple | None:
        """The dashboard's counts of an organization (see :func:`~coordtui.screens.dashboard.summary_counts`)
        as the check worked them out, or None (not checked yet, or a result set whole)."""
        if self._result is None or org_id in self._pending or self._index_of is not self._result:
            return None
        return self._counts.get(org_id)

    def _let_go(self, org_id: str) -> bool:
        return org_id in self._counts and org_id not in self._index

    #: Organizations checked together after the first (doubling up to this many): few enough
    #: that a switch to an organization not checked yet is served soon, many enough that the
    #: per-check cost (one forked rule worker) stays small against the rules' own work.
    CHECK_BATCH = 64

    def _next_batch(self, remaining: list[str], size: int) -> list[str]:
        """The organization being viewed if it is still to check, else the next ``size`` in order."""
        wanted = self.org_id
        if wanted in remaining:
            return [wanted]
        return remaining[:size]

    @work(thread=True, group="check")
    def _check_worker(self, tag: tuple[date, int]) -> None:
        order = [o.id for o in self.orgs]
        remaining = list(order)
        shown = [0.0]
        try:
            with _without_cyclic_gc():  # between the batches too, as over one whole check
                started = self._check_batches(tag, order, remaining, shown)
        except _Superseded:
            self.call_from_thread(self._check_ended, tag, None)
        except CoordError as exc:
            self.call_from_thread(self._check_ended, tag, exc)
        except Exception as exc:  # a bug: say so plainly and keep the application usable
            self.call_from_thread(self._check_ended, tag, CoordError(
                t("check.failed", "en", error=f"{type(exc).__name__}: {exc}"),
                message_zh=t("check.failed", "zh", error=f"{type(exc).__name__}: {exc}"), title="Internal error"))
        else:
            if started:  # no organizations at all: an empty, complete check
                self.call_from_thread(self._check_part, tag, _Part.of(CheckResult(tag[0]), [], tag[0]), frozenset())
            self.call_from_thread(self._check_ended, tag, None)

    def _check_batches(self, tag: tuple[date, int], order: list[str], remaining: list[str], shown: list[float]) -> bool:
        """Check ``remaining`` batch by batch, the organization being viewed first, sending each
        batch's results to the interface; whether there was nothing to check."""
        as_of = tag[0]
        size, started = 1, True
        while remaining:
            batch = self._next_batch(remaining, size)
            wanted = batch[0] if len(batch) == 1 and batch[0] == self.org_id else None

            def progress(done: int, total: int, batch: list[str] = batch) -> None:
                if self.check_tag != tag:
                    raise _Superseded
                if self.org_id in remaining and self.org_id not in batch:
                    raise _Switched  # the person moved to an organization not checked yet: it goes next
                now = time.monotonic()
                if self._result is None and now - shown[0] >= 0.2:
                    shown[0] = now
                    self.call_from_thread(self._check_progress, tag, len(order) - len(remaining) + done, len(order))

            try:
                part = self.ws.check(as_of, org_ids=batch, progress=progress)
            except _Switched:
                continue
            for org_id in batch:
                remaining.remove(org_id)
            if wanted is None:
                size = min(size * 2, self.CHECK_BATCH)
            started = False
            self.call_from_thread(self._check_part, tag, _Part.of(part, batch, as_of), frozenset(remaining))
            # Kept once it is shown, not before: walking the store again to prove the start's key
            # still holds (and writing the slot) took 0.1-0.2 s of a 100,000-record store's first results.
            self._keep_snapshot(tag, batch, part)
            self._bury()
        return started

    def _keep_snapshot(self, tag: tuple[date, int], batch: list[str], part: CheckResult) -> None:
        """Keep the first part of the first check, when it is of the organization and the date
        the start's key was taken for (and that key still holds: see coordtui.snapshot). A start
        shown from the snapshot has no key left to keep (the slot holds this very result)."""
        taken, self._snapshot_key = self._snapshot_key, None
        if taken is None:
            return
        found, began, path, org_id, as_of = taken
        orgs = self.orgs
        viewed = org_id if org_id is not None else (orgs[0].id if orgs else None)
        if found is None or batch != [viewed] or tag[0] != as_of:
            return
        from coordtui import snapshot

        snapshot.keep(self.ws, as_of, org_id, found, began, path, orgs, part)

    def _check_progress(self, tag: tuple[date, int], done: int, total: int) -> None:
        if tag != self.check_tag:
            return
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen) and screen.is_mounted:
                screen.show_progress(done, total)

    def _check_part(self, tag: tuple[date, int], part: "_Part", pending: frozenset[str] | None) -> None:
        """The results of the organizations of ``part`` arrived (``pending``: those still to come;
        None: as they were)."""
        if tag != self.check_tag:
            return
        if tag != self._snapshot_tag:
            self._snapshot_tag = None  # a real check's part: from now on nothing of the snapshot is shown
        if self._index_tag != tag or self._index_of is None or self._index_of is not self._result:
            self._index, self._found, self._counts, self._index_tag = {}, {}, {}, tag
        self._index.update(part.duties)
        self._counts.update(part.counts)
        for org_id, groups in part.findings.items():
            if org_id in part.counts or org_id not in self._found:
                self._found[org_id] = groups
            else:  # findings of no organization checked (a store-wide one) from another batch
                for rank, found in groups.items():
                    self._found[org_id][rank] = sorted(self._found[org_id].get(rank, []) + found, key=_finding_key)
        self._keep_at_most(self.RESULTS_KEPT)
        # Ordered as one whole check orders them (severity, then organization, ...): each
        # organization's findings of one severity came in that order, so they are only joined.
        groups = sorted((rank, org_id, found) for org_id, by_rank in self._found.items() for rank, found in by_rank.items())
        findings = [f for _, _, found in groups for f in found]
        result = CheckResult(tag[0], findings, [row for rows in self._index.values() for row in rows])
        self._index_of = result
        self._arriving = self._pending if pending is None else pending
        self._checked(result)

    def _keep_at_most(self, count: int) -> None:
        """Let go of the findings and duties of the organizations checked longest ago beyond
        ``count`` (never the one being viewed); their dashboard counts stay, and the workspace
        forgets its copy too. Viewing one of them again checks it again (:meth:`_fetch`)."""
        excess = len(self._index) - count
        if excess <= 0:
            return
        dropped = [org_id for org_id in self._index if org_id != self.org_id][:excess]
        for org_id in dropped:
            # Freed by the check's thread, not here: at a million records a batch lets go of some
            # hundred thousand objects, and freeing them held the interface still.
            self._graveyard.append((self._index.pop(org_id), self._found.pop(org_id, None)))
        self.ws.forget_results(dropped)

    def _bury(self) -> None:
        """Free what :meth:`_keep_at_most` let go (called in the check's thread)."""
        graveyard, self._graveyard = self._graveyard, []
        graveyard.clear()

    def _fetch(self) -> None:
        """Check the organization being viewed again when its results were let go."""
        org_id = self.org_id
        if org_id is None or not self._let_go(org_id) or self._fetching == (self.check_tag, org_id):
            return
        self._fetching = (self.check_tag, org_id)
        self._fetch_worker(self.check_tag, org_id)

    @work(thread=True, group="fetch")
    def _fetch_worker(self, tag: tuple[date, int], org_id: str) -> None:
        try:
            part = self.ws.check(tag[0], org_ids=[org_id])
        except CoordError as exc:
            self.call_from_thread(self.show_error, exc)
            return
        except Exception as exc:  # a bug: say so plainly and keep the application usable
            self.call_from_thread(self.show_error, CoordError(
                t("check.failed", "en", error=f"{type(exc).__name__}: {exc}"),
                message_zh=t("check.failed", "zh", error=f"{type(exc).__name__}: {exc}"), title="Internal error"))
            return
        self.call_from_thread(self._check_part, tag, _Part.of(part, [org_id], tag[0]), None)

    def _check_ended(self, tag: tuple[date, int], error: CoordError | None) -> None:
        self._checking = False
        if tag != self.check_tag:  # computed for another date, or before a save: run it for what is current
            self._checking = True
            self._check_worker(self.check_tag)
            return
        if error is not None:
            if self._snapshot_tag is not None:  # the real check failed: the snapshot is not shown as its result
                self._snapshot_tag = None
                self.result = None
                self.refresh_screens()
            self.show_error(error)
        elif self.check_complete:
            _warm_matching()

    def _checked(self, result: CheckResult) -> None:
        """A current check's results arrived: first the organization being viewed, then the
        others in batches (the tour, a subclass, starts from here; :attr:`pending` says what
        is still to come)."""
        self._result, self._pending = result, self._arriving
        self._arriving = frozenset()
        self.refresh_screens()
        self._fetch()

    def follow_today(self) -> None:
        """Move to the office's new day (an application left open overnight), unless the
        user pinned the date."""
        if self.pinned:
            return
        today = self.ws.today()
        if today != self.as_of:
            self.as_of = today
            self.result = None
            self.refresh_screens()
            self.run_check()

    def refresh_screens(self) -> None:
        for screen in list(self.screen_stack):
            if isinstance(screen, CoreScreen) and screen.is_mounted:
                try:
                    screen.safe_populate()
                except CoordError as exc:
                    self.show_error(exc)

    # plugin screens must not take the application down --------------------------------
    def plugin_screen_failed(self, screen: ModelScreen, exc: BaseException) -> None:
        """Close a plugin's broken screen and say which plugin failed and why."""
        if screen in self.screen_stack:
            while self.screen_stack and self.screen_stack[-1] is not screen:
                self.pop_screen()
            if len(self.screen_stack) > 1:
                self.pop_screen()
        self.show_error(PluginError(screen.failure_text(exc)))

    async def _dispatch_action(self, namespace, action_name, params):  # noqa: ANN001 (Textual's signature)
        # A key action of a plugin screen that raises closes that screen, never the application
        # (Textual stops a message loop for good once a handler raises, so catch it here).
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except Exception as exc:
            screen = namespace if isinstance(namespace, ModelScreen) else getattr(namespace, "screen", None)
            if isinstance(screen, ModelScreen):
                self.plugin_screen_failed(screen, exc)
                return True
            raise

    # state ------------------------------------------------------------------------------
    @property
    def org_id(self) -> str | None:
        return self.orgs[self.org_index].id if self.orgs else None

    def record_saved(self) -> None:
        self.orgs = self.ws.orgs()
        self.run_check()

    def show_error(self, exc: CoordError, on_close: Callable[[None], None] | None = None) -> None:
        title = t("error.title", self.lang) if self.lang == "zh" else exc.title
        self.push_screen(ErrorModal(title, exc.text(self.lang)), on_close)

    # navigation -------------------------------------------------------------------------
    def _core_screen(self, name: str) -> CoreScreen | None:
        from coordtui.screens.findings import FindingsScreen
        from coordtui.screens.history import HistoryScreen
        from coordtui.screens.plugins import PluginsScreen
        from coordtui.screens.records import RecordsScreen
        from coordtui.screens.tree import TreeScreen

        if name == "findings":
            return FindingsScreen()
        if name == "plugins":
            return PluginsScreen()
        if name == "history":
            return HistoryScreen()
        if name == "calendar":
            from coordtui.screens.calendar import CalendarScreen

            return CalendarScreen()
        if self.org_id is None:
            self.show_error(InputError(t("dash.no_orgs", self.lang)))
            return None
        if name == "records":
            return RecordsScreen(self.org_id)
        if name == "tree":
            return TreeScreen(self.org_id)
        if name == "assessment":
            from coordtui.screens.assessment import AssessmentScreen

            return AssessmentScreen(self.org_id)
        return None

    def action_goto(self, name: str) -> None:
        """Go to a core screen: the dashboard stays at the bottom (the default screen), one core screen over it."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        if name == "dashboard":
            return
        screen = self._core_screen(name)
        if screen is not None:
            self.push_screen(screen)

    def open_record(self, org_id: str, kind: str, record_id: str) -> None:
        from coordtui.screens.form import RecordForm

        try:
            found = self.ws.get(org_id, kind, record_id)
        except CoordError as exc:
            self.show_error(exc)
            return
        if found is None:
            self.show_error(InputError(t("record.gone", "en", kind=kind, id=record_id), message_zh=t("record.gone", "zh", kind=kind, id=record_id)))
            return
        record, rev = found
        self.push_screen(RecordForm(org_id, kind, record, rev))

    def new_record(self, org_id: str, kind: str, prefill: dict[str, Any]) -> None:
        from coordtui.screens.form import RecordForm

        self.push_screen(RecordForm(org_id, kind, None, 0, prefill))

    def action_as_of(self) -> None:
        def chosen(value: str | None) -> None:
            if value:
                self.as_of = date.fromisoformat(value)
                self.pinned = True  # the user chose this date: it stays overnight
                self.result = None
                self.refresh_screens()
                self.run_check()

        self.push_screen(DateModal(self.as_of.isoformat()), chosen)

    def action_export(self) -> None:
        """Choose a format; the file is written in a worker into the export folder."""
        from coordtui.screens.export import ExportModal

        if self.org_id is None:
            return
        if self.remote and not self.is_web:
            self.show_error(InputError(t("export.over_ssh", "en", org=self.org_id), message_zh=t("export.over_ssh", "zh", org=self.org_id)))
            return

        def chosen(fmt: str | None) -> None:
            if fmt:
                self.notify(t("export.running", self.lang))
                self.run_export(self.org_id, fmt)

        self.push_screen(ExportModal(), chosen)

    def export_period(self, fmt: str):
        """The period an export from the interface covers: the ledger (xlsx) and the report (docx)
        are quarterly, the archive (台账资料) yearly; the md summary covers everything as of the date, like the dashboard and
        'coordtui export --format md', so their counts agree."""
        from coordtui.domain.periods import Period, PeriodKind

        if fmt == "archive":  # the year's files, as an inspection asks for them (台账资料)
            return Period.containing(self.as_of, PeriodKind.YEAR)
        return Period.containing(self.as_of, PeriodKind.QUARTER) if fmt in ("xlsx", "docx") else None

    @work(thread=True, group="export")
    def run_export(self, org_id: str, fmt: str) -> None:
        from coordtui.exports import export

        period = self.export_period(fmt)
        try:
            data = export(self.ws, org_id, fmt, as_of=self.as_of, period=period)
            from coordtui.screens.export import SUFFIX

            path = self.export_dir / f"{org_id}{'-' + str(period) if period else ''}.{SUFFIX.get(fmt, fmt)}"
            _write_private(self.export_dir, path, data)
        except CoordError as exc:
            self.call_from_thread(self.show_error, exc)
            return
        except OSError as exc:
            self.call_from_thread(self.show_error, InputError(f"{self.export_dir}: cannot write ({exc.strerror}): check the folder's permissions"))
            return
        if self.is_web:  # in a browser tab ('coordtui serve') the file also goes to the browser's downloads
            self.call_from_thread(self.deliver_binary, path)
        self.call_from_thread(self.notify, str(path), title=t("export.done", self.lang), timeout=8)

    def get_system_commands(self, screen):  # noqa: ANN001, ANN201 (Textual's signature)
        """Textual's own commands, less "Screenshot": it writes the screen, case data included,
        into the server's Downloads folder for anyone to read, never to the person."""
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def action_next_org(self) -> None:
        if not self.orgs:
            return
        self.org_index = (self.org_index + 1) % len(self.orgs)
        self.notify(self.orgs[self.org_index].name, title=t("nav.org", self.lang))
        self._fetch()
        top = self.screen
        name = {"RecordsScreen": "records", "TreeScreen": "tree"}.get(type(top).__name__)
        if name:
            self.action_goto(name)
        elif isinstance(top, ModelScreen):
            self.action_goto("dashboard")
        self.refresh_screens()

    async def action_toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self.title = t("app.title", self.lang)
        localize_bindings(self, self.lang)
        for screen in list(self.screen_stack):
            localize_bindings(screen, self.lang)
            if isinstance(screen, CoreScreen) and screen.is_mounted:
                await screen.recompose()
                screen.populate()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sign_out":  # offered only in a browser tab of 'coordtui serve' (it ends the sign-in)
            return os.environ.get("COORDTUI_SERVED") == "1"
        return True

    def action_sign_out(self) -> None:
        self.open_url("coordtui:sign-out", new_tab=False)  # the server ends the session and sends every tab to sign-in

    def action_command_palette(self) -> None:
        """The command palette, its prompt in the interface language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=t("palette.placeholder", self.lang)))

    def action_recheck(self) -> None:
        self.orgs = self.ws.orgs()
        self.result = None
        self.refresh_screens()
        self.run_check()

    def action_help(self) -> None:
        from coordtui.screens.help import HelpScreen

        seen, rows = set(), []
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            # Only our own keys, which have catalogue labels in both languages (Textual's
            # widgets bring English-only ones such as "Cursor up" and "Select").
            if key in seen or not binding.description or binding.id is None:
                continue
            seen.add(key)
            rows.append((self.get_key_display(binding), binding.description))
        self.push_screen(HelpScreen(rows))

    # model screens ------------------------------------------------------------------------
    def model_screen_specs(self) -> list[tuple[str, ScreenSpec]]:
        if self.org_id is None:
            return []
        model_id = self.orgs[self.org_index].model
        return [(model_id, s) for s in self.ws.host.screens(model_id)]

    def action_model_screens(self) -> None:
        from coordtui.screens.menu import ModelMenu

        specs = self.model_screen_specs()
        if not specs:
            self.notify(t("model.no_screens", self.lang))
            return
        model_id = specs[0][0]
        org = self.orgs[self.org_index]
        title = f"{self.ws.host.models[model_id].name(self.lang)} · {org.name}"

        def chosen(screen_id: str | None) -> None:
            if screen_id:
                self.action_open_model_screen(model_id, screen_id)

        self.push_screen(ModelMenu(title, [s for _, s in specs]), chosen)

    def action_open_model_screen(self, model_id: str, screen_id: str) -> None:
        for mid, spec in self.model_screen_specs():
            if mid == model_id and spec.id == screen_id:
                plugin = self.ws.host.contributor("coordtui_screens", spec) or model_id
                try:
                    screen = spec.factory(self)
                except Exception as exc:  # a broken screen closes itself, never the application
                    self.show_error(PluginError(f"plugin {plugin}: screen {spec.id} failed: {type(exc).__name__}: {exc}"))
                    return
                if isinstance(screen, ModelScreen):
                    screen.plugin_name = plugin
                    screen.model_id = model_id
                while len(self.screen_stack) > 1:
                    self.pop_screen()
                try:
                    self.push_screen(screen)
                except Exception as exc:  # a plugin screen that breaks while mounting
                    self.show_error(PluginError(f"plugin {plugin}: screen {spec.id} failed: {type(exc).__name__}: {exc}"))
                return


def _warm_matching() -> None:
    """Load the pinyin dictionaries of the filters and the command palette in a thread, once the
    first check is done (kept out of the start-up, they would delay the first frame by 0.25 s)."""
    if "pypinyin" in sys.modules:
        return
    import threading

    from coordtui.widgets.match import warm

    threading.Thread(target=warm, name="pinyin", daemon=True).start()


def _write_private(folder: Path, path: Path, data: bytes) -> None:
    """Write an export readable by this account only (0600 in a 0700 folder), whatever the umask:
    it holds what the store holds."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def check_terminal() -> Bilingual | None:
    """Why this terminal cannot host the interface (in both languages), or None."""
    if "web_driver" in os.environ.get("TEXTUAL_DRIVER", ""):
        return None  # a browser tab of 'coordtui serve': Textual's web driver speaks over pipes
    if os.environ.get("TERM", "") in ("dumb", "unknown"):
        term = os.environ.get("TERM")
        return Bilingual(f"this terminal (TERM={term}) cannot show the full-screen interface: use one such as xterm-256color, "
                         "or the commands 'coordtui check' and 'coordtui export'",
                         f"此终端（TERM={term}）无法显示全屏界面：请换用 xterm-256color 之类的终端，或使用 coordtui check 和 coordtui export 命令")
    if not sys.stdout.isatty() or not sys.stdin.isatty():
        return Bilingual("the interface needs a terminal (standard input and output are not one): run it in a terminal, or use 'coordtui check'",
                         "界面需要在终端中运行（标准输入和输出不是终端）：请在终端中运行，或使用 coordtui check 命令")
    return None


def run_app(*, db: str | None, lang: str, plugin_dirs: Iterable[Path] = (), as_of: date | None = None, org_id: str | None = None,
            identity: str | None = None) -> int:
    """The application on the store ``db``. ``identity``: the authenticated person every change
    is made by (the forced command's NAME, the owner's ``--as``); None: the OS account."""
    problem = check_terminal()
    if problem:
        print(f"coordtui: {problem.text(lang)}", file=sys.stderr)
        return 2
    from coordtui.plugins import PluginHost
    from coordtui.store import Store
    from coordtui.workspace import default_store_path

    from coordtui.access import resolve_actor

    store = Store(Path(db) if db else default_store_path(), create=True, user=identity)
    # The person the forced command or --as named acts, with their roles and scopes, never the
    # account that runs the process (the service account owns everything).
    ws = Workspace(store, PluginHost(plugin_dirs=plugin_dirs), actor=resolve_actor(store, identity) if identity else None)
    notice = None
    if not ws.store.orgs() and ws.may_administer():
        loaded = ws.load_examples()
        if loaded:
            names = "、".join(o.name for o in ws.orgs())
            notice = t("dash.loaded_examples", lang, orgs=names)
    as_of, notice = opening_date(ws, as_of, lang, notice)
    CoordApp(ws, lang=lang, as_of=as_of, notice=notice, org_id=org_id, remote=identity is not None).run()


def opening_date(ws: Workspace, as_of: date | None, lang: str, notice: str | None = None) -> tuple[date | None, str | None]:
    """The date the application opens at, and what it says about it. A store holding only the
    bundled examples opens at the examples' own as-of date (their data ends in late 2026: as of
    a later today they would show dozens overdue), and says so; otherwise ``as_of`` (None: today)."""
    if as_of is None and only_examples(ws):
        from coordtui.demo import DEMO_AS_OF

        as_of = DEMO_AS_OF
        notice = " · ".join(filter(None, [notice, t("dash.examples_as_of", lang, as_of=day(DEMO_AS_OF, lang))]))
    return as_of, notice


def only_examples(ws: Workspace) -> bool:
    """Whether the person sees organizations and each is one of the loaded models' bundled
    examples; the answer kept between starts (coordtui.snapshot.kept_value), so that choosing
    the opening date loads no plugin and no model."""
    from coordtui import snapshot

    def compute() -> bool:
        orgs = ws.orgs()
        return bool(orgs) and {o.id for o in orgs} <= example_org_ids(ws)

    return snapshot.kept_value(ws, "app-only-examples", compute, lambda value: isinstance(value, bool))


def example_org_ids(ws: Workspace) -> set[str]:
    """The ids of the loaded models' bundled example organizations."""
    ids = set()
    for model_id in ws.host.models:
        for doc in ws.host.fixtures(model_id):
            org = doc.get("org") or doc.get("organization") or {}
            if isinstance(org, dict) and org.get("id"):
                ids.add(org["id"])
    return ids
