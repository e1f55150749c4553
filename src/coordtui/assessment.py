"""The year at a glance (年度考核): per subject of the structure and per quarter, how many
duties fell due, how many were met on time, met late or are still open, and the on-time rate.

One computation over the workspace's check results (the same :class:`~coordtui.rules.engine.DutyRow`
statuses the dashboard, ``check`` and the exports show), used by the screen and by the
xlsx and docx exports, so the numbers cannot disagree.

Counting: a duty belongs to the quarter its deadline falls in, and counts once its deadline
has passed on the as-of date (``due < as_of``): then it is exactly one of met on time
(status ``met``), met late (``late``) or still open (``overdue``). A duty whose deadline has
not passed is not yet the subject's to answer for, met early or not.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Callable, Iterable

from coordtui.domain.model import DutyStatus, ModelSpec
from coordtui.rules.engine import DutyRow

if TYPE_CHECKING:
    from coordtui.workspace import Workspace

#: The level of duties that name no structure record (the organization itself, a task).
OTHER = "-"


@dataclass
class Tally:
    """Duties due, met on time, met late and still open."""

    due: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0

    def add(self, status: DutyStatus) -> None:
        self.due += 1
        if status is DutyStatus.MET:
            self.on_time += 1
        elif status is DutyStatus.LATE:
            self.late += 1
        else:
            self.open += 1

    def merge(self, other: "Tally") -> None:
        self.due += other.due
        self.on_time += other.on_time
        self.late += other.late
        self.open += other.open

    @property
    def rate(self) -> float | None:
        """On-time rate (按时完成率), 0..1; None when nothing fell due."""
        return self.on_time / self.due if self.due else None


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


@dataclass
class Line:
    """One subject (or one level's total, or the organization's) over the year."""

    kind: str
    id: str
    label: str
    level_zh: str
    level_en: str
    quarters: list[Tally] = field(default_factory=lambda: [Tally() for _ in range(4)])

    @property
    def year(self) -> Tally:
        total = Tally()
        for q in self.quarters:
            total.merge(q)
        return total

    def rates(self) -> list[float | None]:
        return [q.rate for q in self.quarters]


@dataclass
class Assessment:
    org_id: str
    org_name: str
    year: int
    as_of: date
    #: every subject, worst first
    subjects: list[Line]
    #: a total per level of the hierarchy (unit, group, zone ...), in the model's order of kinds
    levels: list[Line]
    total: Line


def counts(row: DutyRow, year: int) -> int | None:
    """The quarter (0..3) of ``year`` the duty counts in, or None."""
    due = row.duty.due
    if due.year != year or due >= row.as_of:
        return None
    return (due.month - 1) // 3


def _worst_first(line: Line) -> tuple:
    year = line.year
    return (year.rate is None, year.rate if year.rate is not None else 0.0, -year.open, -year.late, line.level_zh, line.label)


Subject = tuple[str, str]


def assess(rows: Iterable[DutyRow], model: ModelSpec, org_id: str, org_name: str, year: int, as_of: date,
           subjects_of: Callable[[DutyRow], list[tuple[Subject, str]]] | None = None) -> Assessment:
    """The assessment of ``org_id`` for ``year`` from its duty rows as of ``as_of``.

    ``subjects_of(row)`` names the structure subjects (with their labels) a duty counts for:
    the subject itself when it is one (a group, a zone), else those its record belongs to
    (an activity's group, a task's zones). A duty counts once in the organization's total
    and once for each of its subjects. Without it, each duty counts for the subject it names."""
    order = {cls.kind: n for n, cls in enumerate(model.kinds)}
    subjects: dict[Subject, Line] = {}
    levels: dict[str, Line] = {}
    total = Line("org", org_id, org_name, "全组织", "organization")
    for row in rows:
        if row.org != org_id:
            continue
        quarter = counts(row, year)
        if quarter is None:
            continue
        duty = row.duty
        total.quarters[quarter].add(row.status)
        if subjects_of is not None:
            named = subjects_of(row)
        elif duty.subject_kind in order and duty.subject_id:
            named = [((duty.subject_kind, duty.subject_id), duty.subject)]
        else:
            named = []
        if not named:
            named = [((OTHER, duty.subject), duty.subject)]
        for (kind, rid), label in named:
            if kind in order:
                cls = model.kind(kind)
                level_zh, level_en = cls.title_zh, cls.title_en
            else:
                level_zh, level_en = "其他", "other"
            line = subjects.get((kind, rid))
            if line is None:
                line = subjects[(kind, rid)] = Line(kind, rid, label, level_zh, level_en)
            line.quarters[quarter].add(row.status)
        for kind in {kind for (kind, _), _ in named}:
            level = levels.get(kind)
            if level is None:
                first = next(subjects[s].level_zh for s, _ in named if s[0] == kind)
                level = levels[kind] = Line(kind, "*", first, first, subjects[next(s for s, _ in named if s[0] == kind)].level_en)
            level.quarters[quarter].add(row.status)
    return Assessment(
        org_id, org_name, year, as_of,
        sorted(subjects.values(), key=_worst_first),
        sorted(levels.values(), key=lambda line: order.get(line.kind, len(order))),
        total,
    )


def structure_subjects(ws: "Workspace", org) -> Callable[[DutyRow], list[tuple[Subject, str]]]:
    """The structure subjects a duty counts for, as the organization's policy (``coordtui.api``
    scopes) relates records to the structure."""
    model = ws.model_of(org)
    policy = ws.policy(org)
    by_id: dict[str, dict[str, object]] = {}

    def record_of(kind: str, rid: str):
        if kind not in by_id:
            by_id[kind] = {r.id: r for r in ws.records(org, kind)}  # what the actor sees, like the duty itself
        return by_id[kind].get(rid)

    def structural(kind: str) -> bool:
        scope = model.scopes.get(kind)
        return scope is not None and scope.structure

    def label_of(subject: Subject) -> str:
        found = record_of(*subject)
        return found.label() if found is not None else subject[1]

    def subjects_of(row: DutyRow) -> list[tuple[Subject, str]]:
        duty = row.duty
        kind, rid = duty.subject_kind, duty.subject_id
        if not kind or not rid or kind not in model.kind_map:
            return []
        if structural(kind):
            return [((kind, rid), duty.subject)]
        record = record_of(kind, rid)
        if record is None:
            return []
        found = sorted(s for s in policy.subjects(kind, record) if structural(s[0]))
        return [(s, label_of(s)) for s in found]

    return subjects_of


def assessment(ws: "Workspace", org_id: str, year: int, as_of: date) -> Assessment:
    """The year at a glance of one organization as the workspace's actor sees it."""
    org = ws.org(org_id)
    result = ws.check(as_of, [org.id])
    return assess(result.duties, ws.model_of(org), org.id, org.name, year, as_of, structure_subjects(ws, org))


