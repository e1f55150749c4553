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
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


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


_FIELDS = re.compile(r"{(\w+)(?:[:!][^}]*)?}")


def test_catalogue_has_both_languages():
    from coordtui.i18n import CATALOGUE

    for key, (zh, en) in CATALOGUE.items():
        assert zh and en, key
        assert set(_FIELDS.findall(zh)) == set(_FIELDS.findall(en)), key


def test_models_complain_in_both_languages():
    """A validator in a bundled model raises ``invalid(zh, en)``, never a one-language ValueError."""
    offenders = []
    for path in sorted((ROOT / "plugins").glob("*/kinds.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "raise ValueError(" in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []



def test_every_models_catalogue_has_both_languages_and_the_keys_its_code_uses():
    from coordtui.i18n import CATALOGUE
    from coordtui.plugins import PluginHost

    host = PluginHost().load()
    assert set(host.models) >= {"university_grid", "county_zones", "enterprise_tiers", "four_duties", "dispatched_linkage"}
    for model_id, model in host.models.items():
        assert model.messages, f"{model_id} has no catalogue"
        for key, (zh, en) in model.messages.items():
            assert set(_FIELDS.findall(zh)) == set(_FIELDS.findall(en)), f"{model_id}: {key}"
        used: set[str] = set()
        for path in (ROOT / "plugins" / model_id).glob("*.py"):
            used |= set(re.findall(r"""(?:self\.t|model_text\(self\.app, MODEL_ID,)\(?\s*"([\w.]+)\"""", path.read_text(encoding="utf-8")))
        unknown = {k for k in used if k not in model.messages and k not in CATALOGUE}
        assert used and not unknown, f"{model_id} uses keys missing from its catalogue: {sorted(unknown)}"


def test_no_interface_text_is_written_inline_in_one_language_or_the_other():
    """Interface texts come from catalogues (coordtui.i18n.CATALOGUE, a model's messages.py),
    not from ``"中文" if zh else "English"`` written where they are shown."""
    inline = re.compile(r"""["'][^"'\n]*[\u4e00-\u9fff][^"'\n]*["']\)?\s+if\b[^\n]*\belse\b""")
    offenders = []
    files = [*(ROOT / "src" / "coordtui").rglob("*.py"), *(ROOT / "plugins").glob("*/*.py")]
    for path in files:
        if path.name in ("i18n.py", "messages.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if inline.search(line) and re.search(r"\b(zh|lang|_zh\(self\))\b", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert offenders == []
