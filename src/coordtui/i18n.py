"""The message catalogue of the core (界面文字). Chinese by default, English on request.

Every interface string comes from here (models carry their own zh/en pairs), so a test
can check that both languages have every key.
"""

from __future__ import annotations

from datetime import date, datetime

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
    "nav.calendar": ("日历", "Calendar"),
    "nav.export": ("导出", "Export"),
    "nav.lang": ("中/英", "中/EN"),
    "nav.quit": ("退出", "Quit"),
    "nav.back": ("返回", "Back"),
    "nav.refresh": ("刷新", "Refresh"),
    "nav.as_of": ("日期", "As of"),
    "nav.org": ("切换组织", "Next org"),
    "nav.models": ("模型页面", "Model screens"),
    "dash.overdue": ("已逾期", "Overdue"),
    "dash.at_risk": ("临期", "At risk"),
    "dash.due_soon": ("14天内到期", "Due ≤14 d"),
    "dash.met": ("已完成", "Met"),
    "dash.period": ("本期", "Period"),
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
    "key.dashboard": ("总览", "Dash"),
    "key.findings": ("问题", "Findings"),
    "key.records": ("记录", "Records"),
    "key.tree": ("架构", "Tree"),
    "key.history": ("历史", "History"),
    "key.calendar": ("日历", "Calendar"),
    "key.plugins": ("插件", "Plugins"),
    "key.models": ("模型页", "Model"),
    "key.as_of": ("日期", "Date"),
    "key.org": ("组织", "Org"),
    "key.lang": ("中/EN", "中/EN"),
    "key.refresh": ("刷新", "Refresh"),
    "key.export": ("导出", "Export"),
    "key.help": ("帮助", "Help"),
    "key.quit": ("退出", "Quit"),
    "key.sign_out": ("退出登录", "Sign out"),
    "key.back": ("返回", "Back"),
    "key.open": ("打开", "Open"),
    "key.subject": ("对象", "Subject"),
    "key.group": ("分组", "Group"),
    "key.filter": ("筛选", "Filter"),
    "key.new": ("新建", "New"),
    "key.kind": ("类别", "Kind"),
    "key.next_page": ("下页", "Next"),
    "key.prev_page": ("上页", "Prev"),
    "key.sort": ("排序", "Sort"),
    "key.save": ("保存", "Save"),
    "key.keep_mine": ("用我的", "Keep mine"),
    "key.take_theirs": ("用已保存的", "Take theirs"),
    "key.cancel": ("取消", "Cancel"),
    "key.close": ("关闭", "Close"),
    "demo.next": ("下一步", "Next"),
    "demo.back": ("上一步", "Back"),
    "plugin.failed": ("插件 {name} 未加载：{cause}", "Plugin {name} is off: {cause}"),
    "dash.checking": ("正在检查：{done}/{total} 个组织", "Checking: {done} of {total} organizations"),
    "dash.more_orgs": ("… 另有 {count} 个组织（逾期最多的列在上面；c 切换组织）", "… {count} more organizations (the most overdue are listed; c switches)"),
    "record.gone": ("{kind} {id}：记录不存在（可能已被他人删除）", "{kind} {id}: no such record (someone may have deleted it)"),
    "export.running": ("正在导出……", "Exporting…"),
    "export.done": ("已导出", "Exported"),
    "export.over_ssh": ("通过 SSH 使用时，导出请用命令获取（文件不会留在服务器上）：ssh 服务账户@服务器 export --org {org} --format xlsx > {org}.xlsx",
                        "over SSH, an export comes by command (no file is left on the server): ssh ACCOUNT@SERVER export --org {org} --format xlsx > {org}.xlsx"),
    "export.title": ("导出", "Export"),
    "export.xlsx": ("台账（Excel）", "Ledger (Excel)"),
    "export.docx": ("本季度工作报告（Word）", "This quarter's report (Word)"),
    "export.md": ("情况摘要（Markdown）", "Summary (Markdown)"),
    "export.ics": ("到期日历（ics）", "Deadline calendar (ics)"),
    "export.json": ("完整数据（json）", "All data (json)"),
    "model.no_screens": ("本模型没有专属页面", "This model has no screens of its own"),
    "demo.step": ("演示 {n}/{total}  {caption}", "Tour {n}/{total}  {caption}"),
    "serve.title": ("coordtui 协作机制", "coordtui"),
    "serve.demo_title": ("coordtui 演示", "coordtui demo"),
    "cal.title": ("{calendar} · {year}年{month}月", "{calendar} · {year}-{month:02d}"),
    "cal.provisional_year": ("本年节假日尚未公布：法定假日按放假办法推算，调休未知（可在 holidays.txt 补录）",
                             "official days not yet known: statutory holidays computed, adjusted workdays unknown (add them to holidays.txt)"),
    "cal.weekdays": ("一|二|三|四|五|六|日", "Mon|Tue|Wed|Thu|Fri|Sat|Sun"),
    "cal.adjusted_mark": (" 班", " wk"),
    "cal.holiday_mark": (" 休", " off"),
    "cal.adjusted": ("调休上班", "adjusted workday"),
    "cal.workday": ("工作日", "working day"),
    "cal.day_off": ("休息日", "day off"),
    "cal.provisional": (" · 推算", " · provisional"),
    "dash.examples_as_of": ("示例数据截至 {as_of}，按此日期打开（a 改日期）", "The examples' data is as of {as_of}: opened at that date (a changes it)"),
    "palette.placeholder": ("搜索命令（可用拼音首字母）…", "Search for commands…"),
    "history.placeholder": ("按记录编号或用户筛选", "filter by record id or user"),
    "tree.placeholder": ("筛选：中文、拼音首字母或编号", "filter: Chinese, pinyin initials or id"),
    "op.put": ("保存", "saved"),
    "op.create": ("新建", "created"),
    "op.update": ("修改", "changed"),
    "op.delete": ("删除", "deleted"),
    "op.restore": ("恢复", "restored"),
    "op.refused": ("拒绝", "refused"),
    "op.move-out": ("移出", "moved out"),
    "form.field_problem": ("{field}：{problem}", "{field}: {problem}"),
    "form.future": ("{field} {day} 晚于今天（{today}）：确认无误请再按 Ctrl+S 保存", "{field} {day} is after today ({today}): Ctrl+S again saves it as it is"),
    "form.unsaved": ("有未保存的修改：再按 Esc 放弃，Ctrl+S 保存", "Unsaved changes: Esc again discards them, Ctrl+S saves"),
    "records.sorted": ("按「{column}」排序（o 换下一列）", "sorted by {column} (o: next column)"),
    "records.unsorted": ("按编号排序（o 按下一列排序）", "sorted by id (o: sort by the next column)"),
    "filter.placeholder": ("筛选（/）", "filter (/)"),
    "findings.group_heading": ("── {name}（{count}）", "── {name} ({count})"),
    "records.status": ("共 {count} 条 · 第 {page}/{pages} 页", "{count} records · page {page}/{pages}"),
    "form.id": ("编号", "ID"),
    "form.edit": ("编辑", "Edit"),
    "form.new": ("新建", "New"),
    "form.choose": ("请选择", "Choose"),
    "form.yes": ("是", "yes"),
    "form.not_saved": ("未保存", "Not saved"),
    "form.saved": ("已保存", "Saved"),
    "form.saving": ("正在保存……", "Saving…"),
    "form.still_saving": ("正在保存，请稍候（Esc 可离开本页，保存照常完成）", "Still saving: please wait (Esc leaves the form; the save goes on)"),
    "form.id_taken": ("{org} 已有编号为 {id} 的{kind}（可能是他人刚刚新建的）：请修改编号后再保存，本次未写入",
                      "{org} already has a {kind} with id {id} (perhaps someone just created it): change the id and save again; nothing was written"),
    "form.save_failed": ("保存失败，未写入任何内容（{error}）：请将此信息报告给维护者",
                         "The save failed and nothing was written ({error}): please report this to the maintainers"),
    "form.conflict_closed": ("{label} 未保存：{problem}", "{label} was not saved: {problem}"),
    "check.failed": ("检查未能完成（{error}）：请将此信息报告给维护者", "The check could not finish ({error}): please report this to the maintainers"),
    "conflict.changed": ("您打开后，{org}的{kind}“{label}”已被 {by} 于 {at} 修改（您的版本 {rev}，现为 {have}）：请对照两个版本后再保存",
                         "{kind} '{label}' of {org} was changed by {by} at {at} since you opened it (your revision {rev}, now {have}): compare both versions and save again"),
    "conflict.deleted": ("您打开后，{org}的{kind}“{label}”已被删除：可用我的版本重新保存，或取消",
                         "{kind} '{label}' of {org} was deleted since you opened it: keep mine to save it again, or cancel"),
    "conflict.empty": ("（空）", "(empty)"),
    "conflict.no": ("否", "no"),
    "conflict.title": ("修订冲突", "Edit conflict"),
    "conflict.row": ("{field}:\n  我的:   {mine}\n  已保存: {theirs}", "{field}:\n  mine:   {mine}\n  theirs: {theirs}"),
    "conflict.keep_mine": ("用我的覆盖 (m)", "Keep mine (m)"),
    "conflict.take_theirs": ("采用已保存的 (t)", "Take theirs (t)"),
    "conflict.cancel": ("取消 (Esc)", "Cancel (Esc)"),
    "remind.overdue": ("{subject}：{what}已逾期{days}天（应于{due}前）{count}", "{subject}: {what} {days} days overdue (due by {due}){count}"),
    "remind.at_risk": ("{subject}：{what}将于{due}到期，还剩{days}天{count}", "{subject}: {what} falls due on {due}, {days} days left{count}"),
    "remind.tomorrow": ("{subject}：{what}明天（{due}）到期{count}", "{subject}: {what} falls due tomorrow ({due}){count}"),
    "remind.count": ("，尚差{missing}{unit}", "; {missing}{unit} still missing"),
    "remind.provisional": ("（截止日期为推算）", " (deadline provisional)"),
    "remind.subject": ("【到期提醒】截至{as_of}：已逾期{overdue}项，临期{at_risk}项", "[coordtui] As of {as_of}: {overdue} overdue, {at_risk} falling due"),
    "remind.greeting": ("{name}同志：\n截至{as_of}，您负责范围内以下事项需要办理：", "{name},\nas of {as_of}, these duties within your scope need attention:"),
    "remind.footer": ("请及时办理。（本提醒由 coordtui 纪检监察协作机制自动发送）", "Please see to them. (Sent by coordtui.)"),
    "remind.dry_run_head": ("—— 发给 {name}（{channels}）——", "--- to {name} ({channels}) ---"),
    "remind.sent": ("已发送：{name}，{channel} {address}，{lines}项", "sent: {name}, {channel} {address}, {lines} item(s)"),
    "remind.failed": ("发送失败：{name}，{channel} {address}：{error}（已记入历史，下次运行时重发）",
                      "not sent: {name}, {channel} {address}: {error} (kept in the history; the next run tries again)"),
    "remind.already": ("今天已发送过：{name}，{channel}，无新事项", "already sent today: {name}, {channel}, nothing new"),
    "remind.summary": ("合计：{people}人有待提醒事项，发送{sent}条，失败{failed}条，今天已发送过{skipped}条",
                       "Summary: {people} person(s) with duties to remind, {sent} sent, {failed} failed, {skipped} already sent today"),
    "remind.none": ("截至{as_of}，没有需要提醒的人员（有联系方式且有逾期、临期或明天到期事项的人员）。",
                    "As of {as_of}, nobody to remind (a person with a contact point and duties overdue, falling due, or due tomorrow)."),
    "remind.sep": ("，", ", "),
    "remind.channel.email": ("邮件", "e-mail"),
    "remind.channel.webhook": ("群机器人", "webhook"),
    "feed.calname": ("{name}的到期事项", "{name}'s deadlines"),
    "feed.overdue": ("（已逾期）", " (overdue)"),
    "feed.issued": ("{name} 的日历订阅地址（仅显示这一次，请直接交给本人）：{path}\n撤销：coordtui users feed {name} --revoke",
                    "{name}'s calendar feed (shown this once: give it to them directly): {path}\nrevoke it with: coordtui users feed {name} --revoke"),
    "feed.revoked": ("{name} 的日历订阅已撤销，原地址不再可用", "{name}'s calendar feed is revoked: its address no longer works"),
    "assess.col.level": ("层级", "Level"),
    "assess.col.subject": ("对象", "Subject"),
    "assess.col.due": ("应办", "Due"),
    "assess.col.on_time": ("按时完成", "On time"),
    "assess.col.late": ("逾期完成", "Late"),
    "assess.col.open": ("未完成", "Open"),
    "assess.col.rate": ("按时完成率", "On-time rate"),
    "assess.total": ("{level}合计", "All {level}"),
    "assess.sheet": ("{year}年度考核", "Assessment {year}"),
    "assess.title": ("{year}年度考核", "The year {year} at a glance"),
    "assess.sentence": ("{year}年截至{as_of}，到期事项{due}项，按时完成{on_time}项，逾期完成{late}项，尚未完成{open}项，按时完成率{rate}。",
                        "In {year} up to {as_of}: {due} duties fell due, {on_time} met on time, {late} late, {open} still open; on-time rate {rate}."),
    "assess.caption": ("图：各季度按时完成率（红：{org}；蓝：{subject}）", "Chart: on-time rate per quarter (red: {org}; blue: {subject})"),
    "assess.heading": ("{org} · 年度考核 · {year}年 · 截至 {as_of}", "{org} · Year at a glance · {year} · as of {as_of}"),
    "assess.chart": ("按时完成率（%）", "On-time rate (%)"),
    "assess.whole": ("全组织", "Organization"),
    "assess.none": ("{year}年截至{as_of}没有到期事项。", "Nothing fell due in {year} up to {as_of}."),
    "nav.assessment": ("年度考核", "Year at a glance"),
    "key.assessment": ("考核", "Year"),
    "key.prev_year": ("上年", "Prev year"),
    "key.next_year": ("下年", "Next year"),
}


def t(key: str, lang: str = "zh", **values: object) -> str:
    """The catalogue text for ``key`` in ``lang``, formatted with ``values``."""
    zh, en = CATALOGUE[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def day(value: date | datetime | str | None, lang: str = "zh") -> str:
    """A date as a person reads it (日期显示): ``2026年10月15日`` in Chinese, ``2026-10-15``
    (ISO, as typed in the inputs) in English; "" for None. A string that is not an ISO date is
    returned as it is. The one helper for every date on a screen; inputs and exports keep ISO."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


def moment(value: datetime | None, lang: str = "zh") -> str:
    """A time of day as a person reads it: ``2026年10月15日 18:24`` / ``2026-10-15 18:24``.
    Give it in the office's time zone (``ws.clock.local(stamp)``)."""
    if value is None:
        return ""
    return f"{day(value, lang)} {value:%H:%M}"


def stamp(value: object, lang: str, clock) -> str:  # noqa: ANN001 - an OfficeClock
    """A stored instant (UTC, ISO 8601) in the office's time zone, as :func:`moment` writes it;
    what does not parse is returned as it is."""
    try:
        return moment(clock.local(str(value)), lang)
    except (TypeError, ValueError):
        return "" if value is None else str(value)
