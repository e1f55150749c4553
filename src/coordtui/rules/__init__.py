"""The rules layer: runs validators and obligations over one organization's records."""

from coordtui.rules.engine import CheckResult, DutyRow, evaluate, summarize

__all__ = ["CheckResult", "DutyRow", "evaluate", "summarize"]