def table_rows(a: Assessment, lang: str = "zh") -> tuple[list[str], list[list]]:
    """Header and rows (levels' totals, then subjects worst first) for a sheet or a document."""
    from coordtui.i18n import t

    headers = [t(k, lang) for k in ("assess.col.level", "assess.col.subject")]
    headers += [f"Q{n}" for n in range(1, 5)]
    headers += [t(k, lang) for k in ("assess.col.due", "assess.col.on_time", "assess.col.late", "assess.col.open", "assess.col.rate")]
    rows = []
    for line in [a.total, *a.levels, *a.subjects]:
        year = line.year
        level = line.level_zh if lang == "zh" else line.level_en
        label = t("assess.total", lang, level=level) if line.id == "*" or line.kind == "org" else line.label
        rows.append([level, label, *(percent(r) for r in line.rates()), year.due, year.on_time, year.late, year.open, percent(year.rate)])
    return headers, rows


def chart_png(series: list[tuple[str, list[float | None]]], *, width: int = 960, height: int = 420) -> bytes:
    """The on-time rate per quarter as a PNG line chart (Pillow: python-docx takes PNG, not SVG).
    The legend's names are written in the document's caption, so the picture needs no CJK font."""
    from PIL import Image, ImageDraw, ImageFont

    colours = [(198, 40, 40), (21, 101, 192), (46, 125, 50), (142, 36, 170)]
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=18)
    left, right, top, bottom = 70, width - 30, 30, height - 50
    for pct in range(0, 101, 20):
        y = bottom - (bottom - top) * pct / 100
        draw.line([(left, y), (right, y)], fill=(220, 220, 220), width=1)
        draw.text((left - 10, y), f"{pct}%", fill="black", font=font, anchor="rm")
    xs = [left + (right - left) * (n + 0.5) / 4 for n in range(4)]
    for n, x in enumerate(xs):
        draw.text((x, bottom + 12), f"Q{n + 1}", fill="black", font=font, anchor="mt")
    draw.line([(left, top), (left, bottom), (right, bottom)], fill="black", width=2)
    for s, (_, rates) in enumerate(series):
        colour = colours[s % len(colours)]
        points = [(xs[n], bottom - (bottom - top) * r) for n, r in enumerate(rates) if r is not None]
        if len(points) > 1:
            draw.line(points, fill=colour, width=4 - s if s < 3 else 1)
        for x, y in points:
            radius = 7 - 2 * s if s < 3 else 2
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def xlsx_sheet(book, ws: "Workspace", org_id: str, year: int, as_of: date, sheet) -> None:
    """Add the year at a glance as one sheet (``sheet``: the exports' sheet writer)."""
    from coordtui.i18n import t

    headers, rows = table_rows(assessment(ws, org_id, year, as_of))
    sheet(book, t("assess.sheet", "zh", year=year), headers, [[str(v) if isinstance(v, str) else v for v in r] for r in rows])


def docx_section(document, ws: "Workspace", org_id: str, year: int, as_of: date, heading, body) -> None:
    """Append the year at a glance to a report: a heading, a sentence, the table and the chart."""
    from docx.shared import Cm

    from coordtui.i18n import t

    a = assessment(ws, org_id, year, as_of)
    heading(document, t("assess.title", "zh", year=year))
    year_total = a.total.year
    body(document, t("assess.sentence", "zh", year=year, as_of=as_of.isoformat(), due=year_total.due, on_time=year_total.on_time,
                     late=year_total.late, open=year_total.open, rate=percent(year_total.rate)))
    headers, rows = table_rows(a)
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = text
    for row in rows:
        for cell, value in zip(table.add_row().cells, row):
            cell.text = str(value)
    worst = a.subjects[0] if a.subjects else None
    series = [(a.org_name, a.total.rates())] + ([(worst.label, worst.rates())] if worst else [])
    document.add_picture(io.BytesIO(chart_png(series)), width=Cm(15))
    body(document, t("assess.caption", "zh", org=a.org_name, subject=worst.label if worst else "—"))
