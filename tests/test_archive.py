"""The archive an inspection asks for (台账资料): one zip of a period, opened without coordtui."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from conftest import run
from coordtui.access.actor import resolve_actor
from coordtui.access.people import Grant, Person
from coordtui.attachments import TABLE
from coordtui.domain.periods import Period
from coordtui.exports import export
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace

AS_OF = date(2026, 12, 1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture(scope="module")
def host():
    return PluginHost().load()


@pytest.fixture
def ws(example_store, host):
    return Workspace(Store(example_store), host)


def archive(ws, org="tjpu", period="2026") -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(export(ws, org, "archive", as_of=AS_OF, period=Period.parse(period))))


def index_rows(z: zipfile.ZipFile) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(z.read("目录.xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("序号", "类别", "事项", "日期", "文件名", "页数")
    return rows[2:]


def expected_activity_paths(ws, test=lambda a: True) -> set[str]:
    """Worked out from the records themselves: 协作活动/<group>/<end> <title>/<file name>."""
    groups = {g.id: g.name for g in ws.records("tjpu", "group")}
    acts = {a.id: a for a in ws.records("tjpu", "activity") if test(a)}
    return {f"协作活动/{groups[acts[d['record']].group]}/{acts[d['record']].end.isoformat()} {acts[d['record']].title}/{d['name']}"
            for d in ws.store.query("tjpu", TABLE) if d["kind"] == "activity" and d["record"] in acts}


def test_the_archive_of_a_year_holds_exactly_the_ledger_the_report_the_index_and_every_file(ws, tmp_path):
    z = archive(ws)
    names = z.namelist()
    z.extractall(tmp_path / "unzipped")  # as an inspector's machine unpacks it
    on_disk = {p.relative_to(tmp_path / "unzipped").as_posix() for p in (tmp_path / "unzipped").rglob("*") if p.is_file()}
    assert on_disk == set(names)
    files = expected_activity_paths(ws)
    assert len(files) == 33  # 28 news drafts and a photo of each group's first activity, made by the example
    assert "协作活动/第一协作组/2026-02-10 2026年第一季度工作例会/新闻稿.docx" in files
    assert set(names) == {"目录.xlsx", "天津工业大学2026年度台账.xlsx", "天津工业大学2026年度工作报告.docx"} | files
    assert len(names) == len(set(names))
    rows = index_rows(z)
    assert [r[0] for r in rows] == list(range(1, len(names)))  # 序号
    assert [r[4] for r in rows] == names[1:]  # 文件名: every file after the index, in the archive's order
    by_path = {r[4]: r for r in rows}
    draft = by_path["协作活动/第一协作组/2026-02-10 2026年第一季度工作例会/新闻稿.docx"]
    assert draft[1:4] == ("协作活动", "第一协作组 2026年第一季度工作例会：新闻稿", "2026-02-10") and draft[5] == 1
    assert by_path["协作活动/第一协作组/2026-02-10 2026年第一季度工作例会/活动照片.png"][5] == 1
    import docx  # the files are the files: a Word document opens as one

    text = [p.text for p in docx.Document(io.BytesIO(z.read(draft[4]))).paragraphs]
    assert text[0] == "第一协作组开展“2026年第一季度工作例会”"
    load_workbook(io.BytesIO(z.read("天津工业大学2026年度台账.xlsx")))  # the ledger opens


def test_the_archive_keeps_to_its_period_and_to_what_the_person_may_see(ws):
    q1 = Period.parse("2026Q1")
    assert set(archive(ws, period="2026Q1").namelist()) - {"目录.xlsx", "天津工业大学2026年第一季度台账.xlsx",
                                                           "天津工业大学2026年第一季度工作报告.docx"} == \
        expected_activity_paths(ws, lambda a: q1.start <= a.end <= q1.end)
    ws.save_person(Person(name="wang", display="王五", grants=[Grant(org="tjpu", role="editor", scope=["g2"])]))
    store = Store(ws.store.root)
    editor = Workspace(store, ws.host, actor=resolve_actor(store, "wang"))
    mine = {n for n in archive(editor).namelist() if n.startswith("协作活动/")}
    assert mine == expected_activity_paths(ws, lambda a: a.group == "g2") and mine
    assert all("/第二协作组/" in n for n in mine)


def test_names_inside_the_archive_are_safe_and_unique(ws):
    act, rev = ws.get("tjpu", "activity", "act-g1-2026q1-1")
    ws.save("tjpu", act.model_copy(update={"title": "../上半年/总结 :*?"}), rev=rev)
    twin, rev = ws.get("tjpu", "activity", "act-g1-2026q1-2")
    ws.save("tjpu", twin.model_copy(update={"title": "../上半年/总结 :*?", "start": act.start, "end": act.end}), rev=rev)
    ws.attach("tjpu", "activity", "act-g1-2026q1-1", PNG, name="新闻稿.docx.png")
    names = archive(ws).namelist()
    mine = sorted(n for n in names if "上半年" in n)
    assert mine and all(".." not in n.split("/") and n.count("/") == 3 for n in mine)
    assert "协作活动/第一协作组/2026-02-10 .._上半年_总结 ___/新闻稿.docx" in mine
    assert any(n.startswith("协作活动/第一协作组/2026-02-10 .._上半年_总结 ___ act-g1-2026q1-2/") for n in mine)  # the twin: by id
    assert len(names) == len(set(names))


def test_the_command_line_writes_the_archive(ws, capsys, tmp_path):
    out = tmp_path / "台账资料.zip"
    code, _, err = run(capsys, "export", "--format", "archive", "--org", "usst", "--period", "2026", "--out", out, "--db", ws.store.root)
    assert code == 0, err
    with zipfile.ZipFile(out) as z:
        assert "会议/上海理工大学/2026-02-26 专题会议（部署）/会议记录.docx" in z.namelist()
        assert "四书/党委书记/2026-03-10 廉政承诺书/廉政承诺书（签字）.png" in z.namelist()
        assert "清单事项/财务处/2026-06-12 科研经费报销审核不严/整改情况报告.docx" in z.namelist()


def test_an_archive_with_a_file_missing_on_disk_is_refused_in_one_line_naming_it(ws, capsys, tmp_path):
    from coordtui.store.blobs import Blobs

    doc = next(d for d in ws.store.query("usst", TABLE) if d["record"] == "meeting-2026-sm1")
    Blobs(ws.store.root).path(doc["sha256"]).unlink()
    out = tmp_path / "a.zip"
    code, _, err = run(capsys, "export", "--format", "archive", "--org", "usst", "--period", "2026", "--out", out, "--lang", "en", "--db", ws.store.root)
    assert code == 2 and not out.exists()
    assert err.splitlines()[-1].startswith("coordtui: usst meeting meeting-2026-sm1: attachment 会议记录.docx: ")
    assert "is missing" in err and "the archive was not written" in err


def test_the_archive_streams_to_standard_output_which_cannot_seek(ws, capsys, monkeypatch):
    class Pipe(io.RawIOBase):  # like ssh's standard output: written in order, never sought
        def __init__(self):
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, b):
            self.data += b
            return len(b)

    pipe = Pipe()
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(pipe))
    from coordtui.cli import main

    assert main(["export", "--format", "archive", "--org", "usst", "--period", "2026", "--out", "-", "--db", str(ws.store.root)]) == 0
    with zipfile.ZipFile(io.BytesIO(bytes(pipe.data))) as z:
        assert z.testzip() is None
        assert "会议/上海理工大学/2026-02-26 专题会议（部署）/会议记录.docx" in z.namelist()


@pytest.mark.parametrize("lang, says", [("en", "is no SHA-256 digest (the entry was edited outside coordtui)"),
                                        ("zh", "专题会议（部署）”的附件“会议记录.docx”的记录条目已在 coordtui 之外被改动")])
def test_an_entry_edited_by_hand_to_name_no_file_stops_the_archive_naming_the_record_and_verify(ws, capsys, tmp_path, lang, says):
    import orjson

    for path in sorted((ws.store.root / "data" / "usst").glob("*.json")):
        data = orjson.loads(path.read_bytes())
        entry = next((d for d in data.get(TABLE, {}).values() if d["record"] == "meeting-2026-sm1"), None)
        if entry is not None:
            entry["sha256"] = "../../people"
            path.write_bytes(orjson.dumps(data))
            break
    out = tmp_path / "a.zip"
    code, _, err = run(capsys, "export", "--format", "archive", "--org", "usst", "--period", "2026", "--out", out, "--lang", lang,
                       "--db", ws.store.root)
    last = err.strip().splitlines()[-1]
    assert code == 2 and not out.exists()
    assert ("meeting-2026-sm1" in last or lang == "zh") and says in last and "coordtui verify" in last
    assert not last.startswith("coordtui: '../../people'")
