"""The command line speaks one language at a time: Chinese by default, English with --lang en.

Every subcommand's --help (argparse's own words too: usage, positional arguments, options)
and its errors, in each language, must hold no text of the other language beyond a short list
of things that are the same in both (command and option names, metavariables, choices, file
formats, environment variables, product names). A new subcommand or option without catalogue
entries (i18n.CLI_HELP) fails here in Chinese.
"""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from coordtui.cli import build_parser, cli_lang, main, wrap_cells
from coordtui.i18n import CLI_HELP, day, moment, stamp
from conftest import run

HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

#: Words that are the same in both languages: formats, programs, protocols, settings, names.
SAME_IN_BOTH = {
    "coordtui", "json", "JSON", "xlsx", "docx", "csv", "md", "ics", "SSH", "OpenSSH", "ssh", "keygen", "ed25519", "IANA",
    "Asia", "Shanghai", "COORDTUI_DB", "smtp", "starttls", "yes", "no", "password", "file", "serve", "textual", "http", "https",
    "Secure", "cookie", "localhost", "authorized_keys", "argon2id", "SSH_ORIGINAL_COMMAND", "setgid", "Schema", "timezone", "host",
    "idle_minutes", "sessions_per_person", "sessions_total", "tabs_per_session", "port", "starttls", "user", "from", "config",
    "Q3", "H1", "s", "m", "h", "d", "q", "t", "zh", "en", "pub", "FILE", "P", "OS",
}
#: Chinese that the English help may quote: a data example.
ENGLISH_MAY_QUOTE = {"张三"}


def parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path, parser) for the command line and every subcommand, nested ones too."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, (*path, name))


def same_in_both(parser: argparse.ArgumentParser) -> set[str]:
    """What a help text may show in either language: the names the command line itself defines."""
    words = set(SAME_IN_BOTH)
    for _, p in parsers(parser):
        for action in p._actions:
            for text in [*action.option_strings, action.metavar or "", action.dest or "", *(map(str, action.choices or ()))]:
                words.update(LATIN_WORD.findall(str(text)))
    return words


PATHS = [path for path, _ in parsers(build_parser("en"))]


def help_of(capsys, lang: str, path: tuple[str, ...]) -> str:
    code = main(["--lang", lang, *path, "--help"])
    out, err = capsys.readouterr()
    assert code == 0 and err == "", (path, err)
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_subcommands_help_speaks_only_its_language(capsys, lang):
    allowed = same_in_both(build_parser(lang))
    wrong = []
    for path in PATHS:
        text = help_of(capsys, lang, path)
        if lang == "zh":
            assert text.startswith("用法：coordtui"), (path, text[:40])
            # what is left of the help once the names the command line defines are taken out
            stray = [w for w in LATIN_WORD.findall(text) if w not in allowed and not w.isupper()]
        else:
            assert text.startswith("usage: coordtui"), (path, text[:40])
            stray = [w for w in HAN.findall(re.sub("|".join(ENGLISH_MAY_QUOTE), "", text))]
        if stray:
            wrong.append((" ".join(path) or "coordtui", sorted(set(stray))[:8]))
    assert wrong == []


def test_the_chinese_help_names_argparses_sections_in_chinese(capsys):
    text = help_of(capsys, "zh", ("export",))
    assert "选项：" in text and "显示本帮助并退出" in text and "options:" not in text and "usage:" not in text
    text = help_of(capsys, "zh", ("plugin", "new"))
    assert "位置参数：" in text and "插件名称" in text
    assert "show this help message" in help_of(capsys, "en", ("plugin", "new"))


def test_every_catalogue_entry_of_the_command_line_has_both_languages():
    for key, (zh, en) in CLI_HELP.items():
        assert HAN.search(zh), key
        assert not HAN.search(re.sub("|".join(ENGLISH_MAY_QUOTE), "", en)), key


