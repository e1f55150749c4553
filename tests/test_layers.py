"""Import contracts of ARCHITECTURE.md, and the documentation contract of the hooks."""

import ast
import re
import subprocess
import sys
from pathlib import Path

from coordtui.plugins import HOOKS

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "coordtui"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_domain_rules_store_never_import_textual_and_domain_not_tinydb_or_pluggy():
    for layer, banned in [("domain", {"textual", "tinydb", "pluggy"}), ("rules", {"textual", "tinydb", "pluggy"}), ("store", {"textual", "pluggy"})]:
        for path in (SRC / layer).rglob("*.py"):
            assert not (_imports(path) & banned), f"{path} imports {_imports(path) & banned}"


def test_nothing_outside_the_store_imports_tinydb():
    for path in [*SRC.rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]:
        if SRC / "store" in path.parents:
            continue
        assert "tinydb" not in _imports(path), path


def test_the_domain_imports_in_a_fresh_interpreter_without_textual():
    code = "import sys, coordtui.api, coordtui.rules, coordtui.store; assert 'textual' not in sys.modules, 'textual loaded'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_plugins_use_only_the_public_api():
    for path in (ROOT / "plugins").rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"^\s*(?:from|import) (coordtui[\w.]*)", text, re.M):
            assert m.group(1) in ("coordtui", "coordtui.api", "coordtui.ui"), f"{path}: {m.group(1)}"


def test_every_hook_is_documented():
    doc = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    for hook in HOOKS:
        assert re.search(rf"^### `{hook}\(", doc, re.M), f"docs/plugins.md does not document {hook}"


def test_catalogue_has_both_languages():
    from coordtui.i18n import CATALOGUE

    for key, (zh, en) in CATALOGUE.items():
        assert zh and en, key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_models_complain_in_both_languages():
    """A validator in a bundled model raises ``invalid(zh, en)``, never a one-language ValueError."""
    offenders = []
    for path in sorted((ROOT / "plugins").glob("*/kinds.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "raise ValueError(" in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []
