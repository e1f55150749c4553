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


@pytest.fixture(scope="session")
def example_template(tmp_path_factory) -> Path:
    """The bundled examples, built once per test session (per xdist worker) with their own seal key
    beside them: ``<folder>/store`` and ``<folder>/config``. Tests take a copy (``example_store``)."""
    from coordtui.testing import example_workspace

    folder = tmp_path_factory.mktemp("examples")
    before = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
    try:
        example_workspace(folder)
    finally:
        os.environ["XDG_CONFIG_HOME"] = before or ""
    return folder / "store"


@pytest.fixture
def example_store(example_template, tmp_path) -> Path:
    """A fresh copy of the bundled examples' store in this test's folder, its seal key in this test's
    configuration folder: the test may change it freely."""
    import shutil

    shutil.copytree(example_template, tmp_path / "store")
    shutil.copytree(example_template.parent / "config", os.environ["XDG_CONFIG_HOME"], dirs_exist_ok=True)
    return tmp_path / "store"


@pytest.fixture
def mini_host() -> PluginHost:
    return PluginHost(plugin_dirs=[DROPINS], autoload=False).load()


@pytest.fixture
def mini_ws(tmp_path, mini_host) -> Workspace:
    ws = Workspace(Store(tmp_path / "store", create=True), mini_host)
    ws.load_examples()
    return ws
