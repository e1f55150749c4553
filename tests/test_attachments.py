"""Files kept with records (佐证材料): attach, list, get and detach through the workspace, the
command line and standard input (SSH); types judged by content; limits; verify; scopes.

One store of the bundled examples is made per module and copied per test (with its seal key).
"""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile

import pytest

from conftest import docx_bytes, run
from coordtui.access.actor import resolve_actor
from coordtui.access.people import Grant, Person
from coordtui.attachments import TABLE, safe_name, sniff
from coordtui.errors import AccessError, InputError, StoreError
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.store.blobs import Blobs
from coordtui.workspace import Workspace

ACT = "meet-g1-2026q1-1"  # a member unit's meeting in 第一协作组 of tjpu (the example keeps no file with it)
G2_ACT = "meet-g2-2026q1-1"


FIXED = (2026, 9, 25, 0, 0, 0)




PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def host():
    return PluginHost().load()


@pytest.fixture
def ws(example_store, host):
    return Workspace(Store(example_store), host)


def as_person(admin: Workspace, name: str, *grants: Grant) -> Workspace:
    admin.save_person(Person(name=name, display=name, grants=list(grants)))
    store = Store(admin.store.root)
    return Workspace(store, admin.host, actor=resolve_actor(store, name))


# types by content ------------------------------------------------------------------------

@pytest.mark.parametrize("data, name, expected", [
    (docx_bytes(), "x.bin", "docx"), (PDF, "scan", "pdf"), (PNG, "photo.jpg", "png"), (b"\xff\xd8\xff\xe0" + b"\0" * 20, "a.png", "jpg"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "纪要.wps", "wps"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "纪要", "doc"),
])
def test_the_type_is_judged_by_content(data, name, expected):
    assert sniff(data, name) == expected


@pytest.mark.parametrize("data, why", [
    (b"\x7fELF\x02\x01\x01" + b"\0" * 60, "ELF executable"), (b"MZ\x90\0" + b"\0" * 60, "Windows executable"),
    (b"#!/bin/sh\nrm -rf ~\n", "script"), (b"\xcf\xfa\xed\xfe" + b"\0" * 60, "Mach-O"),
    (b"\x7fELF" + b"\0" * 60 + docx_bytes(), "ELF executable"),  # a self-extracting archive: a program with a zip behind it
    (b"hello " + docx_bytes(), "archive behind"), (b"just text", "none of the accepted"),
])
def test_programs_and_unknown_content_are_refused_whatever_the_name(data, why):
    with pytest.raises(InputError, match=why):
        sniff(data, "新闻稿.docx")


def test_a_plain_zip_and_a_macro_document_are_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    with pytest.raises(InputError, match="zip archive"):
        sniff(buf.getvalue(), "a.docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "application/vnd.ms-word.document.macroEnabled.main+xml")
        z.writestr("word/vbaProject.bin", "x")
    with pytest.raises(InputError, match="macros"):
        sniff(buf.getvalue(), "a.docm")


@pytest.mark.parametrize("raw, safe", [("../../etc/passwd", "passwd"), ("C:\\x\\新闻稿.docx", "新闻稿.docx"), (".hidden", "hidden"),
                                       ("a\x1b[31mb\n.pdf", "a[31mb.pdf"), ("", "附件"), ("a:b?.png", "a_b_.png"), ("长" * 200 + ".docx", "长" * 75 + ".docx")])
def test_names_are_made_safe(raw, safe):
    assert safe_name(raw) == safe


# the workspace ---------------------------------------------------------------------------

def test_attach_list_get_and_detach_keep_sealed_history_and_the_stores_modes(ws):
    item = ws.attach("tjpu", "meeting", ACT, docx_bytes(), name="新闻稿.docx", title="活动新闻稿")
    assert (item.type, item.title, item.size, item.by) == ("docx", "活动新闻稿", len(docx_bytes()), ws.actor.name)
    assert ws.attachments("tjpu", "meeting", ACT) == [item]
    assert ws.attachment_bytes("tjpu", "meeting", ACT, "新闻稿.docx") == docx_bytes()
    assert ws.attachment_bytes("tjpu", "meeting", ACT, item.sha256[:8]) == docx_bytes()
    path = Blobs(ws.store.root).path(item.sha256)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    entry = ws.store.history(org="tjpu", kind=TABLE)[0]
    assert (entry["op"], entry["after"]["sha256"], entry["after"]["name"], entry["user"]) == ("create", item.sha256, "新闻稿.docx", ws.actor.name)
    assert ws.store.verify_history() == []
    ws.detach("tjpu", "meeting", ACT, "新闻稿.docx")
    assert ws.attachments("tjpu", "meeting", ACT) == []
    assert not path.exists()  # no record holds it any more
    assert ws.store.history(org="tjpu", kind=TABLE)[0]["op"] == "delete"
    assert ws.store.verify_history() == []


def test_the_same_file_is_kept_once_and_stays_while_a_record_holds_it(ws):
    a = ws.attach("tjpu", "meeting", ACT, PNG, name="照片.png")
    ws.attach("tjpu", "meeting", G2_ACT, PNG, name="同一张照片.png")
    kept = Blobs(ws.store.root).digests()
    assert a.sha256 in kept
    with pytest.raises(InputError, match="already attached"):
        ws.attach("tjpu", "meeting", ACT, PNG, name="again.png")
    ws.detach("tjpu", "meeting", ACT, a.sha256)
    assert Blobs(ws.store.root).digests() == kept
    ws.delete("tjpu", "meeting", G2_ACT, rev=None)  # the record goes, and its attachments with it
    assert a.sha256 not in Blobs(ws.store.root).digests() and len(Blobs(ws.store.root).digests()) == len(kept) - 1
    assert [d for d in ws.store.query("tjpu", TABLE) if d["kind"] == "meeting"] == []


def test_limits_per_file_and_per_store_refuse_in_one_line(ws, capsys, tmp_path):
    root = ws.store.root
    assert run(capsys, "config", "attachments.max_file_mb", "1", "--db", root)[0] == 0
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF + b"0" * (1024 * 1024))
    code, out, err = run(capsys, "attach", "tjpu", "meeting", ACT, big, "--lang", "en", "--db", root)
    assert code == 2 and "larger than 1 MB" in err.splitlines()[-1]
    assert run(capsys, "config", "attachments.max_file_mb", "many", "--db", root)[0] == 2
    kept = Blobs(root).digests()
    ws.store.set_meta(**{"attachments.max_file_mb": 20, "attachments.max_store_mb": 3})  # the examples' files: 2.5 MB
    with pytest.raises(InputError, match="would pass 3 MB"):
        ws.attach("tjpu", "meeting", ACT, big.read_bytes(), name="big.pdf")
    assert ws.attachments("tjpu", "meeting", ACT) == [] and Blobs(root).digests() == kept


