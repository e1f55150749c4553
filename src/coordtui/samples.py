"""Small, real files for the bundled examples' attachments (示例佐证材料): a Word document made
with python-docx, a "scan" made with Pillow. Made by code when an example is loaded, so the
repository holds no binary blobs; the same text always makes the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from functools import lru_cache

_TITLE, _BODY = "COORDTUI-TITLE", "COORDTUI-BODY"
_FIXED = (2026, 1, 1, 0, 0, 0)  # zip entries' date: the same text, the same bytes


@lru_cache(maxsize=1)
def _template() -> dict[str, bytes]:
    """A Word document made once by python-docx with a heading and a paragraph to fill in."""
    import docx

    document = docx.Document()
    document.add_heading(_TITLE, level=1)
    document.add_paragraph(_BODY)
    buf = io.BytesIO()
    document.save(buf)
    with zipfile.ZipFile(buf) as z:
        return {name: z.read(name) for name in z.namelist()}


@lru_cache(maxsize=512)  # examples are loaded again and again (tests, demo): made once per process
def docx(title: str, *paragraphs: str) -> bytes:
    """A Word document (docx) with ``title`` as its heading and ``paragraphs`` below it."""
    from xml.sax.saxutils import escape  # here, not at start-up: it brings urllib and http.client

    parts = dict(_template())
    xml = parts["word/document.xml"].decode("utf-8")
    body_para = xml[xml.rfind("<w:p", 0, xml.index(_BODY)):xml.index("</w:p>", xml.index(_BODY)) + len("</w:p>")]
    filled = "".join(body_para.replace(_BODY, escape(p)) for p in paragraphs) if paragraphs else ""
    xml = xml.replace(body_para, filled).replace(_TITLE, escape(title))
    parts["word/document.xml"] = xml.encode("utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(zipfile.ZipInfo(name, _FIXED), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


@lru_cache(maxsize=512)
def scan(seed: str, size: tuple[int, int] = (120, 170)) -> bytes:
    """A small PNG standing in for a signed page's scan: ruled lines and a red seal, varied by ``seed``."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (250, 250, 246))
    draw = ImageDraw.Draw(image)
    w, h = size
    for n, y in enumerate(range(18, h - 30, 9)):
        end = w - 12 - (sum(map(ord, seed + str(n))) % 40)
        draw.line((12, y, end, y), fill=(60, 60, 60))
    offset = sum(map(ord, seed)) % 30
    draw.ellipse((w - 52 - offset // 3, h - 50, w - 14 - offset // 3, h - 12), outline=(200, 30, 30), width=3)
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=False)
    return buf.getvalue()
