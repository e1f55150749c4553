"""Attachments (佐证材料) in the interface, driven by keys at 80×24: the list in the record form
and in the record's details, adding by path, exporting, removing after asking, the errors a
person can cause (one line each, nothing written), SSH and the browser tab."""

from __future__ import annotations

import asyncio
import os
import re
from datetime import date

import pytest
from textual.widgets import Input

from conftest import copy_with_key, docx_bytes, one_example, own_key
from coordtui.access import Grant, Person, Role, resolve_actor
from coordtui.app import CoordApp
from coordtui.i18n import CATALOGUE
from coordtui.plugins import PluginHost
from coordtui.screens.attachments import AttachmentTable, RecordDetailScreen, shown_date
from coordtui.screens.form import RecordForm
from coordtui.screens.modals import AttachModal, ConfirmModal, ErrorModal
from coordtui.screens.records import RecordsScreen
from coordtui.store import Store
from coordtui.workspace import Workspace

AS_OF = date(2026, 10, 15)
ORG, KIND, ID = "tjpu", "activity", "act-g1-2026q1-1"
HAN = re.compile(r"[\u4e00-\u9fff]")
#: Format names, which a Chinese sentence names as they are.
FORMATS = {"docx", "xlsx", "pdf", "doc", "wps", "ofd", "jpg", "png", "PDF", "Word", "Excel", "OFD", "WPS", "PNG", "JPEG", "ELF"}




PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """tjpu alone (every other organization would only lengthen each start's check), loaded once
    with its seal key beside it; the record starts without files, whatever the example brings."""
    folder = tmp_path_factory.mktemp("attach")
    with own_key(folder):
        ws = one_example(folder / "s", "university_grid", ORG, KIND, ID, user="alice")
        ws.save_person(Person(name="zhao", grants=[Grant(org=ORG, role=Role.READER, scope=["g1"])]))  # reads group 1
    return folder / "s"


@pytest.fixture
def ws(template, tmp_path):
    """A copy of the examples for one test (the key goes to the test's own configuration folder)."""
    return Workspace(Store(copy_with_key(template, tmp_path / "s"), user="alice"), PluginHost())


def drive(ws, scenario, *, lang="zh", remote=False):
    async def main():
        app = CoordApp(ws, lang=lang, as_of=AS_OF, org_id=ORG, remote=remote)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot)

    asyncio.run(main())


async def settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def attach_by_keys(app, pilot, path, title=""):
    await pilot.press("ctrl+o")
    await pilot.pause()
    assert isinstance(app.screen, AttachModal)
    app.screen.query_one("#attach-path", Input).value = str(path)
    app.screen.query_one("#attach-title", Input).value = title
    app.screen.query_one("#attach-title", Input).focus()
    await pilot.press("enter")
    await settle(app, pilot)


def table_rows(screen) -> list[list[str]]:
    table = screen.query_one("#attachments", AttachmentTable)
    return [[str(cell) for cell in cells] for cells, _ in table.data]


def error_text(app) -> str:
    assert isinstance(app.screen, ErrorModal), type(app.screen).__name__
    return str(app.screen.query_one("#error-message").render())


