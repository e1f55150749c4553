"""Helpers for testing models and screens (测试辅助), for the built-in models and for plugin authors.

    from coordtui.testing import check_records, context_for, drive, example_workspace, run_check

``check_records`` runs a model's rules over records built in the test and returns the
findings; ``run_check`` returns the whole check (findings and duty statuses);
``context_for`` is the :class:`Context` a rule would see; ``example_workspace`` is a store in
a temporary folder with every loaded model's examples (pass ``modules=[("name", PLUGIN)],
autoload=False`` to load only yours); ``drive`` runs the application headless at 80x24 and
hands a scenario the app and its Pilot.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable

from coordtui.domain.calendar import WorkCalendar
from coordtui.domain.model import Context, ModelSpec, Obligation, Organization, Rule
from coordtui.domain.records import Finding, Record
from coordtui.rules.engine import CheckResult, evaluate


def context_for(model: ModelSpec, records: Iterable[Record], as_of: date, *, settings: dict[str, Any] | None = None,
                calendar: WorkCalendar | None = None) -> Context:
    """A rule's view of ``records`` in a test organization ``o``, tracked from 2026-01-01 unless
    ``settings`` name another ``tracking_start``; ``settings`` are the organization's (model
    settings and core settings alike), over the model's defaults."""
    org = Organization(id="o", name="测试组织", model=model.id, settings={"tracking_start": "2026-01-01", **(settings or {})})
    by_kind: dict[str, list[Record]] = {}
    for record in records:
        by_kind.setdefault(record.kind, []).append(record)
    # An organization without the setting is tracked from the day it was created: here, 2026-01-01.
    return Context(org, model, lambda kind: by_kind.get(kind, []), calendar or WorkCalendar(), as_of, date(2026, 1, 1))


def run_check(model: ModelSpec, rules: Iterable[Rule], obligations: Iterable[Obligation], records: Iterable[Record], as_of: date,
              *, settings: dict[str, Any] | None = None, calendar: WorkCalendar | None = None) -> CheckResult:
    """The whole check over ``records``: ``.findings`` and ``.duties`` (each a ``DutyRow``:
    read them with ``DutyStatuses(result.duties)``)."""
    return evaluate(context_for(model, records, as_of, settings=settings, calendar=calendar), rules, obligations)


def check_records(model: ModelSpec, rules: Iterable[Rule], obligations: Iterable[Obligation], records: Iterable[Record], as_of: date,
                  *, rule: str | None = None, settings: dict[str, Any] | None = None, calendar: WorkCalendar | None = None) -> list[Finding]:
    """The findings of ``rules`` and ``obligations`` over ``records`` as of ``as_of`` (only ``rule``'s if given)."""
    ctx = context_for(model, records, as_of, settings=settings, calendar=calendar)
    wanted = None if rule is None else f"{model.id}.{rule}"
    return evaluate(ctx, rules, obligations, only=None if wanted is None else (lambda rid: rid == wanted)).findings


def example_workspace(folder: Path, **host_options: Any):
    """A store in ``folder`` holding every loaded model's bundled examples."""
    from coordtui.plugins import PluginHost
    from coordtui.store import Store
    from coordtui.workspace import Workspace

    ws = Workspace(Store(Path(folder) / "store", create=True), PluginHost(**host_options))
    ws.load_examples()
    return ws


def drive(ws, scenario: Callable[[Any, Any], Awaitable[None]], *, org_id: str | None = None, as_of: date | None = None,
          lang: str = "zh", size: tuple[int, int] = (80, 24)) -> None:
    """Run the application headless and ``await scenario(app, pilot)`` once the first check is done."""
    from coordtui.app import CoordApp

    async def main() -> None:
        app = CoordApp(ws, lang=lang, as_of=as_of, org_id=org_id)
        async with app.run_test(size=size) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())