def test_standard_input_is_cut_off_at_the_limit_not_read_to_its_end(ws):
    ws.store.set_meta(**{"attachments.max_file_mb": 1})

    class Endless(io.RawIOBase):
        read_bytes = 0

        def readable(self):
            return True

        def read(self, n=-1):
            self.read_bytes += n
            return b"%PDF" + b"0" * (n - 4)

    stream = Endless()
    with pytest.raises(InputError, match="larger than 1 MB"):
        ws.attach("tjpu", "meeting", ACT, stream, name="x.pdf")
    assert stream.read_bytes <= 1024 * 1024 + 1


# roles and scopes ------------------------------------------------------------------------

def test_a_scoped_person_sees_only_the_attachments_of_records_they_may_see(ws):
    ws.attach("tjpu", "meeting", ACT, PNG, name="g1.png")
    g2 = ws.attach("tjpu", "meeting", G2_ACT, PDF, name="g2.pdf")
    editor = as_person(ws, "wang", Grant(org="tjpu", role="editor", scope=["g2"]))
    assert editor.attachments("tjpu", "meeting", G2_ACT) == [g2]
    with pytest.raises(InputError, match="no meeting"):
        editor.attachments("tjpu", "meeting", ACT)
    with pytest.raises(InputError):
        editor.attachment_bytes("tjpu", "meeting", ACT, "g1.png")
    with pytest.raises(InputError):
        editor.attach("tjpu", "meeting", ACT, docx_bytes(), name="x.docx")
    history = editor.history(org="tjpu", kind=TABLE)
    assert {e["after"]["record"] for e in history} == {G2_ACT} | {a for a in _example_files_of(ws, "g2")}


def _example_files_of(ws, group):
    return {d["record"] for d in ws.store.query("tjpu", TABLE) if d["kind"] == "activity" and f"-{group}-" in d["record"]}


def test_a_reader_may_not_attach_or_detach(ws):
    ws.attach("tjpu", "meeting", ACT, PNG, name="g1.png")
    reader = as_person(ws, "li", Grant(org="tjpu", role="reader"))
    assert [a.name for a in reader.attachments("tjpu", "meeting", ACT)] == ["g1.png"]
    with pytest.raises(AccessError):
        reader.attach("tjpu", "meeting", ACT, PDF, name="x.pdf")
    with pytest.raises(AccessError):
        reader.detach("tjpu", "meeting", ACT, "g1.png")
    assert len(ws.attachments("tjpu", "meeting", ACT)) == 1


# verify ----------------------------------------------------------------------------------