def test_attach_export_and_remove_from_the_record_form(ws, tmp_path, monkeypatch):
    exports = tmp_path / "exports"
    monkeypatch.setenv("COORDTUI_EXPORT_DIR", str(exports))
    news = tmp_path / "新闻稿.docx"
    news.write_bytes(docx_bytes())

    async def scenario(app, pilot):
        app.open_record(ORG, KIND, ID)
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, RecordForm)
        assert "0 件" in str(form.query_one("#attachments-heading").render())
        await attach_by_keys(app, pilot, news, "2026年第一季度协同监督工作交流会新闻稿（定稿）")
        assert app.screen is form, error_text(app)
        kept = ws.attachments(ORG, KIND, ID)
        assert [(a.name, a.title, a.type) for a in kept] == [("新闻稿.docx", "2026年第一季度协同监督工作交流会新闻稿（定稿）", "docx")]
        added = kept[0].added  # the office's day it was added (never a day read again later: midnight may pass)
        assert table_rows(form) == [["2026年第一季度协同监督工作交流会新闻稿（定稿）", "新闻稿.docx", "Word 文档", kept[0].size_label(),
                                     f"{added.year}年{added.month}月{added.day}日"]]
        assert "1 件" in str(form.query_one("#attachments-heading").render())
        assert str(form.query_one("#form-title").render()).endswith("· 附件 1 件")  # seen without scrolling down
        assert form.query_one("#attachments", AttachmentTable).shown_keys == ["title", "name", "type", "size", "added"]  # at 80 columns
        assert ws.store.get(ORG, KIND, ID)["_rev"] == 1  # the record itself is not rewritten

        await pilot.press("ctrl+g")  # export: a private copy in the export folder
        await settle(app, pilot)
        copy = exports / "新闻稿.docx"
        assert copy.read_bytes() == news.read_bytes()
        assert oct(copy.stat().st_mode & 0o777) == "0o600" and oct(exports.stat().st_mode & 0o777) == "0o700"

        await pilot.press("ctrl+t")  # remove: asks first; n keeps it
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert "2026年第一季度协同监督工作交流会新闻稿（定稿）" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("n")
        await settle(app, pilot)
        assert app.screen is form and len(ws.attachments(ORG, KIND, ID)) == 1
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is form and ws.attachments(ORG, KIND, ID) == []
        assert table_rows(form) == [] and "0 件" in str(form.query_one("#attachments-heading").render())
        entries = sorted(ws.history(org=ORG, kind="_attachments"), key=lambda e: e["seq"])  # adding and removing are history entries
        assert [e["op"] for e in entries] == ["create", "delete"]
        assert entries[0]["after"]["name"] == "新闻稿.docx" and entries[1]["before"]["sha256"] == kept[0].sha256

    old = os.umask(0o022)
    try:
        drive(ws, scenario)
    finally:
        os.umask(old)


def test_a_file_not_found_too_big_or_of_a_refused_type_is_one_line_and_nothing_is_kept_and_a_new_record_waits(ws, tmp_path):
    ws.store.set_meta(**{"attachments.max_file_mb": 1})
    elf = tmp_path / "新闻稿.docx"
    elf.write_bytes(b"\x7fELF\x02\x01\x01" + b"\x00" * 200)
    big = tmp_path / "现场照片.png"
    big.write_bytes(PNG + b"\x00" * (1024 * 1024))

    async def scenario(app, pilot):
        app.open_record(ORG, KIND, ID)
        await settle(app, pilot)
        form = app.screen
        for path, says in [(tmp_path / "没有这个文件.pdf", "找不到该文件"), (elf, "不能作为附件"), (big, "上限")]:
            await attach_by_keys(app, pilot, path)
            text = error_text(app)
            assert says in text and "\n" not in text.strip() and "Traceback" not in text
            words = set(re.findall(r"[A-Za-z]{3,}", text.replace(str(tmp_path), "")))
            assert words <= FORMATS | {"coordtui", "config", "attachments", "max", "file"}, text  # nothing English in Chinese
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is form
        assert ws.attachments(ORG, KIND, ID) == []
        # an empty path is said in the dialog itself, which stays open
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AttachModal)
        assert str(app.screen.query_one("#attach-error").render()) == CATALOGUE["att.path_missing"][0]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is form
        # a new record has nothing to attach to until it is saved
        app.new_record(ORG, KIND, {})
        await settle(app, pilot)
        assert "保存后" in str(app.screen.query_one("#attachments-heading").render())
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert "Ctrl+S" in error_text(app)

    drive(ws, scenario)


