"""The message catalogue of the core (界面文字). Chinese by default, English on request.

Every interface string comes from here (models carry their own zh/en pairs), so a test
can check that both languages have every key.
"""

from __future__ import annotations

import re
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
    "dash.deadlines": ("限期", "Deadlines"),
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
    "key.more": ("更多", "More"),
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
    "dash.org_checking": ("检查中……", "being checked…"),
    "dash.checking_rest": ("其余组织检查中：已完成 {done}/{total} 个", "Checking the other organizations: {done} of {total} done"),
    "dash.more_orgs": ("… 另有 {count} 个组织（逾期最多的列在上面；c 切换组织）", "… {count} more organizations (the most overdue are listed; c switches)"),
    "record.gone": ("{kind} {id}：记录不存在（可能已被他人删除）", "{kind} {id}: no such record (someone may have deleted it)"),
    "export.running": ("正在导出……", "Exporting…"),
    "export.done": ("已导出", "Exported"),
    "export.over_ssh": ("通过 SSH 使用时，导出请用命令获取（文件不会留在服务器上）：ssh 服务账户@服务器 export --org {org} --format xlsx > {org}.xlsx",
                        "over SSH, an export comes by command (no file is left on the server): ssh ACCOUNT@SERVER export --org {org} --format xlsx > {org}.xlsx"),
    "export.title": ("导出", "Export"),
    "export.xlsx": ("台账（Excel）", "Ledger (Excel)"),
    "export.docx": ("本季度工作报告（Word）", "This quarter's report (Word)"),
    "export.archive": ("本年度台账资料（zip：台账、工作报告、目录和全部附件）", "This year's archive (zip: ledger, report, index and every attachment)"),
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
    "history.verifying": ("（正在核验变更历史……）", "(verifying the history...)"),
    "tree.placeholder": ("筛选：中文、拼音首字母或编号", "filter: Chinese, pinyin initials or id"),
    "op.put": ("保存", "saved"),
    "op.create": ("新建", "created"),
    "op.update": ("修改", "changed"),
    "op.delete": ("删除", "deleted"),
    "op.restore": ("恢复", "restored"),
    "op.refused": ("拒绝", "refused"),
    "op.move-out": ("移出", "moved out"),
    "op.attach": ("添加附件", "attached"),
    "op.detach": ("移除附件", "detached"),
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
    "remind.overdue_one_day": ("{subject}：{what}已逾期{days}天（应于{due}前）{count}", "{subject}: {what} {days} day overdue (due by {due}){count}"),
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
    "out.store_ready": ("数据存储已就绪：{root}（办公时区 {tz}）", "store ready at {root} (office time zone {tz})"),
    "out.sealed_with": ("其变更历史用 {path} 封印：请给 {group} 的每位成员一份副本（权限 0640），放在各自的 ~/.config/coordtui/keys/ 中",
                        "its history is sealed with {path}: give each member of {group} a copy (0640), kept in their own ~/.config/coordtui/keys/"),
    "out.loaded_examples": ("已载入 {count} 个示例组织：{orgs}", "loaded {count} example organization(s): {orgs}"),
    "out.none": ("无", "none"),
    "out.timezone": ("办公时区：{tz}（当地今天：{today}）", "office time zone: {tz} (today there: {today})"),
    "out.wrote": ("已写入 {path}", "wrote {path}"),
    "out.scaffolded": ("已创建 {project}\n下一步：pip install -e {project} && coordtui plugins", "created {project}\nnext: pip install -e {project} && coordtui plugins"),
}