def test_verify_reports_a_file_changed_or_removed_on_disk_naming_the_record(ws, capsys):
    item = ws.attach("tjpu", "meeting", ACT, docx_bytes(), name="新闻稿.docx")
    other = ws.attach("tjpu", "meeting", G2_ACT, PNG, name="照片.png")
    root = ws.store.root
    code, out, _ = run(capsys, "verify", "--db", root, "--lang", "en")
    kept = sum(len(ws.store.query(o.id, TABLE)) for o in ws.orgs())  # (the examples' files, and these two)
    assert code == 0 and f"{kept} attachment(s) match" in out
    path = Blobs(root).path(item.sha256)
    os.chmod(path, 0o600)
    path.write_bytes(docx_bytes("改过的新闻稿"))
    Blobs(root).path(other.sha256).unlink()
    code, out, err = run(capsys, "verify", "--db", root, "--lang", "en")
    assert code == 1
    assert f"tjpu meeting {ACT}: attachment 新闻稿.docx: attachments/{item.sha256}.bin was altered" in out
    assert f"tjpu meeting {G2_ACT}: attachment 照片.png: attachments/{other.sha256}.bin is missing" in out
    with pytest.raises(StoreError, match="altered"):
        ws.attachment_bytes("tjpu", "meeting", ACT, "新闻稿.docx")


# the command line and SSH ----------------------------------------------------------------

def test_the_command_line_attaches_lists_gets_and_detaches(ws, capsys, tmp_path):
    root = ws.store.root
    src = tmp_path / "新闻稿.docx"
    src.write_bytes(docx_bytes())
    code, out, err = run(capsys, "attach", "tjpu", "meeting", ACT, src, "--title", "新闻稿", "--db", root)
    assert code == 0, err
    assert out.startswith(f"已将 新闻稿.docx（docx，{len(docx_bytes())} B，SHA-256 ") and out.endswith(f"附于 tjpu 的 meeting {ACT}\n")
    code, out, _ = run(capsys, "attachments", "tjpu", "meeting", ACT, "--db", root)
    assert code == 0 and out.splitlines()[0].split() == ["SHA-256", "类型", "大小", "添加日期", "添加人", "文件名", "标题"]
    assert "新闻稿.docx" in out.splitlines()[1]
    code, out, _ = run(capsys, "attachments", "tjpu", "meeting", ACT, "--format", "json", "--db", root)
    [listed] = json.loads(out)
    assert listed["name"] == "新闻稿.docx" and listed["type"] == "docx"
    got = tmp_path / "out.docx"
    assert run(capsys, "attachment", "tjpu", "meeting", ACT, "新闻稿.docx", "--out", got, "--db", root)[0] == 0
    assert got.read_bytes() == docx_bytes()
    code, out, _ = run(capsys, "detach", "tjpu", "meeting", ACT, listed["sha256"], "--lang", "en", "--db", root)
    assert code == 0 and out == f"detached 新闻稿.docx (sha256 {listed['sha256']}) from meeting {ACT} of tjpu\n"
    code, out, _ = run(capsys, "attachments", "tjpu", "meeting", ACT, "--lang", "en", "--db", root)
    assert out == f"tjpu meeting {ACT}: no attachments\n"
    code, _, err = run(capsys, "detach", "tjpu", "meeting", ACT, "新闻稿.docx", "--lang", "en", "--db", root)
    assert code == 2 and "has no attachment '新闻稿.docx'" in err


def test_an_elf_renamed_docx_is_refused_and_nothing_is_kept(ws, capsys, tmp_path):
    fake = tmp_path / "新闻稿.docx"
    fake.write_bytes(b"\x7fELF\x02\x01\x01\0" + os.urandom(200))
    before = ws.store.history(org="tjpu")
    code, out, err = run(capsys, "attach", "tjpu", "meeting", ACT, fake, "--lang", "en", "--db", ws.store.root)
    assert code == 2 and err.splitlines()[-1].startswith("coordtui: ")  # (the line before: the owner made administrator)
    assert "新闻稿.docx: not accepted as an attachment: it is an ELF executable" in err
    assert ws.store.history(org="tjpu") == before and ws.attachments("tjpu", "meeting", ACT) == []


def _shell(capsys, monkeypatch, root, name, line, stdin=b"", lang="en"):
    """``line`` through the forced command of ``name``; in English unless ``lang`` is None (then as it comes: Chinese)."""
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", line + (f" --lang {lang}" if lang else ""))
    return run(capsys, "shell", name, "--db", root, stdin=stdin, monkeypatch=monkeypatch)


