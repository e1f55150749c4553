"""The README's pictures: Chinese keeps its two cells per character in the SVGs."""

from __future__ import annotations

import importlib.util
import re

import pytest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_screenshots():
    spec = importlib.util.spec_from_file_location("coordtui_docs_screenshots", ROOT / "docs" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_widen_cjk_sizes_runs_by_terminal_cells():
    widen = load_screenshots().widen_cjk
    svg = ('<text class="r1" x="0" y="1" textLength="24.4" clip-path="url(#a)">ab</text>'
           '<text class="r2" x="24.4" y="1" textLength="48.8" clip-path="url(#a)">平罗&#160;x</text>'
           '<text class="r3" x="73.2" y="1" textLength="0" clip-path="url(#a)"></text>')
    lengths = [float(n) for n in re.findall(r'textLength="([0-9.]+)"', widen(svg))]
    assert lengths == pytest.approx([24.4, 12.2 * 6, 0])  # 'ab' as it was; 平罗 two cells each, then a space and x


def test_the_readme_shows_the_pictures_make_screenshots_writes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("dashboard", "compliance-matrix", "demo"):
        assert f"docs/images/{name}.svg" in readme
        svg = (ROOT / "docs" / "images" / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg") and "textLength" in svg