def test_the_details_list_the_files_in_english_with_iso_dates_and_attach_from_there(ws, tmp_path):
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    ws.attach(ORG, KIND, ID, docx_bytes(), name="minutes.docx", title="Minutes")

    async def scenario(app, pilot):
        app.push_screen(RecordsScreen(ORG, KIND))
        await settle(app, pilot)
        records = app.screen
        row = [r["id"] for r in records.rows].index(ID)
        records.query_one("#records").move_cursor(row=row)
        await pilot.press("i")
        await settle(app, pilot)
        detail = app.screen
        assert isinstance(detail, RecordDetailScreen)
        table = detail.query_one("#attachments", AttachmentTable)
        assert [c.label for c in table.cols] == ["Title", "File", "Type", "Size", "Added"]
        assert table_rows(detail)[0][:3] == ["Minutes", "minutes.docx", "Word document"]
        assert table_rows(detail)[0][4] == ws.attachments(ORG, KIND, ID)[0].added.isoformat()  # 2026-12-02, not 2026年…
        assert not HAN.search(str(detail.query_one("#attachments-heading").render()))
        await attach_by_keys(app, pilot, photo)
        assert app.screen is detail
        assert [r[1] for r in table_rows(detail)] == sorted(["minutes.docx", "photo.png"])
        assert "PNG image" in [r[2] for r in table_rows(detail)]
        await pilot.press("e")  # edit: the form of the same record, with the same list
        await settle(app, pilot)
        assert isinstance(app.screen, RecordForm) and len(table_rows(app.screen)) == 2

    drive(ws, scenario, lang="en")


def test_a_reader_sees_the_files_but_adding_or_removing_is_refused_in_one_line(ws, tmp_path):
    news = tmp_path / "新闻稿.docx"
    news.write_bytes(docx_bytes())
    ws.attach(ORG, KIND, ID, PNG, name="照片.png")
    reader = Workspace(ws.store, PluginHost(), actor=resolve_actor(ws.store, "zhao"))

    async def scenario(app, pilot):
        app.open_record(ORG, KIND, ID)
        await settle(app, pilot)
        form = app.screen
        assert [r[1] for r in table_rows(form)] == ["照片.png"]
        await attach_by_keys(app, pilot, news)
        text = error_text(app)
        assert "无权修改" in text and "\n" not in text.strip()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert "无权修改" in error_text(app)
        assert [a.name for a in ws.attachments(ORG, KIND, ID)] == ["照片.png"]

    drive(reader, scenario)