def test_over_ssh_an_editor_attaches_from_standard_input_and_a_reader_may_not(ws, capsys, monkeypatch):
    root = ws.store.root
    ws.save_person(Person(name="wang", display="王五", grants=[Grant(org="tjpu", role="editor", scope=["g2"])]))
    ws.save_person(Person(name="li", display="李明", grants=[Grant(org="tjpu", role="reader")]))
    code, out, err = _shell(capsys, monkeypatch, root, "wang", f"attach tjpu meeting {G2_ACT} --name 新闻稿.docx", docx_bytes())
    assert code == 0, err
    [item] = ws.attachments("tjpu", "meeting", G2_ACT)
    assert (item.name, item.by) == ("新闻稿.docx", "wang")
    code, out, _ = _shell(capsys, monkeypatch, root, "li", f"attachments tjpu meeting {G2_ACT}")
    assert code == 0 and "新闻稿.docx" in out
    code, _, err = _shell(capsys, monkeypatch, root, "li", f"attach tjpu meeting {G2_ACT} --name x.pdf", PDF, lang=None)
    assert code == 2 and "是只读人员，不能修改记录" in err  # the forced command speaks Chinese unless asked otherwise
    code, _, err = _shell(capsys, monkeypatch, root, "wang", f"attach tjpu meeting {G2_ACT} /etc/passwd")
    assert code == 2 and "standard input" in err
    code, _, err = _shell(capsys, monkeypatch, root, "wang", f"attach tjpu meeting {ACT} --name x.pdf", PDF)
    assert code == 2 and f"no meeting '{ACT}'" in err  # out of scope: not even its existence is told
    code, _, err = _shell(capsys, monkeypatch, root, "wang", f"attachment tjpu meeting {G2_ACT} 新闻稿.docx --out /tmp/x")
    assert code == 2 and "not allowed over SSH" in err
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", f"attachment tjpu meeting {G2_ACT} 新闻稿.docx")
    out = io.BytesIO()
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(out))
    from coordtui.cli import main

    assert main(["shell", "li", "--db", str(root)]) == 0
    assert out.getvalue() == docx_bytes()  # a reader gets the file itself, on standard output
    assert len(ws.attachments("tjpu", "meeting", G2_ACT)) == 1


# evidence the models ask for ------------------------------------------------------------

def test_a_missing_file_turns_a_met_duty_into_a_finding_and_the_duty_open(ws):
    from datetime import date

    from coordtui.api import DutyStatus

    as_of = date(2026, 12, 1)

    def state():
        result = ws.check(as_of, ["usst"])
        met = {(r.rule, r.duty.subject, r.duty.what_zh, str(r.duty.period)) for r in result.duties if r.status in (DutyStatus.MET, DutyStatus.LATE)}
        return met, [f for f in result.findings if f.rule.startswith("four_duties.evidence")]

    met_before, evidence_before = state()
    assert evidence_before == []  # the example keeps every file its model asks for
    [minutes] = ws.attachments("usst", "meeting", "meeting-2026-sm1")
    ws.detach("usst", "meeting", "meeting-2026-sm1", minutes.sha256)
    met_after, findings = state()
    assert met_after < met_before  # the duty the meeting met is open again
    [f] = findings
    assert (f.rule, f.subject_kind, f.subject_id) == ("four_duties.evidence_meeting", "meeting", "meeting-2026-sm1")
    assert "未留存会议记录" in f.message and "no minutes kept with it" in f.message_en
    assert "不计入" in f.message and "does not count toward its duties" in f.message_en
    # A photo is not the minutes: only a document whose title or name says so counts.
    ws.attach("usst", "meeting", "meeting-2026-sm1", PNG, name="会场照片.png")
    assert state()[0] == met_after
    ws.attach("usst", "meeting", "meeting-2026-sm1", PDF, name="专题会议纪要.pdf")
    assert state() == (met_before, [])


def test_evidence_naming_a_kind_the_model_lacks_is_refused_at_load():
    from coordtui.api import Evidence, ModelSpec, Record

    class Thing(Record):
        kind = "thing"

    with pytest.raises(ValueError, match="evidence asks for files on kind 'other'"):
        ModelSpec(id="m", name_zh="模型", name_en="Model", version="1", kinds=[Thing], evidence=[Evidence("other", "文件", "file")])


def test_an_import_with_replace_that_drops_a_record_drops_its_attachments(ws, tmp_path, capsys):
    from coordtui.interchange import export_document

    ws.attach("tjpu", "meeting", ACT, PNG, name="照片.png")
    doc = export_document(ws, "tjpu")
    doc["items"] = [i for i in doc["items"] if i["id"] != ACT]
    path = tmp_path / "tjpu.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert run(capsys, "import", "--replace", path, "--db", ws.store.root)[0] == 0
    assert [d for d in ws.store.query("tjpu", TABLE) if d["record"] == ACT] == []
    assert sha_of(PNG) not in Blobs(ws.store.root).digests()
    assert len(ws.attachments("tjpu", "activity", "act-g1-2026q1-1")) == 2  # the others stay
    assert ws.store.verify_history() == []


