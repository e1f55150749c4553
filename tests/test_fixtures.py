"""The exported example files in fixtures/ match what the plugins bundle."""

import json
from pathlib import Path

import pytest

from coordtui.interchange import export_document
from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    ws = Workspace(Store(tmp_path_factory.mktemp("fx") / "s", create=True), PluginHost())
    return ws, ws.load_examples()


def test_every_example_has_its_file_and_it_is_current(examples):
    ws, loaded = examples
    assert loaded
    for org_id in loaded:
        path = FIXTURES / f"{org_id}.json"
        assert path.exists(), f"{path} is missing: run 'make fixtures'"
        assert json.loads(path.read_text(encoding="utf-8")) == export_document(ws, org_id), f"{path} is stale: run 'make fixtures'"


def test_readme_lists_every_example(examples):
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    for org_id in examples[1]:
        assert f"`{org_id}.json`" in readme
