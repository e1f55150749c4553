from __future__ import annotations

import os
from pathlib import Path

import pytest

from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace

HERE = Path(__file__).parent


def run(capsys, *args, stdin: bytes | None = None, monkeypatch=None) -> tuple[int, str, str]:
    """``coordtui ARGS`` in this process: (exit status, standard output, standard error).
    ``stdin``: bytes the command reads as its standard input (needs ``monkeypatch``)."""
    import io
    import sys

    from coordtui.cli import main

    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main([*map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err
DROPINS = HERE / "dropins"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test sees the developer's store, plugin path or holidays."""
    for var in ("COORDTUI_DB", "COORDTUI_PLUGIN_PATH", "COORDTUI_DISABLE_PLUGINS", "COORDTUI_DISABLE_PLUGIN_AUTOLOAD", "COORDTUI_HOLIDAYS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))


@pytest.fixture(autouse=True)
def _isolated_keys(tmp_path):
    """The stores' seal keys go to the test's own configuration folder, even past a test's monkeypatch.undo()."""
    old = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    yield
    if old is None:
        os.environ.pop("XDG_CONFIG_HOME", None)
    else:
        os.environ["XDG_CONFIG_HOME"] = old


@pytest.fixture
def mini_host() -> PluginHost:
    return PluginHost(plugin_dirs=[DROPINS], autoload=False).load()


@pytest.fixture
def mini_ws(tmp_path, mini_host) -> Workspace:
    ws = Workspace(Store(tmp_path / "store", create=True), mini_host)
    ws.load_examples()
    return ws