@pytest.mark.parametrize("args,zh,en", [
    (["check", "--format", "xml"], "无效的选项 'xml'", "invalid choice: 'xml'"),
    (["frobnicate"], "无效的选项 'frobnicate'", "invalid choice: 'frobnicate'"),
    (["export"], "缺少必需的参数：--org", "the following arguments are required: --org"),
    (["check", "--bogus"], "无法识别的参数：--bogus", "unrecognized arguments: --bogus"),
    (["check", "--as-of", "2026-13-01"], "不是有效的日期", "is not a valid date"),
    (["check", "--as-of", "9999-12-31"], "请给出 2000 年至", "give a day from 2000"),
    (["schema", "nosuch"], "未知的模型“nosuch”", "unknown model 'nosuch'"),
])
def test_errors_are_one_line_in_the_language_asked_for(tmp_path, capsys, args, zh, en):
    db = tmp_path / "db"
    assert main(["init", "--db", str(db)]) == 0
    capsys.readouterr()
    for lang, says, other in (("zh", zh, HAN), ("en", en, None)):
        code = main([*args, "--db", str(db), "--lang", lang])
        err = capsys.readouterr().err
        assert code == 2 and says in err and err.count("\n") == 1, (lang, err)
        if lang == "zh":
            assert "error" not in err and "usage" not in err and "invalid" not in err, err
        else:
            assert not HAN.search(err), err


def test_the_language_is_read_before_parsing_and_chinese_is_the_default():
    assert cli_lang([]) == "zh" and cli_lang(["check"]) == "zh"
    assert cli_lang(["check", "--lang", "en"]) == "en" and cli_lang(["--lang=en", "check"]) == "en"
    assert cli_lang(["--lang", "en", "check", "--lang", "zh"]) == "zh"  # the last one, as argparse takes it


def test_help_is_wrapped_by_terminal_cells():
    lines = wrap_cells("导出一个组织：json、xlsx 台账、docx 报告、某一类别的 csv、md 摘要、ics 日历", 20)
    from rich.cells import cell_len

    assert all(cell_len(line) <= 20 for line in lines) and "".join(lines).replace(" ", "") == \
        "导出一个组织：json、xlsx台账、docx报告、某一类别的csv、md摘要、ics日历"
    assert wrap_cells("write here; - for standard output", 12) == ["write here;", "- for", "standard", "output"]


def test_dates_and_times_are_written_as_people_read_them():
    assert day(date(2026, 10, 15), "zh") == "2026年10月15日" and day(date(2026, 1, 5), "zh") == "2026年1月5日"
    assert day(date(2026, 10, 15), "en") == "2026-10-15" and day("2026-10-15", "zh") == "2026年10月15日"
    assert day(None, "zh") == "" and day("not a date", "zh") == "not a date"
    assert moment(datetime(2026, 12, 1, 18, 24, 21), "zh") == "2026年12月1日 18:24"
    from coordtui.domain.clock import OfficeClock

    beijing = OfficeClock("Asia/Shanghai")
    assert stamp("2026-12-01T18:24:21+00:00", "zh", beijing) == "2026年12月2日 02:24"  # the office's day, not UTC's
    assert stamp("2026-12-01T18:24:21Z".replace("Z", "+00:00"), "en", beijing) == "2026-12-02 02:24"
    assert stamp("garbled", "zh", beijing) == "garbled"


def test_dates_inside_a_rules_text_are_shown_as_people_write_them():
    from coordtui.i18n import days_in

    text = "苏岩应于2026-10-09前完成，实际2026-10-12（期间 2026-09）"
    assert days_in(text, "zh") == "苏岩应于2026年10月9日前完成，实际2026年10月12日（期间 2026-09）"
    assert days_in(text, "en") == text and days_in("2026-02-30", "zh") == "2026-02-30"