def test_over_ssh_adding_by_path_and_exporting_are_refused_with_the_command_to_use(ws, tmp_path, monkeypatch):
    monkeypatch.setenv("COORDTUI_EXPORT_DIR", str(tmp_path / "exports"))
    ws.attach(ORG, KIND, ID, PNG, name="[b]现场 照片.png", title="[b]现场[/b]")  # read as text, never as markup

    async def scenario(app, pilot):
        app.open_record(ORG, KIND, ID)
        await settle(app, pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert f"attach {ORG} {KIND} {ID}" in error_text(app) and "ssh" in error_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+g")
        await settle(app, pilot)
        [kept] = ws.attachments(ORG, KIND, ID)
        assert "ssh" in error_text(app) and "> '[b]现场 照片.png'" in error_text(app)  # quoted for the shell
        assert not (tmp_path / "exports").exists()
        await pilot.press("escape")
        await pilot.pause()
        assert table_rows(app.screen)[0][:2] == ["[b]现场[/b]", kept.name]
        await pilot.press("ctrl+t")  # removing needs no file on the server: it is asked, as anywhere
        await pilot.pause()
        assert "[b]现场[/b]" in str(app.screen.query_one("#confirm-question").render())

    drive(ws, scenario, remote=True)


def test_in_a_browser_tab_adding_opens_the_upload_page_and_exporting_downloads(ws, monkeypatch):
    monkeypatch.setattr(CoordApp, "is_web", property(lambda self: True))
    opened, delivered = [], []
    monkeypatch.setattr(CoordApp, "open_url", lambda self, url, new_tab=True: opened.append((url, new_tab)))
    monkeypatch.setattr(CoordApp, "deliver_binary", lambda self, f, **kw: delivered.append((f.read(), kw)))
    ws.attach(ORG, KIND, ID, PNG, name="照片.png")

    async def scenario(app, pilot):
        app.open_record(ORG, KIND, ID)
        await settle(app, pilot)
        await pilot.press("ctrl+o")
        await settle(app, pilot)
        assert opened == [(f"/attach?org={ORG}&kind={KIND}&id={ID}&lang=zh", True)]
        assert isinstance(app.screen, RecordForm)
        await pilot.press("ctrl+g")
        await settle(app, pilot)
        assert delivered == [(PNG, {"save_filename": "照片.png"})]

    drive(ws, scenario, remote=True)


def test_the_attachment_keys_mean_nothing_else_everywhere_and_speak_both_languages(ws):
    everywhere = {b.key for b in CoordApp.BINDINGS}

    async def scenario(app, pilot):
        app.open_record(ORG, KIND, ID)
        await settle(app, pilot)
        screens = [app.screen, RecordDetailScreen(ORG, KIND, ID), AttachModal("x"), ConfirmModal("t", "q", "y", "n")]
        for screen in screens:
            for key, bindings in screen._bindings.key_to_bindings.items():
                for binding in bindings:
                    assert key not in everywhere, f"{type(screen).__name__} takes {key}"
        footer = {a.binding.id: a.binding.description for a in app.screen.active_bindings.values() if a.binding.id}
        assert {footer[k] for k in ("key.attach", "key.export_attachment", "key.detach")} == {"添加附件", "导出附件", "删除附件"}
        await app.action_toggle_lang()
        await pilot.pause()
        footer = {a.binding.id: a.binding.description for a in app.screen.active_bindings.values() if a.binding.id}
        assert {footer[k] for k in ("key.attach", "key.export_attachment", "key.detach")} == {"Attach file", "Export file", "Remove file"}
        app.action_help()  # (a key typed here would go into the form's field)
        await pilot.pause()
        help_rows = [str(c) for row in app.screen.query_one("#help-keys").rows for c in app.screen.query_one("#help-keys").get_row(row)]
        assert "Attach file" in help_rows and "^o" in " ".join(help_rows).lower().replace("ctrl+", "^")

    drive(ws, scenario)


def test_every_attachment_text_has_both_languages_and_the_chinese_says_no_english():
    keys = [k for k in CATALOGUE if k.startswith(("att.", "detail.")) or k in ("key.attach", "key.export_attachment", "key.detach", "key.detail", "key.edit")]
    assert len(keys) > 30
    for key in keys:
        zh, en = CATALOGUE[key]
        assert HAN.search(zh) and not HAN.search(en), key
        words = re.findall(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", "", zh))
        assert set(words) <= {"Ctrl", "Enter", "Esc", "SSH", "ssh", "attach", "attachment", "name", "docx"}, (key, words)
    assert shown_date(date(2026, 10, 5), "zh") == "2026年10月5日" and shown_date(date(2026, 10, 5), "en") == "2026-10-05"


def test_an_export_folder_that_cannot_be_written_is_one_line_naming_it(ws, tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the export folder should be")
    monkeypatch.setenv("COORDTUI_EXPORT_DIR", str(blocked))
    ws.attach(ORG, KIND, ID, PNG, name="照片.png")

    async def scenario(app, pilot):
        app.open_record(ORG, KIND, ID)
        await settle(app, pilot)
        await pilot.press("ctrl+g")
        await settle(app, pilot)
        text = error_text(app)
        assert str(blocked) in text and "无法写入（该位置已有同名文件" in text and "\n" not in text.strip()
        assert not re.findall(r"[A-Za-z]{3,}", text.replace(str(blocked), ""))  # no system English in Chinese
        assert blocked.read_text() == "a file where the export folder should be"

    drive(ws, scenario)


@pytest.mark.parametrize("lang, attached, detached, kind", [("zh", "添加附件", "移除附件", "协作活动"), ("en", "attached", "detached", None)])
def test_history_says_a_file_was_attached_to_or_removed_from_which_record(ws, lang, attached, detached, kind):
    from textual.widgets import DataTable

    from coordtui.screens.history import HistoryScreen

    record = ws.store.get(ORG, KIND, ID)
    added = ws.attach(ORG, KIND, ID, docx_bytes("会议新闻稿"), name="新闻稿.docx", title="交流会新闻稿")
    ws.detach(ORG, KIND, ID, added.sha256)
    cls = next(k for k in ws.host.models["university_grid"].kinds if k.kind == KIND)

    async def scenario(app, pilot):
        await pilot.press("h")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, HistoryScreen) and screen.entries is not None
        rows = [[str(c) for c in cells] for cells, _ in screen.query_one("#history", DataTable).data]
        rows = [row for row in rows if "新闻稿.docx" in row[5]]  # (the examples' load may share their second)
        assert [row[2] for row in rows] == [detached, attached]  # newest first
        for row in rows:
            assert row[4] == (kind or cls.title_en) and "_attachments" not in "".join(row)
            assert row[5] == f"交流会新闻稿 · 新闻稿.docx · {record['id']}"

    drive(ws, scenario, lang=lang)


def test_at_80_columns_the_file_name_and_the_date_appear_whole_and_the_title_gives_way(ws):
    name = "第一季度协同监督交流会新闻稿.docx"
    long_title = "天津工业大学纪委第一协作组2026年第一季度协同监督工作交流会新闻稿（定稿，经协作组组长审核）"
    item = ws.attach(ORG, KIND, ID, docx_bytes("长标题"), name=name, title=long_title)
    day = f"{item.added.year}年{item.added.month}月{item.added.day}日"

    async def scenario(app, pilot):
        app.open_record(ORG, KIND, ID)
        await settle(app, pilot)
        table = app.screen.query_one("#attachments", AttachmentTable)
        table.scroll_visible(animate=False)
        await settle(app, pilot)
        lines = ["".join(seg.text for seg in table.render_line(y)) for y in range(table.size.height)]
        row = next(line for line in lines if name in line)  # the whole name, on one line
        assert day in row, lines  # with its day (never 2026年12月2)
        assert long_title not in "".join(lines) and "…" in row  # the title is what gave way
        assert "Word" not in row or "Word 文档" in row  # a type is shown whole or not at all (never "Word …")
        assert "…" not in row.split(name)[1]  # nothing after the title is cut

    drive(ws, scenario)


@pytest.mark.parametrize("lang, says, not_said", [("zh", "已不再附于", "Invalid input"), ("en", "is no longer attached to", "已")])
def test_exporting_or_removing_a_file_another_process_removed_meanwhile_says_so_and_lists_again(ws, tmp_path, monkeypatch,
                                                                                               lang, says, not_said):
    monkeypatch.setenv("COORDTUI_EXPORT_DIR", str(tmp_path / "exports"))
    first = ws.attach(ORG, KIND, ID, docx_bytes("第一份"), name="1纪要.docx", title="纪要")
    second = ws.attach(ORG, KIND, ID, PNG, name="2照片.png", title="照片")
    other = Workspace(Store(ws.store.root, user="alice"), ws.host)  # another process on the same store

    async def gone(app, pilot, form, name, keys):
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await settle(app, pilot)
        text = error_text(app)
        assert says in text and name in text and not_said not in text.replace(name, "") and "\n" not in text.strip(), text
        assert "has no attachment" not in text
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is form

    async def scenario(app, pilot):
        app.open_record(ORG, KIND, ID)
        await settle(app, pilot)
        form = app.screen
        assert [r[1] for r in table_rows(form)] == ["1纪要.docx", "2照片.png"]
        other.detach(ORG, KIND, ID, first.sha256)
        await gone(app, pilot, form, "1纪要.docx", ["ctrl+g"])  # export
        assert [r[1] for r in table_rows(form)] == ["2照片.png"]  # the list says what the record holds now
        assert not (tmp_path / "exports" / "1纪要.docx").exists()
        other.detach(ORG, KIND, ID, second.sha256)
        await gone(app, pilot, form, "2照片.png", ["ctrl+t", "y"])  # remove, after asking
        assert table_rows(form) == []

    drive(ws, scenario, lang=lang)
