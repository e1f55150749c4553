from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from coordtui.plugins import PluginHost
from coordtui.store import Store
from coordtui.workspace import Workspace

HERE = Path(__file__).parent



def docx_bytes(text: str = "新闻稿") -> bytes:
    """A real (tiny) OOXML word document, as Word writes its parts: what the attachment tests
    keep with a record (fixed dates: the same text makes the same bytes)."""
    import io
    import zipfile

    fixed = (2026, 9, 25, 0, 0, 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", fixed), '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr(zipfile.ZipInfo("word/document.xml", fixed), f"<w:document><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>")
    return buf.getvalue()


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


@contextmanager
def own_key(folder: Path):
    """Within the block, stores made get their seal key in ``<folder>/config``: a template store
    built once keeps its key beside it, for :func:`copy_with_key`."""
    before = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(folder / "config")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("XDG_CONFIG_HOME", None)
        else:
            os.environ["XDG_CONFIG_HOME"] = before


def copy_with_key(template: Path, dest: Path) -> Path:
    """A copy of the template store ``template`` (made under :func:`own_key` of its parent folder)
    at ``dest``, its seal key put in this test's configuration folder: changed freely."""
    shutil.copytree(template, dest)
    shutil.copytree(template.parent / "config", os.environ["XDG_CONFIG_HOME"], dirs_exist_ok=True)
    return dest


def one_example(root: Path, model: str, org: str, kind: str, record_id: str, *, user: str | None = None) -> Workspace:
    """A store at ``root`` holding only ``model``'s first example organization, the record
    ``kind``/``record_id`` stripped of the files the example keeps with it."""
    from coordtui.interchange import validate_document

    ws = Workspace(Store(root, create=True, user=user), PluginHost())
    plan = validate_document(ws.host.fixtures(model)[0], ws, f"<{model} example>")
    ws.replace_org(plan.org, plan.records, replace=True)
    for attachment in ws.attachments(org, kind, record_id):
        ws.detach(org, kind, record_id, attachment.sha256)
    return ws


@pytest.fixture(scope="session")
def example_template(tmp_path_factory) -> Path:
    """The bundled examples, built once per test session (per xdist worker) with their own seal key
    beside them: ``<folder>/store`` and ``<folder>/config``. Tests take a copy (``example_store``)."""
    from coordtui.testing import example_workspace

    folder = tmp_path_factory.mktemp("examples")
    with own_key(folder):
        example_workspace(folder)
    return folder / "store"


@pytest.fixture
def example_store(example_template, tmp_path) -> Path:
    """A fresh copy of the bundled examples' store in this test's folder, its seal key in this test's
    configuration folder: the test may change it freely."""
    return copy_with_key(example_template, tmp_path / "store")


@pytest.fixture
def mini_host() -> PluginHost:
    return PluginHost(plugin_dirs=[DROPINS], autoload=False).load()


@pytest.fixture
def mini_ws(tmp_path, mini_host) -> Workspace:
    ws = Workspace(Store(tmp_path / "store", create=True), mini_host)
    ws.load_examples()
    return ws


def checkpointed(store, tmp_path):
    """Checkpoint ``store``'s commit journal and copy the store as it then is (without the journal):
    what a power cut would bring back (see :func:`power_cut`)."""
    from coordtui.store import files

    with store.locked():
        files._checkpoint(store.root)
    snapshot = tmp_path / "at-checkpoint"
    shutil.copytree(store.root, snapshot, ignore=shutil.ignore_patterns(files.WAL, ".lock"))
    return snapshot


def power_cut(root, snapshot, monkeypatch):
    """Every store file back as it was at ``snapshot`` (the last checkpoint: nothing written since was
    fsynced but the journal), files made since gone; the journal as it is; another boot, whose
    process knows nothing of what the journal held whole."""
    from coordtui.store import files

    for path in sorted(root.rglob("*"), reverse=True):
        if path.name in (files.WAL, ".lock") or path.is_dir():
            continue
        path.unlink()
    shutil.copytree(snapshot, root, dirs_exist_ok=True)
    monkeypatch.setattr(files, "_BOOT", ["another-boot"])
    monkeypatch.setattr(files, "_WHOLE", {})


@pytest.fixture
def whole_writes(monkeypatch):
    """Every save writes its data file whole (as it does once a file's appended lines reach their
    bound: files.needs_compaction), for the tests of that path: the commit journal's patches, a
    backup kept per version written whole."""
    from coordtui.store import files, seal

    monkeypatch.setattr(files, "_MAX_LINES", 0)
    monkeypatch.setattr(seal, "MANIFEST_LINES", 0)


def filled_store(root: Path, month: str, filler: int) -> Store:
    """A store of one organization "o" (owner alice) with ``filler`` records in ``month`` and one
    record "b" in the month after it: the journal-patch and appended-save tests' store."""
    from coordtui.store import Put

    store = Store(root, create=True, user="alice")
    store.put_org({"id": "o", "name": "O", "model": "m"})
    store.apply([Put("o", "activity", f"f{i}", {"title": f"filler record {i} " * 4}, month) for i in range(filler)])
    store.put("o", "activity", "b", {"v": "old"}, part="2026-04")
    return store


def damage_sealed(path: Path, how: str, forge, original: Path, aside: str) -> None:
    """Damage a sealed cache file in one of the ways a colleague or a crash would: "garbage",
    "truncated", "forged" (its payload changed by ``forge`` under the old seal), "replayed" (the
    sealed ``original`` of another place copied over it), "a link" (a symbolic link in its place,
    to a well-sealed copy named ``aside``)."""
    raw = path.read_bytes()
    mac, _, payload = raw.partition(b"\n")
    if how == "garbage":
        path.write_bytes(b"\x00not json")
    elif how == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif how == "forged":
        path.write_bytes(mac + b"\n" + forge(payload))
    elif how == "replayed":
        shutil.copyfile(original, path)
    elif how == "a link":
        shutil.copyfile(path, path.with_name(aside))
        path.unlink()
        path.symlink_to(path.with_name(aside))
