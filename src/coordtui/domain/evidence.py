"""What a model asks to be kept with its records (佐证材料要求): an activity its news draft,
a meeting its minutes, a pledge its signed scan.

Declared on :class:`~coordtui.domain.model.ModelSpec` (``evidence=[Evidence(...)]``); the
core judges it (see ``docs/plugins.md``, "Evidence"): a record that should carry the file
and does not is a finding, and where ``required_for_duty`` says so, the record does not
count toward any duty until it carries it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from coordtui.domain.records import Record, Severity

#: Every type an attachment may have (coordtui.attachments judges them by content).
TYPES = ("docx", "xlsx", "pdf", "doc", "xls", "wps", "et", "ofd", "jpg", "png")
DOCUMENTS = ("docx", "pdf", "doc", "wps", "ofd")
SCANS = ("pdf", "jpg", "png", "ofd")


@dataclass(frozen=True)
class Evidence:
    """A kind of record that must carry a file (佐证材料).

    :param kind: the kind of record (``activity``).
    :param what_zh / what_en: what the file is (``新闻稿`` / ``news draft``), in findings.
    :param types: the attachment types that count (``docx``, ``xlsx``, ``pdf``, ``doc``,
        ``wps``, ``et``, ``ofd``, ``jpg``, ``png``).
    :param keywords: when given, the file's title or name must contain one of them
        (``("新闻稿", "news")``): a photo of the activity is not its news draft.
    :param when: only records for which ``when(record)`` holds need the file (a pledge
        among the four documents, a problem once it is rectified); None: every record.
    :param date_field: the record's date from which the file is owed (default: the kind's
        ``partition_field``); records without that date, or dated before the organization's
        tracking start, are not judged.
    :param grace_days: calendar days after that date before a missing file is a finding.
    :param required_for_duty: once its grace days are over, the record counts toward its
        duties (a year's meetings) only while it carries the file.
    :param severity: of the finding (a warning unless the model says otherwise).
    :param rule: the rule id's last part (default ``evidence_<kind>``); findings carry
        ``<model>.<rule>``.
    """

    kind: str
    what_zh: str
    what_en: str
    types: tuple[str, ...] = DOCUMENTS
    keywords: tuple[str, ...] = ()
    when: Callable[[Record], bool] | None = None
    date_field: str | None = None
    grace_days: int = 0
    required_for_duty: bool = False
    severity: Severity = Severity.WARNING
    rule: str = ""

    def __post_init__(self) -> None:
        unknown = [t for t in self.types if t not in TYPES]
        if unknown or not self.types:
            raise ValueError(f"evidence for {self.kind!r}: types must be some of {', '.join(TYPES)} (not {unknown or 'none'})")
        if not (self.what_zh and self.what_en):
            raise ValueError(f"evidence for {self.kind!r}: say what the file is in both languages (what_zh, what_en)")
        if self.grace_days < 0:
            raise ValueError(f"evidence for {self.kind!r}: grace_days cannot be negative")

    def rule_id(self, model_id: str) -> str:
        return f"{model_id}.{self.rule or 'evidence_' + self.kind}"

    def applies(self, record: Record) -> bool:
        return self.when is None or bool(self.when(record))

    def owed_from(self, record: Record) -> date | None:
        """The day from which ``record`` owes the file (None: it has no such date)."""
        name = self.date_field or record.partition_field
        value = getattr(record, name, None) if name else None
        return value if isinstance(value, date) else None

    def met_by(self, files: list[Any]) -> bool:
        """Whether one of ``files`` (a record's attachments) is the evidence asked for."""
        for f in files:
            if f.type not in self.types:
                continue
            if not self.keywords or any(k.lower() in f"{f.title} {f.name}".lower() for k in self.keywords):
                return True
        return False