def sha_of(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_in_a_group_store_files_are_0660_in_a_setgid_folder_whatever_the_umask(tmp_path, mini_host):
    import grp

    old = os.umask(0o077)
    try:
        ws = Workspace(Store(tmp_path / "g", create=True, group=grp.getgrgid(os.getgid()).gr_name), mini_host)
        ws.load_examples()
        item = ws.attach("m1", "report", "r1", PDF, name="报告.pdf")
    finally:
        os.umask(old)
    path = Blobs(ws.store.root).path(item.sha256)
    assert oct(stat.S_IMODE(path.stat().st_mode)) == "0o660"
    assert oct(stat.S_IMODE(path.parent.stat().st_mode)) == "0o2770"


def test_the_files_of_a_sensitive_record_are_seen_only_with_cases(ws):
    case = ws.records("tianjin", "case")[0]
    item = ws.attach("tianjin", "case", case.id, PDF, name="审查报告.pdf")
    group = next(g for g in ws.records("tianjin", "dispatched_group") if g.id == case.group)
    without = as_person(ws, "zhao", Grant(org="tianjin", role="editor", scope=[group.collab_group]))
    with pytest.raises(InputError):
        without.attachments("tianjin", "case", case.id)
    assert without.history(org="tianjin", kind=TABLE) == []
    with_cases = as_person(ws, "qian", Grant(org="tianjin", role="reader", scope=[group.collab_group], cases=True))
    assert with_cases.attachments("tianjin", "case", case.id) == [item]


@pytest.mark.parametrize("options, problem", [({"types": ("exe",)}, "types must be some of"), ({"types": ()}, "types must be some of"),
                                              ({"what_en": ""}, "both languages"), ({"grace_days": -1}, "negative")])
def test_an_evidence_declaration_that_cannot_be_met_is_refused(options, problem):
    from coordtui.api import Evidence

    with pytest.raises(ValueError, match=problem):
        Evidence(**{"kind": "meeting", "what_zh": "会议记录", "what_en": "minutes", **options})


def test_every_type_sniff_names_is_one_a_model_may_ask_for_and_has_labels_in_both_languages():
    from coordtui.attachments import TYPE_LABELS
    from coordtui.domain.evidence import TYPES

    assert set(TYPE_LABELS) == set(TYPES)
    assert all(zh != en and zh and en for zh, en in TYPE_LABELS.values())


def test_a_record_says_what_evidence_it_owes_and_whether_it_has_it(ws):
    [(ask, met)] = ws.evidence_of("usst", "meeting", "meeting-2026-sm1")
    assert (ask.what_zh, ask.what_en, met) == ("会议记录", "minutes", True)
    [minutes] = ws.attachments("usst", "meeting", "meeting-2026-sm1")
    ws.detach("usst", "meeting", "meeting-2026-sm1", minutes.sha256)
    assert [m for _, m in ws.evidence_of("usst", "meeting", "meeting-2026-sm1")] == [False]
    assert [a.rule for a, _ in ws.evidence_of("usst", "document", "doc-2026-m1-pledge")] == ["evidence_pledge"]
    assert ws.evidence_of("usst", "document", "doc-2026-m1-plan") == []  # only the pledge among the four documents
    assert ws.evidence_of("tjpu", "meeting", ACT) == []  # university_grid asks nothing of a unit's meeting


def test_a_title_keeps_no_control_characters(ws):
    item = ws.attach("tjpu", "meeting", ACT, PDF, name="纪要.pdf", title="会议\x1b[31m纪要\n第二页")
    assert item.title == "会议 [31m纪要 第二页"


def test_an_unknown_kind_is_named_as_such(ws, capsys):
    code, _, err = run(capsys, "attachments", "tjpu", "nokind", "x", "--db", ws.store.root)
    assert code == 2 and "has no kind 'nokind'" in err.splitlines()[-1]


@pytest.mark.parametrize("org, kind, record, rule, what", [
    ("tjpu", "activity", "act-g1-2026q1-1", "university_grid.evidence_activity", "新闻稿"),
    ("usst", "document", "doc-2026-m1-pledge", "four_duties.evidence_pledge", "签字扫描件"),
    ("usst", "list_item", "li-2026-3", "four_duties.evidence_rectified", "整改佐证材料"),
    ("pingluo", "task", "t-2026-spring", "county_zones.evidence_task", "督查（调研）报告"),
    ("pingluo", "report", "r-z1-2026h1", "county_zones.evidence_report", "书面材料"),
    ("zikuang", "unit_report", "ur-demo-a-2026q1", "enterprise_tiers.evidence_unit_report", "书面报告"),
    ("zikuang", "plan", "plan-demo-a-2026q1", "enterprise_tiers.evidence_plan", "实施方案文本"),
])
def test_each_models_evidence_is_a_finding_once_its_file_is_gone(ws, org, kind, record, rule, what):
    from datetime import date

    def evidence_findings():
        return [f for f in ws.check(date(2026, 12, 1), [org]).findings if ".evidence_" in f.rule]

    assert evidence_findings() == []  # the example keeps them all
    for item in ws.attachments(org, kind, record):
        ws.detach(org, kind, record, item.sha256)
    [f] = evidence_findings()
    assert (f.rule, f.subject_kind, f.subject_id) == (rule, kind, record)
    assert f"未留存{what}" in f.message and "kept with it" in f.message_en


def test_an_attachment_entry_edited_by_hand_is_one_finding_of_its_organization_not_a_failed_check(ws):
    from datetime import date

    import orjson

    path = ws.store.root / "data" / "usst" / "2026-02.json"
    data = orjson.loads(path.read_bytes())
    key = next(iter(data[TABLE]))
    data[TABLE][key]["size"] = "big"
    path.write_bytes(orjson.dumps(data))
    result = Workspace(Store(ws.store.root), ws.host).check(date(2026, 12, 1))
    usst = [f for f in result.findings if f.org == "usst"]
    assert [f.rule for f in usst] == ["core.store_unreadable"] and "not as coordtui writes it" in usst[0].message_en
    assert any(f.org == "tjpu" for f in result.findings) or any(r.org == "tjpu" for r in result.duties)  # the others are checked


# what a hostile colleague tried ---------------------------------------------------------

def test_a_name_that_says_another_type_gets_the_ending_its_content_has(ws):
    for given, kept in [("会议记录.bat", "会议记录.bat.pdf"), ("gpj\u202e.exe", "gpj.exe.pdf"), ("a; filename=evil.exe", "a; filename=evil.exe.pdf"),
                        ("附件", "附件.pdf"), ("report.pdf" + " " * 50 + ".exe", "report.pdf" + " " * 50 + ".exe.pdf"), ("扫描件.PDF", "扫描件.PDF")]:
        item = ws.attach("tjpu", "meeting", ACT, PDF + given.encode(), name=given)
        assert item.name == kept, given
        assert item.name.lower().endswith(".pdf")


def test_a_docx_whose_page_count_part_unpacks_to_gigabytes_costs_nothing_to_count(ws):
    from coordtui.archive import pages_of

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.'
                                          'wordprocessingml.document.main+xml"/></Types>')
        with z.open("docProps/app.xml", "w", force_zip64=True) as part:
            for _ in range(256):  # 256 MiB of zeros, a few hundred KB packed
                part.write(bytes(1 << 20))
    bomb = out.getvalue()
    assert len(bomb) < 2_000_000
    with pytest.raises(InputError, match="zip bomb"):  # refused at the door now; the archive still counts pages of what came before
        sniff(bomb, "x.docx")
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert pages_of(bomb, "docx") is None
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 64 * 1024  # KiB: far from the 256 MiB it claims