def test_check_writes_its_dates_as_people_read_them_in_chinese_and_iso_in_english(tmp_path, capsys):
    db = tmp_path / "db"
    assert main(["init", "--db", str(db), "--examples"]) == 0
    capsys.readouterr()
    main(["check", "--db", str(db), "--org", "tjpu", "--as-of", "2026-10-15"])
    out = capsys.readouterr().out
    assert "截至 2026年10月15日" in out and "应于2026年10月9日前完成" in out and not re.search(r"\d{4}-\d\d-\d\d", out), out
    main(["check", "--db", str(db), "--org", "tjpu", "--as-of", "2026-10-15", "--lang", "en"])
    out = capsys.readouterr().out
    assert "as of 2026-10-15" in out and "2026-10-09" in out and "年10月" not in out  # English keeps ISO


def test_init_and_the_time_zone_say_what_they_did_in_the_language_asked_for(tmp_path, capsys):
    assert main(["init", "--db", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("数据存储已就绪：") and "办公时区 Asia/Shanghai" in out
    assert main(["init", "--db", str(tmp_path / "b"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("store ready at ") and not HAN.search(out)
    assert main(["config", "timezone", "Europe/London", "--db", str(tmp_path / "a")]) == 0
    assert re.match(r"办公时区：Europe/London（当地今天：\d{4}年\d{1,2}月\d{1,2}日）", capsys.readouterr().out)


#: Words the command line's output and errors may show in either language besides the names the
#: command line defines: the interchange format's fields, key types, units and the like.
OUTPUT_SAME_IN_BOTH = {
    "format", "model", "org", "items", "id", "name", "meta", "schema", "sha256", "SHA256", "base64", "RSA", "ASCII",
    "MiB", "UTC", "true", "false", "sync", "grant", "set", "list", "add", "remove", "revoke", "users", "plugins", "export",
    "import", "verify", "restore", "check", "link", "passwd", "example", "org", "hooks", "zhangsan", "init", "ok",
    "data", "nope", "json", "bad", "bogus", "tjpu", "pingluo", "unit", "ed25519", "rsa", "dss", "ecdsa", "sk", "nistp256",
    "nistp384", "nistp521", "openssh", "com", "cert", "v01", "webauthn", "zs", "idle_minutes",
}


def ordinary_session(tmp_path: Path) -> list[tuple[str, list[str], dict]]:
    """(what, arguments, options) of ordinary commands and ordinary mistakes, in the order a person
    might make them; each is run once per language on its own copy of the examples."""
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json", encoding="utf-8")
    wrong_format = tmp_path / "wrong.json"
    wrong_format.write_text('{"format": "other/2", "model": "x", "org": {}, "items": []}', encoding="utf-8")
    not_a_key = tmp_path / "nope.pub"
    not_a_key.write_text("hello world\n", encoding="utf-8")
    not_a_store = tmp_path / "plain"
    not_a_store.mkdir()
    exported = tmp_path / "tjpu.json"
    return [
        ("verify", ["verify"], {}),
        ("plugins", ["plugins"], {}),
        ("users add", ["users", "add", "zhangsan", "--role", "editor", "--org", "tjpu"], {}),
        ("users grant", ["users", "grant", "zhangsan", "--role", "reader", "--org", "pingluo"], {}),
        ("users set", ["users", "set", "zhangsan", "--email", "zs@example.org"], {}),
        ("users list", ["users", "list"], {}),
        ("users revoke", ["users", "revoke", "zhangsan", "--org", "pingluo"], {}),
        ("revoke again", ["users", "revoke", "zhangsan", "--org", "pingluo"], {"fails": True}),
        ("bad email", ["users", "set", "zhangsan", "--email", "bad"], {"fails": True}),
        ("bad login name", ["users", "add", "Bad!", "--role", "reader"], {"fails": True}),
        ("not a key", ["users", "add", "lisi", "--key", not_a_key, "--role", "reader"], {"fails": True, "echoes": ["hello"]}),
        ("bad duration", ["users", "link", "zhangsan", "--valid", "1y"], {"fails": True}),
        ("users passwd", ["users", "passwd", "zhangsan", "--stdin"], {"stdin": b"correct horse battery\n"}),
        ("short password", ["users", "passwd", "zhangsan", "--stdin"], {"stdin": b"abc\n", "fails": True}),
        ("users link", ["users", "link", "zhangsan", "--public-url", "https://coord.example.org"], {}),
        ("users remove", ["users", "remove", "zhangsan"], {}),
        ("config", ["config", "smtp.host"], {}),
        ("config cleared", ["config", "smtp.host", ""], {}),
        ("bad port", ["config", "smtp.port", "x"], {"fails": True}),
        ("export", ["export", "--org", "tjpu", "--out", exported], {}),
        ("import dry run", ["import", exported, "--dry-run"], {}),
        ("import", ["import", exported], {}),
        ("not JSON", ["import", bad_json], {"fails": True}),
        ("wrong format", ["import", wrong_format], {"fails": True, "echoes": ["other"]}),
        ("bad item", ["import", tmp_path / "bad-item.json"], {"fails": True, "bad_item": exported}),
        ("restore nothing", ["restore", "data/nope.json"], {"fails": True}),
        ("not a store", ["check", "--db", not_a_store], {"fails": True, "own_db": True}),
    ]


def _stray(text: str, lang: str, allowed: set[str], given: list[str]) -> list[str]:
    """What of ``text`` is in the other language: Latin words in Chinese, Han characters in English
    (paths and what the person typed taken out first)."""
    text = re.sub(r"\S+@\S+|https?://\S+", " ", text)  # addresses
    for arg in sorted(given, key=len, reverse=True):
        text = text.replace(arg, " ")
    text = re.sub(r"(?:/[\w.\-~]+)+/?", " ", text)  # paths
    if lang == "zh":
        return [w for w in LATIN_WORD.findall(text) if w not in allowed and not w.isupper()]
    return HAN.findall(text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ordinary_commands_and_mistakes_speak_only_the_language_asked_for(example_store, tmp_path, capsys, monkeypatch, lang):
    import json

    from coordtui.store.store import current_user

    monkeypatch.setenv("COORDTUI_AUTHORIZED_KEYS", str(tmp_path / "svc" / ".ssh" / "authorized_keys"))
    allowed = same_in_both(build_parser(lang)) | SAME_IN_BOTH | OUTPUT_SAME_IN_BOTH
    from coordtui.plugins import PluginHost

    host = PluginHost().load()
    for model in host.models.values():
        allowed |= {kind for kind in model.kind_map} | {model.id}
    allowed |= {w for name in host.plugins for w in LATIN_WORD.findall(name)} | {current_user()}  # the store's owner, a person
    wrong, said = [], {}
    for what, args, options in ordinary_session(tmp_path):
        if "bad_item" in options:  # the exported document with one item of a kind the model lacks
            doc = json.loads(options["bad_item"].read_text(encoding="utf-8"))
            doc["items"][0]["kind"] = "bogus"
            doc["items"][1].pop("id")
            args[1].write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        db = [] if options.get("own_db") else ["--db", example_store]
        code, out, err = run(capsys, *args, *db, "--lang", lang, stdin=options.get("stdin"), monkeypatch=monkeypatch)
        given = [str(a) for a in [*args, *db, tmp_path, *options.get("echoes", ())]]  # what the person wrote, shown back
        if options.get("fails"):
            assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, (what, code, err)
            text = err
        else:
            assert code == 0, (what, err)
            text = out + err
        said[what] = text
        stray = _stray(text, lang, allowed, given)
        if stray:
            wrong.append((what, sorted(set(stray))[:8], text[:300]))
    assert wrong == [], "\n".join(map(repr, wrong))
    # each says what it did, in its language
    if lang == "zh":
        assert "变更历史完好" in said["verify"] and "已添加 zhangsan" in said["users add"] and "未写入任何内容" in said["import dry run"]
        assert "第1项（类别 bogus）" in said["bad item"] and "不是有效的 JSON" in said["not JSON"] and "年" in said["users link"]
        assert said["config cleared"] == "smtp.host: （未设置）\n"
    else:
        assert "the history is intact" in said["verify"] and "added zhangsan" in said["users add"]
        assert "item 1 (kind bogus)" in said["bad item"] and "nothing written" in said["import dry run"]


# a broken history, a broken plugin, the History screen: what verification and loading found ------------

def _tamper(root: Path) -> None:
    """A colleague's edits by hand: one entry of tjpu's first log changed, and one record of its
    structure file changed without a history entry."""
    import json

    log = sorted((root / "data" / "tjpu").glob("*.history.jsonl"))[0]
    lines = log.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[0])
    entry["user"] = "mallory"
    log.write_text("\n".join([json.dumps(entry, ensure_ascii=False), *lines[1:]]) + "\n", encoding="utf-8")
    part = root / "data" / "tjpu" / "structure.json"
    text = part.read_text(encoding="utf-8")
    part.write_text(text.replace('"name":"机关纪委"', '"name":"机关纪委（改）"', 1), encoding="utf-8")
    assert part.read_text(encoding="utf-8") != text


def _output_words(lang: str) -> set[str]:
    """The words the command line's output may show in either language, the models' kind ids among them."""
    from coordtui.plugins import PluginHost

    allowed = same_in_both(build_parser(lang)) | SAME_IN_BOTH | OUTPUT_SAME_IN_BOTH
    for model in PluginHost().load().models.values():
        allowed |= set(model.kind_map) | {model.id}
    return allowed


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_tampered_history_is_reported_by_verify_and_check_in_one_language(example_store, capsys, lang):
    _tamper(example_store)
    allowed, given = _output_words(lang), [str(example_store)]
    said = {}
    # check verifies and keeps what it found in the sealed cache; the second check reads it from there
    for what, args in [("check", ["check", "--org", "tjpu", "--as-of", "2026-10-15"]), ("check again", ["check", "--org", "tjpu", "--as-of", "2026-10-15"]),
                       ("verify", ["verify"])]:
        code, out, err = run(capsys, *args, "--db", example_store, "--lang", lang)
        assert code == 1, (what, err)
        if what.startswith("check"):  # the history's findings (the others quote the records' own words)
            out = "".join(line.replace("core.history_tampered", "") + "\n" for line in out.splitlines() if "core.history_tampered" in line)
        said[what] = out + err
    from coordtui.store.store import current_user

    given += ["u01", current_user()]  # the record changed by hand, named by its id; the store's owner, a person
    wrong = {what: sorted(set(_stray(text, lang, allowed, given))) for what, text in said.items()}
    assert wrong == {"check": [], "check again": [], "verify": []}, said
    if lang == "zh":
        for text in said.values():
            assert "data/tjpu/2026-01.history.jsonl：第 1 项变更在写入后被改动（哈希值不符）" in text, text
            assert "data/tjpu/structure.json：其中的记录在 coordtui 之外被修改" in text, text
        assert said["check again"].count("变更历史被篡改：") == 3 and "变更历史已损坏：3 处问题" in said["verify"]
    else:
        for text in said.values():
            assert "data/tjpu/2026-01.history.jsonl: history entry 1 was altered after it was written (hash mismatch)" in text, text
            assert "data/tjpu/structure.json: its records were changed outside coordtui" in text, text
        assert said["check again"].count("history tampered: ") == 3 and "the history is broken: 3 problem(s)" in said["verify"]


def test_a_verification_cache_of_the_earlier_format_is_rebuilt_with_both_languages(example_store):
    """Problems cached as plain strings (the format before both languages) are not trusted: the
    files they belong to are verified again, and the cache is rewritten with [en, zh] pairs."""
    import orjson

    from coordtui.store import Store
    from coordtui.store.seal import VerifiedCache

    _tamper(example_store)
    store = Store(example_store)
    first = store.verify_history()
    assert len(first) == 3 and all(p.zh != str(p) for p in first)
    cache = VerifiedCache(store._seal)
    key = store._seal.key()
    files = cache.load(key)
    assert sum(len(v[2]) for v in files.values()) == 3
    old = {rel: [*v[:2], [en for en, _ in v[2]], *v[3:]] for rel, v in files.items()}
    cache.save(key, old)  # sealed with the right key: only its format is old
    loaded = cache.load(key)
    usable = [rel for rel in loaded if VerifiedCache._entry(loaded, rel) is not None]
    assert len(usable) == len(files) - 2  # the two files' entries with plain-string problems are not trusted
    again = Store(example_store).verify_history()
    assert again == first and [p.zh for p in again] == [p.zh for p in first]
    payload = orjson.loads(cache.path.read_bytes().partition(b"\n")[2])
    assert sorted(pair for v in payload.values() for pair in map(tuple, v[2])) == sorted((str(p), p.zh) for p in first)


BROKEN_PLUGINS = {
    "missing_dep.py": "import nonexistent_dependency_xyz\n",
    "bad_syntax.py": "def oops(:\n",
    "misspelt_hook.py": "from coordtui import hookimpl\n\n@hookimpl\ndef coordtui_modles():\n    return []\n",
    "raising_hook.py": "from coordtui import hookimpl\n\n@hookimpl\ndef coordtui_models():\n    raise RuntimeError('boom')\n",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plugins_that_fail_to_load_are_explained_in_one_language(tmp_path, capsys, monkeypatch, lang):
    from coordtui.plugins import HOOKS

    folder = tmp_path / "dropins"
    folder.mkdir()
    for name, code in BROKEN_PLUGINS.items():
        (folder / name).write_text(code, encoding="utf-8")
    allowed = _output_words(lang) | set(HOOKS) | {"coordtui_modles", "nonexistent_dependency_xyz", "ModuleNotFoundError", "SyntaxError",
                                                  "RuntimeError", "COORDTUI_DISABLE_PLUGINS", "PLUGIN", "plugin", "py"}
    monkeypatch.setenv("COORDTUI_DISABLE_PLUGINS", "four_duties")
    code, out, err = run(capsys, "plugins", "--plugin-dir", folder, "--plugin-dir", tmp_path / "nowhere", "--lang", lang)
    assert code == 0, err
    allowed |= {Path(n).stem for n in BROKEN_PLUGINS} | {w for n in BROKEN_PLUGINS for w in LATIN_WORD.findall(n)}
    # 'boom' is the plugin's own message, quoted as it said it
    assert _stray(out + err, lang, allowed, [str(folder), str(tmp_path), "boom"]) == [], out
    lines = {line.split()[0]: line for line in out.splitlines() if line and not line.startswith(" ")}
    if lang == "zh":
        assert "导入失败：找不到模块“nonexistent_dependency_xyz”" in lines["missing_dep"]
        assert "bad_syntax.py 第 1 行有语法错误" in lines["bad_syntax"]
        assert "未知的钩子 coordtui_modles（拼写错误？" in lines["misspelt_hook"]
        assert "在 coordtui_models 中出错：RuntimeError：“boom”" in lines["raising_hook"]
        assert "[已停用：已被 COORDTUI_DISABLE_PLUGINS 停用]" in lines["four_duties"] and "插件目录不存在" in out
        import json

        code, out, _ = run(capsys, "plugins", "--plugin-dir", folder, "--format", "json")
        cause = {p["name"]: (p["cause"], p["cause_zh"]) for p in json.loads(out)}["missing_dep"]
        assert cause == ("failed to import: ModuleNotFoundError: No module named 'nonexistent_dependency_xyz'",
                         "导入失败：找不到模块“nonexistent_dependency_xyz”（ModuleNotFoundError）")
    else:
        assert "failed to import: ModuleNotFoundError: No module named 'nonexistent_dependency_xyz'" in lines["missing_dep"]
        assert "unknown hook coordtui_modles (misspelt?" in lines["misspelt_hook"]
        assert "raised in coordtui_models: RuntimeError: boom" in lines["raising_hook"]
        assert "[disabled: blocked by COORDTUI_DISABLE_PLUGINS]" in lines["four_duties"] and "plugin folder does not exist" in out


def test_an_organization_whose_plugin_is_off_is_reported_by_check_in_one_language(example_store, capsys, monkeypatch):
    monkeypatch.setenv("COORDTUI_DISABLE_PLUGINS", "four_duties")
    said = {}
    for lang in ("zh", "en"):
        code, out, err = run(capsys, "check", "--db", example_store, "--as-of", "2026-10-15", "--lang", lang)
        said[lang] = [line for line in out.splitlines() if "core.model_unavailable" in line]
        assert code == 1 and said[lang], (lang, out + err)
    assert all("插件 four_duties 未加载：已被 COORDTUI_DISABLE_PLUGINS 停用" in line and "blocked" not in line for line in said["zh"])
    assert all("plugin four_duties is disabled: blocked by COORDTUI_DISABLE_PLUGINS" in line and not HAN.search(line.split("(")[0])
               for line in said["en"])


def test_the_history_screen_names_a_broken_history_in_the_interface_language(example_store):
    """In Chinese, then (the language key pressed on the screen) in English."""
    import asyncio

    from textual.widgets import Static

    from coordtui.app import CoordApp
    from coordtui.plugins import PluginHost
    from coordtui.screens.history import HistoryScreen
    from coordtui.store import Store
    from coordtui.workspace import Workspace

    _tamper(example_store)
    ws = Workspace(Store(example_store), PluginHost())
    seen = {}

    async def main():
        app = CoordApp(ws, lang="zh", as_of=date(2026, 10, 15), org_id="tjpu")
        async with app.run_test(size=(120, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.press("h")
            for lang in ("zh", "en"):
                if lang == "en":
                    await pilot.press("l")
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert isinstance(app.screen, HistoryScreen) and app.lang == lang
                seen[lang] = str(app.screen.query_one("#history-title", Static).content)

    asyncio.run(main())
    assert seen["zh"] == ("变更历史  ⚠ data/tjpu/2026-01.history.jsonl：第 1 项变更在写入后被改动（哈希值不符）"
                          "（另有 2 处问题：请运行 coordtui verify 查看）"), seen
    assert _stray(seen["zh"], "zh", _output_words("zh"), []) == [], seen
    assert seen["en"] == ("History  ⚠ data/tjpu/2026-01.history.jsonl: history entry 1 was altered after it was written (hash mismatch)"
                          " (and 2 more: see 'coordtui verify')"), seen
    assert not HAN.search(seen["en"]), seen

def test_a_store_file_broken_by_hand_is_one_finding_in_the_language_asked_for(example_store, capsys):
    (example_store / "data" / "tjpu" / "structure.json").write_text('{"unit": []}', encoding="utf-8")
    said = {}
    for lang in ("zh", "en"):
        code, out, err = run(capsys, "check", "--db", example_store, "--org", "tjpu", "--as-of", "2026-10-15", "--lang", lang)
        said[lang] = [line.replace(str(example_store), "") for line in out.splitlines() if "core.store_unreadable" in line]
        assert code == 1 and len(said[lang]) == 1, (lang, out + err)
    assert "其中的表“unit”存放的是列表，而不是按标识存放的记录（被手工修改过？）：没有保留它的备份" in said["zh"][0], said
    assert _stray(said["zh"][0].replace("core.store_unreadable", ""), "zh", _output_words("zh"), []) == [], said
    assert "its table 'unit' holds a list, not records by id" in said["en"][0] and not HAN.search(said["en"][0].split(": ", 1)[1]), said
