"""Page 1 of each model's Word report as a PNG for the README (docs/images/report-<model>.png).

Each bundled example organization's 2026Q3 report is written by ``coordtui export``, converted
to PDF by LibreOffice (with docs/fontconfig, so the standard's fonts show as free serif
fonts) and page 1 rendered by poppler's pdftoppm. Needs libreoffice-writer, fonts-noto-cjk and
poppler-utils; each step has a time limit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
IMAGES = HERE / "images"
FONTS = HERE / "fontconfig" / "coordtui-gbt9704.conf"
AS_OF, PERIOD = "2026-10-15", "2026Q3"


def main() -> int:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftoppm"):
        print("needs LibreOffice and poppler: apt-get install libreoffice-writer fonts-noto-cjk poppler-utils", file=sys.stderr)
        return 2
    from coordtui.cli import main as coordtui
    from coordtui.store import Store

    IMAGES.mkdir(exist_ok=True)
    env = {**os.environ, "FONTCONFIG_FILE": str(FONTS)}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = work / "db"
        if coordtui(["init", "--db", str(db), "--examples"]) != 0:
            return 1
        for org in Store(db).orgs():
            docx = work / f"{org['model']}.docx"
            if coordtui(["export", "--db", str(db), "--org", org["id"], "--format", "docx", "--as-of", AS_OF,
                         "--period", PERIOD, "--out", str(docx)]) != 0:
                return 1
            subprocess.run([soffice, f"-env:UserInstallation=file://{work / 'lo'}", "--headless", "--convert-to", "pdf",
                            "--outdir", str(work), str(docx)], check=True, env=env, timeout=180, capture_output=True)
            target = IMAGES / f"report-{org['model']}"
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(docx.with_suffix(".pdf")),
                            str(target)], check=True, timeout=60)
            print(f"wrote {target}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