def test_a_fifo_or_a_device_is_refused_in_one_line_without_waiting(ws, capsys, tmp_path):
    fifo = tmp_path / "scan.pdf"
    os.mkfifo(fifo)
    for path, says in [(fifo, "not a regular file"), (os.devnull, "not a regular file"), (tmp_path, "is a folder")]:
        code, _, err = run(capsys, "attach", "tjpu", "meeting", ACT, path, "--lang", "en", "--db", ws.store.root)
        assert code == 2 and says in err.splitlines()[-1], err
    with pytest.raises(InputError) as caught:
        ws.attach_path("tjpu", "meeting", ACT, fifo)
    assert "不是普通文件" in caught.value.message_zh
    assert ws.attachments("tjpu", "meeting", ACT) == []


def test_a_file_written_out_replaces_a_planted_link_and_is_private(ws, capsys, tmp_path, monkeypatch):
    ws.attach("tjpu", "meeting", ACT, docx_bytes(), name="新闻稿.docx")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "新闻稿.docx").symlink_to(victim)  # where the file's own name will land
    (shared / "tjpu.xlsx").symlink_to(victim)
    (shared / "a.zip").symlink_to(victim)
    monkeypatch.chdir(shared)
    assert run(capsys, "attachment", "tjpu", "meeting", ACT, "新闻稿.docx", "--db", ws.store.root)[0] == 0
    assert run(capsys, "export", "--org", "tjpu", "--format", "xlsx", "--out", shared / "tjpu.xlsx", "--db", ws.store.root)[0] == 0
    assert run(capsys, "export", "--org", "tjpu", "--format", "archive", "--period", "2026", "--out", shared / "a.zip",
               "--db", ws.store.root)[0] == 0
    assert victim.read_text() == "keep me"
    for name in ("新闻稿.docx", "tjpu.xlsx", "a.zip"):
        written = shared / name
        assert not written.is_symlink() and stat.S_IMODE(written.stat().st_mode) == 0o600, name
    assert (shared / "新闻稿.docx").read_bytes() == docx_bytes()
    assert sorted(p.name for p in shared.iterdir()) == ["a.zip", "tjpu.xlsx", "新闻稿.docx"]  # no temporary file left


def test_attaching_the_right_bytes_again_repairs_a_file_altered_on_disk(ws, capsys):
    a = ws.attach("tjpu", "meeting", ACT, docx_bytes(), name="新闻稿.docx")
    ws.attach("tjpu", "meeting", G2_ACT, docx_bytes(), name="新闻稿.docx")  # the same file on two records
    path = Blobs(ws.store.root).path(a.sha256)
    damaged = bytearray(path.read_bytes())
    damaged[-1] ^= 0xFF
    path.write_bytes(bytes(damaged))  # same size
    assert run(capsys, "verify", "--db", ws.store.root)[0] == 1
    ws.detach("tjpu", "meeting", ACT, a.sha256)
    ws.attach("tjpu", "meeting", ACT, docx_bytes(), name="新闻稿.docx")
    assert path.read_bytes() == docx_bytes()
    assert run(capsys, "verify", "--db", ws.store.root)[0] == 0


