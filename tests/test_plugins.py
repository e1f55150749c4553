import textwrap

from coordtui.plugins import PluginHost

from conftest import DROPINS

GOOD = """
from coordtui import hookimpl
from coordtui.api import ModelSpec, Record
from typing import ClassVar

class Thing(Record):
    kind: ClassVar[str] = "thing"

@hookimpl
def coordtui_models():
    return [ModelSpec(id="{mid}", name_zh="x", name_en="x", version="1", kinds=[Thing])]
"""


def _write(folder, name, body):
    (folder / f"{name}.py").write_text(textwrap.dedent(body))


def test_folder_plugin_loads_with_its_contributions(mini_host):
    info = mini_host.plugins["mini"]
    assert info.status == "ok" and info.models == ["mini"] and info.version == "9.9"
    assert [r.id for r in mini_host.rules("mini")] == ["mini.lead"]
    assert [o.rule for o in mini_host.obligations("mini")] == ["mini.monthly_report"]
    assert len(mini_host.fixtures("mini")) == 1


def test_broken_plugins_are_switched_off_and_the_others_work(tmp_path):
    _write(tmp_path, "a_import_error", "import no_such_module_anywhere\n")
    _write(tmp_path, "b_raises", GOOD.format(mid="bee") + "\n@hookimpl\ndef coordtui_rules(model):\n    raise RuntimeError('boom')\n")
    _write(tmp_path, "c_garbage", "from coordtui import hookimpl\n@hookimpl\ndef coordtui_models():\n    return 'not a list'\n")
    _write(tmp_path, "d_misspelt", "from coordtui import hookimpl\n@hookimpl\ndef coordtui_rule(model):\n    return []\n")
    _write(tmp_path, "e_dup", GOOD.format(mid="mini"))
    _write(tmp_path, "f_bad_args", "from coordtui import hookimpl\n@hookimpl\ndef coordtui_rules(modle):\n    return []\n")
    _write(tmp_path, "g_exits", "import sys\nsys.exit(3)\n")
    host = PluginHost(plugin_dirs=[DROPINS, tmp_path], autoload=False).load()
    p = host.plugins
    assert p["mini"].status == "ok" and "mini" in host.models and host.rules("mini")
    assert p["a_import_error"].status == "failed" and "No module named 'no_such_module_anywhere'" in p["a_import_error"].cause
    assert p["b_raises"].status == "failed" and "raised in coordtui_rules: RuntimeError: boom" in p["b_raises"].cause
    assert "bee" not in host.models  # a failed plugin's models go with it
    assert "expected a list of ModelSpec" in p["c_garbage"].cause
    assert "unknown hook coordtui_rule" in p["d_misspelt"].cause
    assert "already provided by plugin mini" in p["e_dup"].cause
    assert p["f_bad_args"].status == "failed" and "validation" in p["f_bad_args"].cause
    assert p["g_exits"].status == "failed"


def test_blocked_by_environment(monkeypatch):
    monkeypatch.setenv("COORDTUI_DISABLE_PLUGINS", "mini,other")
    host = PluginHost(plugin_dirs=[DROPINS], autoload=False).load()
    assert host.plugins["mini"].status == "disabled" and "mini" not in host.models


def test_plugin_path_from_environment(monkeypatch):
    monkeypatch.setenv("COORDTUI_PLUGIN_PATH", str(DROPINS))
    host = PluginHost(autoload=False).load()
    assert "mini" in host.models


def test_builtin_models_come_through_entry_points():
    host = PluginHost().load()
    info = host.plugins["university_grid"]
    assert info.status == "ok" and info.source.startswith("entry point")
    assert "university_grid" in host.models


def test_each_host_is_independent():
    a = PluginHost(plugin_dirs=[DROPINS], autoload=False).load()
    b = PluginHost(autoload=False).load()
    assert "mini" in a.models and "mini" not in b.models


def test_rule_ids_must_carry_the_model_prefix(tmp_path):
    _write(tmp_path, "wrong_prefix", GOOD.format(mid="pfx") + textwrap.dedent("""
        from coordtui.api import Rule
        @hookimpl
        def coordtui_rules(model):
            if model.id == "pfx":
                return [Rule("other.rule", "x", "x", lambda ctx: [])]
    """))
    host = PluginHost(plugin_dirs=[tmp_path], autoload=False).load()
    assert "must start with 'pfx.'" in host.plugins["wrong_prefix"].cause


import pytest  # noqa: E402

HOOKS_WITH_MODEL = ["coordtui_rules", "coordtui_obligations", "coordtui_screens", "coordtui_exports", "coordtui_fixtures"]


@pytest.mark.parametrize("hook", ["coordtui_models", *HOOKS_WITH_MODEL])
def test_a_plugin_raising_in_any_hook_is_switched_off_and_the_others_work(tmp_path, hook):
    args = "" if hook == "coordtui_models" else "model"
    name = f"raiser_{hook}"  # a module name per case: Python caches imports by name
    _write(tmp_path, name, GOOD.format(mid="rz") + f"\n@hookimpl\ndef {hook}({args}):\n    raise RuntimeError('broken {hook}')\n"
           if hook != "coordtui_models" else f"from coordtui import hookimpl\n@hookimpl\ndef {hook}({args}):\n    raise RuntimeError('broken {hook}')\n")
    host = PluginHost(plugin_dirs=[DROPINS, tmp_path], autoload=False).load()
    assert host.plugins[name].status == "failed" and f"raised in {hook}: RuntimeError: broken {hook}" in host.plugins[name].cause
    assert "rz" not in host.models
    assert host.plugins["mini"].status == "ok" and host.rules("mini") and host.fixtures("mini")
