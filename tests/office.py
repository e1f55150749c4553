"""LibreOffice and poppler as the tests' reader of what an office receives.

A test that needs them is skipped with the reason when they are missing, unless
``COORDTUI_REQUIRE_OFFICE`` is set (``.ci/run`` sets it after installing them): then it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

FONTS = Path(__file__).resolve().parent.parent / "docs" / "fontconfig" / "coordtui-gbt9704.conf"
CONVERT_TIMEOUT = 180  # s: a cold LibreOffice start on a loaded two-core machine


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    missing = [name for name, ok in (("LibreOffice (apt-get install libreoffice-writer libreoffice-calc)", found),
                                     ("poppler-utils", shutil.which("pdftotext"))) if not ok]
    if missing:
        reason = "needs " + " and ".join(missing)
        if os.environ.get("COORDTUI_REQUIRE_OFFICE"):
            pytest.fail(f"COORDTUI_REQUIRE_OFFICE is set but this machine lacks: {reason}")
        pytest.skip(reason)
    return found


def convert(path: Path, fmt: str, outdir: Path) -> Path:
    """``path`` converted by LibreOffice to ``fmt`` (pdf, csv) in ``outdir``; a private profile, a bounded wait."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".lo-profile"
    proc = subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", fmt,
         "--outdir", str(outdir), str(path)],
        capture_output=True, text=True, timeout=CONVERT_TIMEOUT,
        env={**os.environ, "FONTCONFIG_FILE": str(FONTS)})
    target = outdir / (path.stem + "." + fmt.split(":")[0])
    if not target.exists() and list(outdir.glob(f"{path.stem}-*")):
        target = outdir  # a csv per sheet: STEM-SHEET.csv
    assert proc.returncode == 0 and target.exists(), (proc.stdout, proc.stderr)
    return target


@dataclass
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass
class Pdf:
    width: float
    height: float
    words: list[Word]
    pages: int

    def text(self) -> str:
        return "".join(w.text for w in self.words)

    def lines(self, page: int) -> list[list[Word]]:
        """The page's words grouped into lines by their baseline (within 2 pt)."""
        rows: list[list[Word]] = []
        for w in sorted((w for w in self.words if w.page == page), key=lambda w: (w.y1, w.x0)):
            if rows and abs(rows[-1][0].y1 - w.y1) < 4:
                rows[-1].append(w)
            else:
                rows.append([w])
        return [sorted(row, key=lambda w: w.x0) for row in rows]


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def read_pdf(path: Path) -> Pdf:
    proc = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    words: list[Word] = []
    width = height = 0.0
    page = 0
    for line in proc.stdout.splitlines():
        m = _PAGE.search(line)
        if m:
            page += 1
            width, height = float(m.group(1)), float(m.group(2))
            continue
        m = _WORD.search(line)
        if m:
            words.append(Word(page, *(float(m.group(i)) for i in range(1, 5)), m.group(5)))
    return Pdf(width, height, words, page)


MM = 72 / 25.4