# content a reviewer expects refused (hostile review) -------------------------------------

def ole_bytes(*names: str) -> bytes:
    """A minimal OLE compound file (512-byte sectors: the FAT in sector 0, the directory in 1)
    whose directory holds the root and one entry per name (storages), as Word 97 writes them."""
    import struct

    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 0x2C, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    directory = bytearray(512)
    for n, (entry, kind) in enumerate([("Root Entry", 5), ("WordDocument", 2), *((x, 1) for x in names)][:4]):
        raw = entry.encode("utf-16-le") + b"\0\0"
        directory[n * 128: n * 128 + len(raw)] = raw
        struct.pack_into("<HB", directory, n * 128 + 64, len(raw), kind)
    return bytes(header) + fat + bytes(directory)


def zip_of(*parts: tuple[str, bytes | str], types: str = "wordprocessingml.document.main") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", FIXED), f'<Types><Override ContentType="{types}"/></Types>')
        for name, data in parts:
            info = zipfile.ZipInfo(name, FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 57
PE = b"MZ" + b"\0" * 58 + (64).to_bytes(4, "little") + b"PE\0\0" + b"\0" * 20


@pytest.mark.parametrize("data, why_en, why_zh", [
    (PDF + docx_bytes(), "zip archive behind", "后附有压缩包"),
    (PNG + b"IEND\xaeB`\x82" + ELF, "carries a program", "可执行程序"),
    (PNG + docx_bytes(), "zip archive behind", "压缩包"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 20 + b"\xff\xd9" + PE, "carries a program", "可执行程序"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 20 + b"\xff\xd9" + ELF, "carries a program", "可执行程序"),
    (ole_bytes("Macros"), "macros", "宏"), (ole_bytes("_VBA_PROJECT_CUR"), "macros", "宏"),
    (ole_bytes("Objects", "VBA"), "macros", "宏"), (ole_bytes("_VBA_PROJECT"), "macros", "宏"),
    (zip_of(("word/document.xml", "<w/>"), ("word/embeddings/setup.exe", b"x")), "holds a program", "夹带程序"),
    (zip_of(("word/document.xml", "<w/>"), ("word/media/image1.png", ELF)), "holds a program", "夹带程序"),
    (zip_of(("word/document.xml", "<w/>"), ("word/media/run.ps1", "x")), "holds a program", "夹带程序"),
    (zip_of(("word/document.xml", "<w/>"), ("word/oleData.bin", PE)), "holds a program", "夹带程序"),
    (zip_of(("word/document.xml", "<w/>"), ("word/data.bin", "x"),
            types="wordprocessingml.document.main application/vnd.ms-office.vbaProject"), "macros", "宏"),
    (zip_of(("word/document.xml", b"\0" * (4 << 20))), "zip bomb", "压缩炸弹"),
], ids=["pdf+zip", "png+elf", "png+zip", "jpg+pe", "jpg+elf", "ole-macros", "ole-vba-cur", "ole-vba", "ole-vba-project",
        "docx+exe", "docx+elf-part", "docx+ps1", "docx+pe-part", "docx-renamed-vba", "zip-bomb"])
def test_what_a_reviewer_expects_refused_is_refused_in_one_line_in_both_languages(data, why_en, why_zh):
    with pytest.raises(InputError, match=why_en) as caught:
        sniff(data, "新闻稿.docx")
    assert "\n" not in caught.value.message and why_zh in caught.value.message_zh
    assert "not accepted" not in caught.value.message_zh and "不能作为附件" not in caught.value.message


def test_a_zip_of_too_many_parts_is_refused_by_its_directory(monkeypatch):
    import coordtui.attachments as attachments

    monkeypatch.setattr(attachments, "MAX_MEMBERS", 3)  # (ten thousand parts would cost a second to build)
    data = zip_of(*((f"word/p{n}.xml", "<w/>") for n in range(3)))
    with pytest.raises(InputError, match="4 parts"):
        sniff(data, "a.docx")
    assert sniff(zip_of(("word/document.xml", "<w/>")), "a.docx") == "docx"


def test_clean_documents_of_each_container_are_still_accepted():
    assert sniff(ole_bytes("ObjectPool"), "纪要.doc") == "doc"
    assert sniff(zip_of(("word/document.xml", "<w/>"), ("word/media/image1.png", PNG)), "a.docx") == "docx"
    # an obfuscated font's first bytes are random: "MZ" there, without a PE header behind it, is no program
    assert sniff(zip_of(("word/document.xml", "<w/>"), ("word/fonts/font1.odttf", b"MZ" + bytes(range(200)))), "a.docx") == "docx"
    assert sniff(PDF + b"MZ is only two letters" * 4, "a.pdf") == "pdf"
    assert sniff(PNG + b"IEND\xaeB`\x82", "a.png") == "png"


# files no record holds (孤立附件文件) ------------------------------------------------------

def test_verify_counts_files_no_record_holds_and_an_administrator_prunes_them(ws, capsys):
    from coordtui.attachments import prune_orphans, size_label
    from coordtui.store import Delete

    root = ws.store.root
    kept = ws.attach("tjpu", "meeting", ACT, PNG, name="照片.png")
    crash = PDF + b"left by a crash" * 100
    left = Blobs(root).put(crash)  # a file whose entry never came
    gone = ws.attach("tjpu", "meeting", G2_ACT, PDF, name="纪要.pdf")
    ws.store.apply([Delete("tjpu", TABLE, gone.key)])  # an old detach that left its file
    size = size_label(len(crash) + len(PDF))
    code, out, _ = run(capsys, "verify", "--db", root, "--lang", "en")
    assert code == 0 and f"2 file(s) ({size}) in the attachments folder belong to no record" in out
    assert "coordtui verify --prune-orphans" in out
    code, out, _ = run(capsys, "verify", "--db", root)
    assert f"2 个文件（{size}）不属于任何记录" in out and "belong to no record" not in out
    editor = as_person(ws, "wang", Grant(org="tjpu", role="editor"))
    with pytest.raises(AccessError, match="may not remove the attachment files"):
        prune_orphans(editor)
    assert Blobs(root).has(left)
    code, out, _ = run(capsys, "verify", "--db", root, "--prune-orphans", "--lang", "en")
    assert code == 0 and f"removed 2 attachment file(s) no record holds ({size})" in out
    assert not Blobs(root).has(left) and not Blobs(root).has(gone.sha256) and Blobs(root).has(kept.sha256)
    code, out, _ = run(capsys, "verify", "--db", root, "--lang", "en")
    assert code == 0 and "belong to no record" not in out and "match their SHA-256" in out


def test_verify_prunes_nothing_while_an_attachment_is_missing(ws, capsys):
    root = ws.store.root
    left = Blobs(root).put(PDF + b"orphan")
    item = ws.attach("tjpu", "meeting", ACT, PNG, name="照片.png")
    Blobs(root).path(item.sha256).unlink()
    code, _, err = run(capsys, "verify", "--db", root, "--prune-orphans", "--lang", "en")
    assert code == 1 and "no file was removed" in err and Blobs(root).has(left)


def test_the_store_limit_says_how_much_files_no_record_holds_take_and_how_to_prune(ws):
    from coordtui.attachments import MB, size_label

    root = ws.store.root
    before = Blobs(root).total()  # the examples' files
    limit = before // MB + 1
    orphan = PDF + b"0" * (limit * MB - before - 512 - len(PDF))  # the room left but for 512 bytes
    Blobs(root).put(orphan)
    ws.store.set_meta(**{"attachments.max_store_mb": limit})
    with pytest.raises(InputError) as caught:
        ws.attach("tjpu", "meeting", ACT, PDF + b"1" * 1024, name="x.pdf")
    held = size_label(len(orphan))
    assert f"{held} of it are files no record holds" in caught.value.message and "coordtui verify --prune-orphans" in caught.value.message
    assert f"{held} 是已不属于任何记录的文件" in caught.value.message_zh


def test_pruning_checks_again_under_the_lock_so_a_file_attached_meanwhile_stays(ws):
    from coordtui.attachments import orphans, prune_orphans

    data = PDF + b"scanned before it was attached"
    digest = Blobs(ws.store.root).put(data)
    assert (digest, len(data)) in orphans(ws.store)  # what a verify run a moment ago saw
    ws.attach("tjpu", "meeting", ACT, data, name="扫描件.pdf")  # then someone attached those very bytes
    assert prune_orphans(ws) == (0, 0) and Blobs(ws.store.root).has(digest)
    assert ws.attachment_bytes("tjpu", "meeting", ACT, "扫描件.pdf") == data


def test_a_check_sees_evidence_another_store_removed_after_its_last_check(ws, host):
    # The check reads the attachments' entries with the records of each file it reads: a file
    # another process changed is read again, entries and all (never the earlier check's copy).
    from datetime import date

    day = date(2026, 12, 1)
    record = ("activity", "act-g1-2026q1-1")

    def evidence(found):
        return [(f.rule, f.subject_id) for f in found if ".evidence_" in f.rule]

    assert evidence(ws.check(day, ["tjpu"]).findings) == []
    assert evidence(ws.findings(day, ["tjpu"])) == []
    other = Workspace(Store(ws.store.root), host)
    for item in other.attachments("tjpu", *record):
        other.detach("tjpu", *record, item.sha256)
    assert evidence(ws.check(day, ["tjpu"]).findings) == [("university_grid.evidence_activity", record[1])]
    assert evidence(ws.findings(day, ["tjpu"])) == [("university_grid.evidence_activity", record[1])]
