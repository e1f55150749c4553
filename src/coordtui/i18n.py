"""The message catalogue of the core (界面文字). Chinese by default, English on request.

Every interface string comes from here (models carry their own zh/en pairs), so a test
can check that both languages have every key.
"""

from __future__ import annotations

LANGS = ("zh", "en")

CATALOGUE: dict[str, tuple[str, str]] = {
    "app.title": ("纪检监察协作机制", "Inspection collaboration"),
    "as_of": ("截至", "as of"),
    "sev.error": ("错误", "error"),
    "sev.warning": ("警告", "warning"),
    "sev.info": ("提示", "info"),
    "check.none": ("截至 {as_of} 没有发现问题。", "No findings as of {as_of}."),
    "check.summary": ("合计：错误 {error} 项，警告 {warning} 项，提示 {info} 项", "Summary: errors {error}, warnings {warning}, info {info}"),
    "status.met": ("已完成", "met"),
    "status.late": ("逾期完成", "late"),
    "status.due": ("待办", "due"),
    "status.at_risk": ("临期", "at risk"),
    "status.overdue": ("已逾期", "overdue"),
    "nav.dashboard": ("总览", "Dashboard"),
    "nav.findings": ("问题清单", "Findings"),
    "nav.records": ("记录", "Records"),
    "nav.tree": ("组织架构", "Organization"),
    "nav.plugins": ("插件", "Plugins"),
    "nav.history": ("变更历史", "History"),
    "nav.help": ("帮助", "Help"),
    "nav.lang": ("中/英", "中/EN"),
    "nav.quit": ("退出", "Quit"),
    "nav.back": ("返回", "Back"),
    "nav.refresh": ("刷新", "Refresh"),
    "nav.as_of": ("日期", "As of"),
    "nav.org": ("切换组织", "Next org"),
    "nav.models": ("模型页面", "Model screens"),
    "dash.overdue": ("已逾期", "Overdue"),
    "dash.at_risk": ("临期", "At risk"),
    "dash.due_soon": ("14天内到期", "Due in 14 days"),
    "dash.met": ("已完成", "Met"),
    "dash.period": ("本期", "This period"),
    "dash.days_overdue": ("逾期{days}天", "{days} d overdue"),
    "dash.due_on": ("{due} 到期", "due {due}"),
    "dash.nothing": ("没有逾期或临期事项。", "Nothing overdue or at risk."),
    "dash.loaded_examples": ("首次启动：已载入示例组织 {orgs}", "First start: loaded the example organizations {orgs}"),
    "dash.no_orgs": ("库中没有组织。用 coordtui import 导入，或 coordtui init --examples 载入示例。", "No organizations. Import one with coordtui import, or load the examples with coordtui init --examples."),
    "col.status": ("状态", "Status"),
    "col.subject": ("对象", "Subject"),
    "col.what": ("事项", "Duty"),
    "col.period": ("期间", "Period"),
    "col.due": ("截止", "Due"),
    "col.since": ("逾期", "Overdue"),
    "col.rule": ("规则", "Rule"),
    "col.severity": ("级别", "Severity"),
    "col.message": ("内容", "Message"),
    "col.org": ("组织", "Organization"),
    "col.name": ("名称", "Name"),
    "col.version": ("版本", "Version"),
    "col.source": ("来源", "Source"),
    "col.models": ("模型", "Models"),
    "col.cause": ("原因", "Cause"),
    "col.when": ("时间", "When"),
    "col.user": ("用户", "User"),
    "col.op": ("操作", "Change"),
    "col.kind": ("类别", "Kind"),
    "col.count": ("数量", "Count"),
    "findings.group": ("分组", "Group by"),
    "asof.prompt": ("输入日期（YYYY-MM-DD）", "Enter a date (YYYY-MM-DD)"),
    "asof.bad": ("日期无效：请按 YYYY-MM-DD 输入，例如 2026-10-15", "Invalid date: write YYYY-MM-DD, for example 2026-10-15"),
    "error.title": ("出错了", "Something went wrong"),
    "ok": ("确定", "OK"),
    "cancel": ("取消", "Cancel"),
    "working": ("正在检查……", "Checking…"),
    "help.title": ("本页按键", "Keys on this screen"),
    "plugin.failed": ("插件 {name} 未加载：{cause}", "Plugin {name} is off: {cause}"),
}


def t(key: str, lang: str = "zh", **values: object) -> str:
    """The catalogue text for ``key`` in ``lang``, formatted with ``values``."""
    zh, en = CATALOGUE[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text