def t(key: str, lang: str = "zh", **values: object) -> str:
    """The catalogue text for ``key`` in ``lang``, formatted with ``values``."""
    zh, en = CATALOGUE[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


# Evidence kept with a record (佐证材料): the list of a record's attachments, its keys and dialogs.
CATALOGUE.update({
    "key.attach": ("添加附件", "Attach file"),
    "key.export_attachment": ("导出附件", "Export file"),
    "key.detach": ("删除附件", "Remove file"),
    "key.detail": ("详情", "Details"),
    "key.edit": ("编辑", "Edit"),
    "key.yes": ("是", "Yes"),
    "key.no": ("否", "No"),
    "att.heading": ("附件（佐证材料）：{count} 件", "Attachments (evidence): {count}"),
    "att.count": ("附件 {count} 件", "{count} file(s) attached"),
    "att.none": ("暂无附件（Ctrl+O 添加）", "No attachments yet (Ctrl+O attaches one)"),
    "att.new_record": ("新建的记录保存后才能添加附件", "A new record takes attachments once it is saved"),
    "att.col.title": ("标题", "Title"),
    "att.col.name": ("文件名", "File"),
    "att.col.type": ("类型", "Type"),
    "att.col.size": ("大小", "Size"),
    "att.col.added": ("添加日期", "Added"),
    "att.date": ("{year}年{month}月{day}日", "{year}-{month:02d}-{day:02d}"),
    "att.add_title": ("添加附件：{record}", "Attach a file to {record}"),
    "att.path": ("文件路径", "File path"),
    "att.path_hint": ("例如 ~/文档/新闻稿.docx", "for example ~/Documents/news.docx"),
    "att.title": ("标题（可不填）", "Title (optional)"),
    "att.title_hint": ("不填则用文件名", "the file name when left empty"),
    "att.not_found": ("{path}：找不到该文件（或它是文件夹）：请检查路径", "{path}: no such file (or it is a folder): check the path"),
    "att.path_missing": ("请输入要添加的文件的路径", "Enter the path of the file to attach"),
    "att.add_keys": ("Enter 添加 · Esc 取消", "Enter attaches · Esc cancels"),
    "att.working": ("正在添加附件……", "Attaching…"),
    "att.attached": ("已添加附件", "Attached"),
    "att.exported": ("已导出附件", "Exported"),
    "att.removed": ("已删除附件", "Removed"),
    "att.sent": ("附件已发送到浏览器的下载", "The file went to the browser's downloads"),
    "att.nothing": ("本记录没有附件", "This record has no attachments"),
    "att.confirm_title": ("删除附件", "Remove an attachment"),
    "att.confirm": ("从“{record}”删除附件“{title}”（{name}）？添加和删除都记入变更历史。",
                    "Remove “{title}” ({name}) from {record}? Adding and removing are both kept in the history."),
    "att.yes": ("删除 (y)", "Remove (y)"),
    "att.no": ("取消 (n)", "Cancel (n)"),
    "att.save_first": ("{record} 尚未保存：请先按 Ctrl+S 保存记录，再添加附件",
                       "{record} is not saved yet: save it with Ctrl+S first, then attach files"),
    "att.add_over_ssh": ("通过 SSH 使用时，服务器上没有您的文件：请用命令上传附件：ssh 服务账户@服务器 attach {org} {kind} {id} --name 文件名 < 文件",
                         "over SSH your files are not on the server: attach one by command: ssh ACCOUNT@SERVER attach {org} {kind} {id} --name NAME < FILE"),
    "att.export_over_ssh": ("通过 SSH 使用时，附件请用命令获取（文件不会留在服务器上）：ssh 服务账户@服务器 attachment {org} {kind} {id} {digest} > {name}",
                            "over SSH, an attachment comes by command (no file is left on the server): ssh ACCOUNT@SERVER attachment {org} {kind} {id} {digest} > {name}"),
    "att.upload_opened": ("已在浏览器的新标签页打开上传页面（若被浏览器拦截，请打开本站的 {url}）：上传后按 Ctrl+R 刷新本页",
                          "The upload page opened in a new browser tab (if the browser held it back, open {url} on this site): after the upload, Ctrl+R refreshes this screen"),
    "att.failed": ("附件操作失败，未写入任何内容（{error}）：请将此信息报告给维护者",
                   "the attachment was not changed ({error}): report this to the maintainers"),
    "att.cannot_write": ("{folder}：无法写入（{error}）：请检查该文件夹的权限",
                         "{folder}: cannot write ({error}): check the folder's permissions"),
    "att.os.access": ("没有写入权限", "permission denied"),
    "att.os.exists": ("该位置已有同名文件，不是文件夹", "a file of that name is in the way"),
    "att.os.space": ("磁盘空间或配额不足", "no space left"),
    "att.os.read_only": ("文件系统只读", "read-only file system"),
    "att.os.link": ("路径中有符号链接", "a symbolic link is in the way"),
    "att.os.other": ("系统拒绝写入", "the system refused the write"),
    "detail.title": ("{kind}详情", "{kind} details"),
})


# What the command line's commands say they did (命令输出), one language at a time.
CATALOGUE.update({
    "out.stdin": ("<标准输入>", "<standard input>"),
    "out.first_admin": ("coordtui：{root} 中原来没有人员：其所有者 {name} 现为管理员（用 coordtui users add 添加其他人员）",
                        "coordtui: {root} had no people: {name}, who owns it, is now its administrator (add others with 'coordtui users add')"),
    "out.source.entry": ("入口点 {where}", "entry point {where}"),
    "out.source.folder": ("目录 {where}", "folder {where}"),
    "out.setting_default": ("{value}（默认）", "{value} (default)"),
    "out.setting_unset": ("（未设置）", "(not set)"),
    "out.import": ("{source}：{org}：有效 {rows} 行；新建 {created}，更新 {updated}，未变 {unchanged}，删除 {deleted}",
                   "{source}: {org}: {rows} rows valid; created {created}, updated {updated}, unchanged {unchanged}, deleted {deleted}"),
    "out.import_dry": ("{source}：{org}：有效 {rows} 行；将新建 {created}，更新 {updated}，未变 {unchanged}，删除 {deleted}",
                       "{source}: {org}: {rows} rows valid; would create {created}, updated {updated}, unchanged {unchanged}, deleted {deleted}"),
    "out.nothing_written": ("未写入任何内容（--dry-run）", "nothing written (--dry-run)"),
    "out.restored": ("已用备份 {backup} 恢复 {target}；损坏的文件保留为 {aside}",
                     "restored {target} from {backup}; the broken file is kept as {aside}"),
    "out.restored_lines": ("已将 {target} 恢复为其中仍能通过封印核验的最新版本（其损坏的那一行之前追加的各次保存）；损坏的文件保留为 {aside}",
                           "restored {target} to the newest version its own lines still verify (the saves appended before its broken line); "
                           "the broken file is kept as {aside}"),
    "out.verify_note": ("注意：{note}", "note: {note}"),
    "out.verify_broken": ("{root}：变更历史已损坏：{problems} 处问题", "{root}: the history is broken: {problems} problem(s)"),
    "out.verify_missing": ("{root}：{files} 个附件中有 {missing} 个缺失或被改动", "{root}: {missing} of {files} attachment(s) are missing or altered"),
    "out.verify_intact": ("{root}：变更历史完好（已核对 {entries} 项变更；{files} 个附件与其 SHA-256 相符）",
                          "{root}: the history is intact ({entries} changes checked; {files} attachment(s) match their SHA-256)"),
    "out.plugin": ("{name}  {version}  模型：{models}  [{status}]\n    来源 {source}", "{name}  {version}  models: {models}  [{status}]\n    from {source}"),
    "out.plugin_ok": ("已加载", "ok"),
    "out.plugin_failed": ("加载失败：{cause}", "failed: {cause}"),
    "out.no_plugins": ("没有找到插件", "no plugins found"),
    "out.serve_setting": ("{setting}：{value}（正在运行的 coordtui serve 立即生效）", "{setting}: {value} (a running 'coordtui serve' follows at once)"),
    "out.users_none": ("{root} 中没有人员：请用 coordtui users add 添加", "no people in {root}: add one with 'coordtui users add'"),
    "out.user_added": ("已添加 {person}", "added {person}"),
    "out.user_removed": ("已删除 {name}", "removed {name}"),
    "out.user_granted": ("已授权：{person}", "granted: {person}"),
    "out.user_revoked": ("已收回授权：{person}", "revoked: {person}"),
    "out.user_changed": ("已修改：{person}", "changed: {person}"),
    "out.users_synced": ("已同步", "synchronized"),
    "out.password_prompt": ("{name} 的新密码：", "new password for {name}: "),
    "out.password_again": ("再输入一次：", "again: "),
    "out.password_cleared": ("{name} 现在没有密码", "{name} has no password now"),
    "out.password_set": ("{name} 可用新密码登录 coordtui serve", "{name} may sign in to 'coordtui serve' with the new password"),
    "out.links_revoked": ("已收回 {name} 的 {count} 个登录链接", "revoked {count} link(s) of {name}"),
    "out.link_issued": ("此链接只能用一次，有效至 {until}（UTC）；只交给 {name} 本人（它以其身份登录）",
                        "works once, until {until} UTC; give it to {name} only (it signs in as them)"),
    "out.keys_later": ("；SSH 密钥在数据存储所有者下次运行 coordtui users 命令（例如 users sync）时生效",
                       "; SSH keys take effect when the store's owner next runs a 'coordtui users' command (for example 'users sync')"),
    "out.keys_updated": ("；已更新 {path}", "; {path} updated"),
})


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


#: The command line's help (命令行帮助), by key: ``cli.COMMAND`` (a subcommand's line in
#: ``coordtui --help`` and its own description), ``cli.COMMAND.DEST`` (one of its arguments; a
#: nested command is ``cli.users.add``, ``cli.users.add.key``), else ``cli.opt.DEST`` (an option
#: many commands share). ``cli.localize_parser`` applies them; a subcommand or argument without
#: an entry keeps its English ``help=`` in English and fails tests/test_cli_lang.py in Chinese.
CLI_HELP: dict[str, tuple[str, str]] = {
    "cli": ("纪检监察协作机制：在终端中处理协作机制的记录、检查与报表。", "Collaboration mechanisms in discipline inspection, in a terminal."),
    "cli.opt.help": ("显示本帮助并退出", "show this help message and exit"),
    "cli.opt.version": ("显示版本号并退出", "show the version and exit"),
    "cli.opt.db": ("数据存储目录（默认：COORDTUI_DB 或用户数据目录）", "store folder (default: COORDTUI_DB or the user data folder)"),
    "cli.opt.plugin_dir": ("另外加载放在此目录中的模型", "also load models dropped in this folder"),
    "cli.opt.lang": ("界面语言（zh 中文，en 英文）", "interface language (zh Chinese, en English)"),
    "cli.opt.format": ("输出格式", "output format"),
    "cli.opt.org": ("组织编号", "the organization's id"),
    "cli.opt.as_of": ("按此日期判断（默认：今天）", "judge as of this day (default: today)"),
    "cli.opt.name": ("人员的登录名", "the person's login name"),
    "cli.opt.role": ("角色：admin 管理员，editor 编辑，reader 只读", "role: admin, editor or reader"),
    "cli.org": ("打开应用时显示此组织", "open the application on this organization"),
    "cli.as_of": ("打开应用时的截至日期", "open the application as of this day"),
    "cli.as_name": ("以数据存储中此人员的身份操作（仅限数据存储所属的账户）", "act as this person of the store (only for the account that owns the store)"),
    "cli.command": ("子命令（不带子命令则打开应用）", "subcommand (none opens the application)"),
    "cli.init": ("创建数据存储", "create a store"),
    "cli.init.examples": ("载入各模型自带的示例组织", "load every model's bundled example organizations"),
    "cli.init.timezone": ("办公时区，IANA 名称（默认 Asia/Shanghai）：决定“今天”是哪一天", "the office's time zone, an IANA name (default Asia/Shanghai): what 'today' is"),
    "cli.init.group": ("由此操作系统用户组成员共用的数据存储：目录 setgid，文件 0660（默认：私有，0700/0600）",
                       "a store shared by this OS group's members: setgid folders, files 0660 (default: private, 0700/0600)"),
    "cli.config": ("查看或修改数据存储的设置：config timezone [时区]、config smtp.host [主机] ……",
                   "show or change a store-wide setting: 'config timezone [NAME]', 'config smtp.host [HOST]' ..."),
    "cli.config.setting": ("timezone：办公时区（IANA 名称），“今天”由它决定；smtp.*：发送提醒所用的邮件服务器（smtp.starttls 填 yes/no；"
                           "smtp.password-file：存放密码的 0600 文件）；serve.*：浏览器空闲分钟数（30）、每人会话数（3）与会话总数（30）、每个会话的标签页数（3）",
                           "timezone: the office's time zone (IANA name), from which 'today' comes; smtp.*: the mail server "
                           "reminders go through (smtp.starttls yes/no; smtp.password-file: a 0600 file holding the password); "
                           "serve.*: the browser's idle minutes (30), sessions per person (3) and in all (30), tabs per session (3)"),
    "cli.config.value": ("新的值（省略则显示当前值）", "the new value (omit it to show the current one)"),
    "cli.import": ("导入 coordtui/1 JSON 文件，或把 xlsx/csv 中某一类别的行导入 --org 指定的组织（要么全部导入，要么都不导入）",
                   "import coordtui/1 JSON files, or xlsx/csv rows of a kind into --org (all or nothing)"),
    "cli.import.files": ("要导入的文件；- 表示从标准输入读取一个 coordtui/1 JSON 文档", "files to import; - reads one coordtui/1 JSON document from standard input"),
    "cli.import.org": ("xlsx/csv 的行导入到此组织", "the organization xlsx/csv rows go into"),
    "cli.import.kind": ("csv 文件（或只有一个工作表的 xlsx）中各行的类别", "the kind of a csv file's rows (or of a one-sheet xlsx)"),
    "cli.import.replace": ("使各组织与文件完全一致（删除文件中没有的记录）", "make each organization exactly as the file says (delete what the file lacks)"),
    "cli.import.dry_run": ("只校验并显示将发生的变化，不写入任何内容", "validate and show what would change, write nothing"),
    "cli.export": ("导出一个组织：json、xlsx 台账、docx 报告、某一类别的 csv、md 摘要、ics 日历、archive 台账资料",
                   "export one organization: json, xlsx ledger, docx report, csv of a kind, md summary, ics calendar, archive"),
    "cli.export.format": ("输出格式；archive：一个 ZIP 压缩包，内含该期间的台账、工作报告、目录（目录.xlsx）和全部附件（台账资料）",
                          "output format; archive: one zip of the period's ledger, work report, index and every attachment"),
    "cli.attach": ("把一个文件作为佐证材料附于记录：DOCX、XLSX、PDF、DOC/WPS、OFD、JPG 或 PNG；- 表示从标准输入读取",
                   "keep a file with a record as its evidence: docx, xlsx, pdf, doc/wps, ofd, jpg or png; - reads standard input"),
    "cli.attach.org": ("组织编号", "the organization's id"),
    "cli.attach.kind": ("记录的类别", "the record's kind"),
    "cli.attach.id": ("记录编号", "the record's id"),
    "cli.attach.file": ("文件；- 或省略表示从标准输入读取（此时须给出 --name）", "the file; - or nothing reads standard input (then --name is needed)"),
    "cli.attach.name": ("保存的文件名（默认：文件本身的名称）", "the file's name as kept (default: FILE's own name)"),
    "cli.attach.title": ("显示的标题（默认：去掉扩展名的文件名）", "the title shown (default: the name without its extension)"),
    "cli.attachments": ("列出记录附有的文件", "list the files kept with a record"),
    "cli.attachments.org": ("组织编号", "the organization's id"),
    "cli.attachments.kind": ("记录的类别", "the record's kind"),
    "cli.attachments.id": ("记录编号", "the record's id"),
    "cli.detach": ("从记录上移除一个文件（按 SHA-256、其前 8 位以上或文件名）", "take a file off a record (by its SHA-256, a prefix of 8 or more, or its file name)"),
    "cli.detach.org": ("组织编号", "the organization's id"),
    "cli.detach.kind": ("记录的类别", "the record's kind"),
    "cli.detach.id": ("记录编号", "the record's id"),
    "cli.detach.key": ("文件名或 SHA-256", "the file's name or SHA-256"),
    "cli.attachment": ("取出记录附有的一个文件（按文件名或 SHA-256）", "write one of a record's files out (by file name or SHA-256)"),
    "cli.attachment.org": ("组织编号", "the organization's id"),
    "cli.attachment.kind": ("记录的类别", "the record's kind"),
    "cli.attachment.id": ("记录编号", "the record's id"),
    "cli.attachment.key": ("文件名或 SHA-256", "the file's name or SHA-256"),
    "cli.attachment.out": ("写到此文件；- 表示标准输出（默认：当前目录下的原文件名；通过 SSH 时总是标准输出）",
                           "where to write it; - for standard output (default: its own file name, here; over SSH always standard output)"),
    "cli.export.period": ("报告的期间：2026Q3、2026H1、2026 或 2026-09（默认：本季度）", "the report's period: 2026Q3, 2026H1, 2026 or 2026-09 (default: the current quarter)"),
    "cli.export.kind": ("csv 所含的类别", "the kind a csv holds"),
    "cli.export.as_of": ("按此日期判断各项事项（默认：今天）", "judge duties as of this day (default: today)"),
    "cli.export.out": ("写到此文件；- 表示标准输出（xlsx 与 docx 默认写到 组织[-期间].格式；文本格式默认写到标准输出）",
                       "write here; - for standard output (xlsx and docx default to ORG[-PERIOD].FORMAT; text formats to standard output)"),
    "cli.check": ("运行全部规则并列出发现的问题", "run every rule and list the findings"),
    "cli.check.org": ("只检查此组织（可重复）", "only this organization (repeatable)"),
    "cli.remind": ("告诉每位留有邮箱或群机器人地址的人员：其负责范围内哪些事项已逾期、临期或明天到期",
                   "tell each person with an e-mail or webhook what is overdue, falling due or due tomorrow in their scope"),
    "cli.remind.as_of": ("按此日期提醒（默认：办公时区的今天）", "the day to remind as of (default: today in the office)"),
    "cli.remind.dry_run": ("只显示每条消息而不发送（不作记录）", "print every message instead of sending it (nothing is recorded)"),
    "cli.plugins": ("列出插件、其提供的内容以及是否已加载", "list the plugins, what they provide and whether they loaded"),
    "cli.plugin": ("开发模型插件：plugin new 名称 生成一个插件骨架", "work on model plugins: 'plugin new NAME' scaffolds one"),
    "cli.plugin.plugin_command": ("操作", "action"),
    "cli.plugin.new": ("生成一个可运行的模型包（一个类别、一条规则、一个示例、一个测试）", "scaffold a working model package (one kind, one rule, one fixture, one test)"),
    "cli.plugin.new.name": ("插件名称", "the plugin's name"),
    "cli.plugin.new.dir": ("在此目录中创建（默认：当前目录）", "where to create it (default: here)"),
    "cli.restore": ("用最近一份完好的备份恢复数据存储中的某个文件（损坏的文件另行保留）",
                    "put a store file back from its newest good backup (the broken one is kept aside)"),
    "cli.restore.file": ("错误信息中指出的存储文件，相对于数据存储目录", "the store file the error message named, relative to the store folder"),
    "cli.restore.db": ("数据存储目录", "store folder"),
    "cli.restore.plugin_dir": ("另外加载放在此目录中的模型（恢复的是其中记录符合这些模型的最近一份备份）",
                               "also load models dropped in this folder (the backup restored is the newest whose records fit them)"),
    "cli.verify": ("按封印核对每份变更历史，按历史核对每个数据文件（有损坏时退出状态为 1）",
                   "check every history log against its seals and every data file against its log (exit 1 when broken)"),
    "cli.verify.db": ("数据存储目录", "store folder"),
    "cli.demo": ("在示例数据的临时副本上进行引导演示（空格/→ 下一步，← 上一步，q 退出）",
                 "a guided tour on a temporary copy of the examples (Space/→ next, ← back, q quit)"),
    "cli.demo.auto": ("自动播放，每步停留的秒数", "play unattended, this many seconds a step"),
    "cli.serve": ("在网页浏览器中使用本应用（textual-serve）：打开 http://主机:端口", "the application in a web browser (textual-serve): open http://HOST:PORT"),
    "cli.serve.host": ("监听地址（默认 127.0.0.1；0.0.0.0 表示整个网络）", "address to listen on (default 127.0.0.1; 0.0.0.0 for the whole network)"),
    "cli.serve.port": ("监听端口（默认 8000）", "port to listen on (default 8000)"),
    "cli.serve.org": ("打开时显示此组织", "open on this organization"),
    "cli.serve.as_of": ("打开时的截至日期", "open as of this day"),
    "cli.serve.demo": ("改为提供引导演示（在示例数据的临时副本上）", "serve the guided tour (on a temporary copy of the examples) instead"),
    "cli.serve.public_url": ("浏览器使用的地址与监听地址不同时填写（位于代理之后；https: 使 cookie 带 Secure 标记）",
                             "the address browsers use when it differs (behind a proxy; https: makes the cookie Secure)"),
    "cli.serve.allow_host": ("也响应对此主机名的请求（默认：监听地址和 localhost）；可重复", "also answer requests for this host name (default: the listening address and localhost); repeatable"),
    "cli.users": ("数据存储中的人员及其 SSH 密钥：添加、列出、删除、授权、撤销、修改、同步",
                  "the people of the store and their SSH keys: add, list, remove, grant, revoke, set, sync"),
    "cli.users.users_command": ("操作", "action"),
    "cli.users.add": ("添加人员，附其 SSH 公钥和角色", "add a person with their SSH public key and a role"),
    "cli.users.add.key": ("其 OpenSSH 公钥文件（可用 ssh-keygen -t ed25519 生成）", "their OpenSSH public key (ssh-keygen -t ed25519 makes one)"),
    "cli.users.add.org": ("只在此组织中（默认：所有组织）", "in this organization only (default: every organization)"),
    "cli.users.add.scope": ("只限组织架构中的这些对象（需要 --org）", "only these subjects of the organization's structure (needs --org)"),
    "cli.users.add.cases": ("可以查看和修改敏感类别（线索、问题线索、案件）", "may see and change sensitive kinds (clues, leads, cases)"),
    "cli.users.add.display": ("显示的姓名（如 张三）", "the name shown (for example 张三)"),
    "cli.users.list": ("列出人员及其授权和密钥", "list the people, their grants and keys"),
    "cli.users.remove": ("删除人员及其密钥行", "remove a person and their key lines"),
    "cli.users.grant": ("授予人员在某组织中的角色（替换其在该组织的原有授权）", "give a person a role in an organization (replacing their grant there)"),
    "cli.users.grant.org": ("只在此组织中（默认：所有组织）", "in this organization only (default: every organization)"),
    "cli.users.grant.scope": ("只限组织架构中的这些对象（需要 --org）", "only these subjects of the organization's structure (needs --org)"),
    "cli.users.grant.cases": ("可以查看和修改敏感类别（线索、问题线索、案件）", "may see and change sensitive kinds (clues, leads, cases)"),
    "cli.users.revoke": ("收回人员在某组织（或所有组织）中的授权", "take back a person's grant in an organization (or over every organization)"),
    "cli.users.revoke.org": ("收回在此组织中的授权（默认：所有组织的）", "the organization whose grant is taken back (default: the one over every organization)"),
    "cli.users.set": ("修改人员的邮箱、群机器人地址或显示姓名（'' 表示清除）", "change a person's e-mail, webhook or shown name ('' clears)"),
    "cli.users.set.email": ("邮箱地址", "e-mail address"),
    "cli.users.set.webhook": ("群机器人地址", "webhook address"),
    "cli.users.set.display": ("显示的姓名", "the name shown"),
    "cli.users.feed": ("给人员一个私人日历订阅地址（新地址取代旧地址），或用 --revoke 撤销", "give a person a private calendar feed address (a new one replaces the old), or --revoke it"),
    "cli.users.feed.revoke": ("停用此人的日历订阅：原地址不再可用", "stop the person's feed: its address no longer works"),
    "cli.users.sync": ("按数据存储中的人员重写本账户的 authorized_keys 行", "rewrite this account's authorized_keys lines from the store's people"),
    "cli.users.passwd": ("设置人员在浏览器中登录的密码（以 argon2id 哈希保存）", "set a person's password for signing in through the browser (stored as an argon2id hash)"),
    "cli.users.passwd.stdin": ("从标准输入的第一行读取密码，而不是询问", "read the password from the first line of standard input instead of asking"),
    "cli.users.passwd.clear": ("删除密码（登录链接仍然可用）", "remove the password (links still work)"),
    "cli.users.link": ("为人员生成一次性浏览器登录链接（--revoke 收回其全部链接）", "print a one-time browser sign-in link for a person ('--revoke' takes back every link)"),
    "cli.users.link.valid": ("链接有效时长：90s、15m、2h、1d（默认 15m，最长 7d）", "how long the link works: 90s, 15m, 2h, 1d (default 15m, at most 7d)"),
    "cli.users.link.public_url": ("人员打开的地址（默认：coordtui serve 上次使用的地址）", "the address people open (default: the address 'coordtui serve' last used)"),
    "cli.users.link.revoke": ("收回此人尚未使用的全部链接", "revoke every link of the person not used yet"),
    "cli.shell": ("人员 SSH 密钥的强制命令：打开应用，或执行 SSH_ORIGINAL_COMMAND 中的 check/export/import",
                  "the forced command of a person's SSH key: the application, or check/export/import from SSH_ORIGINAL_COMMAND"),
    "cli.shell.name": ("密钥所属的人员", "the person the key belongs to"),
    "cli.schema": ("输出某个模型每个类别的 JSON Schema", "print the JSON Schema of each kind of a model"),
    "cli.schema.model": ("模型编号", "the model's id"),
}

#: argparse's own words (its gettext messages, Python 3.10 to 3.13) in Chinese.
ARGPARSE_ZH: dict[str, str] = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "subcommands": "子命令",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "必须给出参数 %s 之一",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项有歧义：%(option)s 可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的子命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开 '%(filename)s'：%(error)s",
    "unexpected option string: %s": "意外的选项：%s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}


_ISO_DAY = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")


def days_in(text: str, lang: str = "zh") -> str:
    """``text`` (a finding a model's rule wrote, an error) with every ISO date in it written as
    people write it in ``lang`` (应于2026-10-09前 → 应于2026年10月9日前); English keeps ISO. For
    display only: the stored text stays as the rule wrote it."""
    if lang != "zh" or "-" not in text:
        return text

    def shown(match: re.Match[str]) -> str:
        try:
            return day(date(int(match[1]), int(match[2]), int(match[3])), lang)
        except ValueError:  # not a day (2026-02-30): left as written
            return match[0]

    return _ISO_DAY.sub(shown, text)


# coordtui verify: the attachment files no record holds (孤立附件文件).
CATALOGUE.update({
    "verify.orphans": ("{root}：附件文件夹中有 {count} 个文件（{size}）不属于任何记录（因中断或旧的删除操作遗留），仍计入附件总量上限："
                       "管理员可用 coordtui verify --prune-orphans 清除",
                       "{root}: {count} file(s) ({size}) in the attachments folder belong to no record (left by a crash or an old "
                       "detach) and still count against the store's limit: an administrator removes them with 'coordtui verify --prune-orphans'"),
    "verify.pruned": ("{root}：已清除 {count} 个不属于任何记录的附件文件（{size}）",
                      "{root}: removed {count} attachment file(s) no record holds ({size})"),
    "verify.prune_refused": ("{root}：历史记录或附件有问题，未清除任何文件：请先从备份恢复，再运行 coordtui verify --prune-orphans",
                             "{root}: the history or the attachments are broken, so no file was removed: restore from a backup "
                             "first, then run 'coordtui verify --prune-orphans'"),
})
CLI_HELP.update({
    "cli.verify.prune_orphans": ("同时清除不属于任何记录的附件文件（因中断或旧的删除操作遗留；仅限管理员）",
                                 "also remove the attachment files no record holds (left by a crash or an old detach; administrators only)"),
})

# A file another person or process took off the record while its list was on the screen.
CATALOGUE.update({
    "att.gone": ("“{title}”（{name}）已不再附于{record}：可能已被他人删除；附件列表已刷新",
                 "'{title}' ({name}) is no longer attached to {record}: someone else may have removed it; the list now shows what it holds"),
    "att.gone_title": ("附件已不存在", "File no longer attached"),
})

#: The reasons an operating system gives most often (errno), as a person reads them in Chinese:
#: a Chinese message never quotes the system's English strerror.
OS_REASON_ZH = {
    "EACCES": "没有权限", "EPERM": "没有权限", "ENOENT": "不存在", "ENOTDIR": "路径中有一部分不是文件夹",
    "EISDIR": "这是文件夹", "ENOSPC": "磁盘空间不足", "EDQUOT": "超出磁盘配额", "EROFS": "文件系统只读",
    "ELOOP": "路径中有符号链接", "EEXIST": "已存在同名文件", "ENAMETOOLONG": "路径过长", "EBUSY": "正被占用",
    "EMFILE": "打开的文件过多", "ENFILE": "打开的文件过多", "EIO": "读写出错", "ETXTBSY": "正被占用",
}


# coordtui restore of the manifest (it has no backups: it is made again from the sealed heads).
CATALOGUE.update({
    "out.manifest_rebuilt": ("已据各数据文件经核验的封存头重建 {target}（此前与其日志一同被删除的数据文件从此无法再被发现）",
                             "{target} was made again from every data file's verified sealed head (a data file deleted together "
                             "with its log before now can no longer be noticed)"),
    "out.kept_aside": ("；损坏的清单保留为 {aside}", "; the broken one is kept as {aside}"),
})


# coordtui serve's own lines on the administrator's terminal.
CATALOGUE.update({
    "out.serve_nobody": ("coordtui：还没有人能登录：用 coordtui users passwd 姓名 给某人设置密码，或用 coordtui users link 姓名 发一次性链接",
                         "coordtui: nobody can sign in yet: give a person a password with 'coordtui users passwd NAME' "
                         "or a one-time link with 'coordtui users link NAME'"),
    "out.serve_tour": ("演示（无需登录，临时副本）", "the tour (no sign-in, a temporary copy)"),
    "out.serving": ("coordtui：正在 {where} 提供 {what}，允许的主机：{hosts}；按 Ctrl+C 停止",
                    "coordtui: serving {what} on {where} for the hosts {hosts}; Ctrl+C stops"),
})


def os_reason(exc: OSError, lang: str = "zh") -> str:
    """Why the system refused, in ``lang``: its strerror in English, a Chinese wording in Chinese."""
    import errno

    if lang != "zh":
        return exc.strerror or str(exc)
    return OS_REASON_ZH.get(errno.errorcode.get(exc.errno or 0, ""), "系统拒绝")


# A plugin's state as the Plugins screen and ``coordtui plugins`` say it (插件状态).
CATALOGUE.update({
    "plugin.status.ok": ("已加载", "ok"),
    "plugin.status.failed": ("加载失败", "failed"),
    "plugin.status.disabled": ("已停用", "disabled"),
    "out.plugin_disabled": ("已停用：{cause}", "disabled: {cause}"),
    "history.more_problems": ("（另有 {count} 处问题：请运行 coordtui verify 查看）", " (and {count} more: see 'coordtui verify')"),
})


class Bilingual(str):
    """A text a person reads, in both languages (双语文本): the str is the English, ``zh`` the Chinese.

    For what the store and the plugin host say (a broken history's problems, a plugin's cause)
    and the interface shows later, in whichever language the person asked for: it goes through
    every ``str`` consumer unchanged (logs, JSON, English messages), and :meth:`text` picks the
    language where it is shown. ``zh`` falls back to the English when none was given.
    """

    __slots__ = ("zh",)
    zh: str

    def __new__(cls, en: str, zh: str | None = None) -> "Bilingual":
        self = super().__new__(cls, en)
        self.zh = zh if zh else str(en)
        return self

    @property
    def en(self) -> str:
        return str.__str__(self)

    def text(self, lang: str) -> str:
        """The text in ``lang`` (Chinese for ``zh``, English otherwise)."""
        return self.zh if lang == "zh" else str.__str__(self)

    def pair(self) -> list[str]:
        """[en, zh], as a cache keeps it."""
        return [str.__str__(self), self.zh]

    def __reduce__(self):  # copies keep both languages
        return (Bilingual, (str.__str__(self), self.zh))


def text_in(value: object, lang: str) -> str:
    """``value`` in ``lang``: a :class:`Bilingual`'s own language, anything else as it is."""
    return value.text(lang) if isinstance(value, Bilingual) else str(value)
