"""The layout of an official document (党政机关公文格式, GB/T 9704-2012) in python-docx.

What the standard fixes and this module sets: A4 paper; margins top 37 mm, bottom 35 mm,
left 28 mm, right 26 mm (a 156 × 225 mm text block); 三号 (16 pt) 仿宋 body on a grid of
22 lines × 28 characters with exact line spacing and no space between paragraphs; the title
in 二号 (22 pt) 小标宋; headings 一、（一）1.（1） in 黑体, 楷体 and 仿宋; page numbers
"— 1 —" in 四号 (14 pt) below the block, odd pages on the right and even pages on the left,
each one character in from the edge; the issuing body's signature and date spaced as
7.3.5.2 says; the closing block (版记: 抄送, 印发机关和印发日期) between rules.

The fonts the standard names are not free. Each is declared with the name offices'
Windows machines have, and the font table gives the free family of the same look and a
generic family, so LibreOffice and WPS on a machine without them still show 宋/仿宋/楷
rather than a sans.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, Twips

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI = "黑体"
KAI = "楷体_GB2312"
SONG = "宋体"
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
PAGE_NUMBER_PT = 14  # 四号
LINE_PITCH = 579  # twips: 225 mm of text block / 22 lines = 28.95 pt
# 156 mm / 28 characters = 15.79 pt a character, and a 三号 glyph is 16 pt: glyphs are set at 98 % width
# (15.68 pt; the eye does not see it). LibreOffice's character grid would put each 16 pt glyph in
# two cells, so the grid fixes the lines only.
CHAR_SCALE = 98
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}

# name → (free family of the same look, generic family, Windows charset 86 = GB2312)
_FONTS = {
    TITLE_FONT: ("Noto Serif CJK SC", "roman"),
    BODY_FONT: ("Noto Serif CJK SC", "roman"),
    KAI: ("Noto Serif CJK SC", "roman"),
    SONG: ("Noto Serif CJK SC", "roman"),
    HEI: ("Noto Sans CJK SC", "swiss"),
    "Times New Roman": ("Liberation Serif", "roman"),
}
# Level → (font, bold); the standard: 一、 黑体, （一） 楷体, 1. and （1） 仿宋.
_LEVEL_FONTS = {1: (HEI, False), 2: (KAI, False), 3: (BODY_FONT, True), 4: (BODY_FONT, False)}
CN_NUMBERS = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (the numbers of 一、 and （一） headings)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (CN_NUMBERS[ones - 1] if ones else "")


def cn_date(day: date) -> str:
    """2026-10-15 → 2026年10月15日, as documents write dates."""
    return f"{day.year}年{day.month}月{day.day}日"


_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def cn_dates(text: str) -> str:
    """Every ISO date in ``text`` written the documents' way."""
    return _ISO.sub(lambda m: f"{int(m.group(1))}年{int(m.group(2))}月{int(m.group(3))}日", text)


def sentence(text: str) -> str:
    """``text`` ending with a full stop (句号) unless it already ends a sentence."""
    text = text.rstrip()
    return text if not text or text[-1] in "。！？；：…" else text + "。"


def _width(text: str) -> float:
    """Width in characters of the grid: CJK and full-width signs one, ASCII half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1 for ch in text)


def _font(run, name: str, size: float, bold: bool = False) -> None:
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), "Times New Roman")
    fonts.set(qn("w:hAnsi"), "Times New Roman")
    run.font.size = Pt(size)
    run.font.bold = bold
    if size == BODY_PT:
        scale = OxmlElement("w:w")
        scale.set(qn("w:val"), str(CHAR_SCALE))
        run._element.get_or_add_rPr().append(scale)


def _text(paragraph, text: str, font: str, size: float, bold: bool = False) -> None:
    _font(paragraph.add_run(text), font, size, bold)


def _exact(paragraph, pitch: int = LINE_PITCH) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Twips(pitch)
    fmt.space_before = fmt.space_after = Pt(0)
    # no punctuation hanging past the right margin (LibreOffice's default): the block stays 156 mm wide
    ppr = paragraph._p.get_or_add_pPr()
    overflow = OxmlElement("w:overflowPunct")
    overflow.set(qn("w:val"), "0")
    ppr.insert(0, overflow)


def _outline(paragraph, level: int) -> None:
    """Word's and LibreOffice's navigation and table of contents read the outline level."""
    ppr = paragraph._p.get_or_add_pPr()
    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(level - 1))
    ppr.append(element)


def new_document(*, author: str, title: str, created: datetime):
    """An empty A4 document with the standard's page, grid, fonts, page numbers and properties."""
    from docx import Document

    document = Document()
    _defaults(document)
    _font_table(document)
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    # The page number's rule (一字线) sits 7 mm below the text block.
    section.footer_distance = Mm(MARGINS_MM["bottom"] - 7 - 6)
    section.header_distance = Mm(15)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    _page_numbers(document, section)
    props = document.core_properties
    props.author = props.last_modified_by = author
    props.title = title
    props.language = "zh-CN"
    props.created = props.modified = created
    props.revision = 1
    props.comments = props.keywords = props.subject = props.category = ""
    return document


def _defaults(document) -> None:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        styles.remove(defaults)
    styles.insert(0, parse_xml(
        f'<w:docDefaults {nsdecls("w")}><w:rPrDefault><w:rPr>'
        f'<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="{BODY_FONT}" w:cs="Times New Roman"/>'
        # Latin text (numbers) is en-US: marked zh-CN, LibreOffice breaks 2026 over two lines
        f'<w:kern w:val="2"/><w:sz w:val="{BODY_PT * 2}"/><w:szCs w:val="{BODY_PT * 2}"/>'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        f'<w:pPrDefault><w:pPr><w:widowControl/><w:overflowPunct w:val="0"/><w:spacing w:before="0" w:after="0" w:line="{LINE_PITCH}" w:lineRule="exact"/>'
        '<w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>'))
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Twips(LINE_PITCH)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    settings = document.settings.element
    for lang in settings.findall(qn("w:themeFontLang")):
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
    # Odd and even pages carry their page number on the outer side.
    if settings.find(qn("w:evenAndOddHeaders")) is None:
        settings.append(OxmlElement("w:evenAndOddHeaders"))


_PANOSE = {"roman": "02010609030101010101", "swiss": "02010609060101010101"}


def _font_table(document) -> None:
    part = document.part.part_related_by("http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable")
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:panose1 w:val="{_PANOSE[family]}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
        for name, (alt, family) in _FONTS.items())
    part._blob = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts {nsdecls("w")}>{entries}</w:fonts>').encode("utf-8")


def _page_numbers(document, section) -> None:
    """— 1 — in 四号 宋体: odd pages right-aligned, even pages left-aligned, one character in."""
    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        setattr(fmt, f"{side}_indent", Pt(PAGE_NUMBER_PT))
        _font(paragraph.add_run("— "), SONG, PAGE_NUMBER_PT)
        run = paragraph.add_run()
        _font(run, SONG, PAGE_NUMBER_PT)
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)
            elif text == " PAGE ":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            else:
                t = OxmlElement("w:t")
                t.text = text
                run._r.append(t)
        _font(paragraph.add_run(" —"), SONG, PAGE_NUMBER_PT)


def title(document, lines: list[str]) -> None:
    """The title (标题) in 二号 小标宋, centred, one line per element so no word is broken,
    kept together, followed by the standard's empty line."""
    for n, line in enumerate(lines):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _exact(paragraph)  # on the grid too: a 二号 glyph fits a 28.95 pt line
        paragraph.paragraph_format.keep_with_next = True
        paragraph.paragraph_format.keep_together = True
        # off the grid: a 二号 line would otherwise take two grid lines
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        paragraph._p.get_or_add_pPr().insert(0, snap)
        _font(paragraph.add_run(line), TITLE_FONT, TITLE_PT)
    blank(document)


def blank(document) -> None:
    paragraph = document.add_paragraph()
    _exact(paragraph)


def recipient(document, name: str) -> None:
    """主送机关: flush left under the title, ending with a full-width colon."""
    paragraph = document.add_paragraph()
    _exact(paragraph)
    _font(paragraph.add_run(name.rstrip("：:") + "："), BODY_FONT, BODY_PT)


def _heading_level(paragraph) -> int | None:
    ppr = paragraph._p.pPr
    if ppr is None:
        return None
    lvl = ppr.find(qn("w:outlineLvl"))
    return int(lvl.get(qn("w:val"))) + 1 if lvl is not None else None


def _next_number(document, level: int) -> int:
    count = 0
    for paragraph in reversed(document.paragraphs):
        found = _heading_level(paragraph)
        if found is None:
            continue
        if found < level:
            break
        if found == level:
            count += 1
    return count + 1


def heading(document, text: str, level: int = 1) -> None:
    """A section heading, numbered for its level: 一、 (黑体), （一） (楷体), 1. and （1） (仿宋).

    The number follows the headings already in the document, so a model's section comes
    after the core's with the next number. The heading is kept with the text after it and
    carries its outline level (the navigation pane and a table of contents read it).
    """
    n = _next_number(document, level)
    number = {1: f"{cn_number(n)}、", 2: f"（{cn_number(n)}）", 3: f"{n}.", 4: f"（{n}）"}[level]
    paragraph = document.add_paragraph()
    _exact(paragraph)
    paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.keep_together = True
    _outline(paragraph, level)
    font, bold = _LEVEL_FONTS[level]
    _text(paragraph, number + text, font, BODY_PT, bold)


def body(document, text: str) -> None:
    """A body paragraph in 仿宋 三号, first line indented two characters, ending with 。."""
    paragraph = document.add_paragraph()
    _exact(paragraph)
    paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _text(paragraph, sentence(cn_dates(text)), BODY_FONT, BODY_PT)


def signature(document, issuer: str, day: date) -> None:
    """发文机关署名 and 成文日期 without a seal (7.3.5.2): one empty line under the text, the
    body two characters in from the right, the date on the next line starting two characters
    right of the body's first character (or two in from the right when it is the longer)."""
    blank(document)
    when = cn_date(day)
    w_issuer, w_date = _width(issuer), _width(when)
    right_issuer, right_date = 2.0, w_issuer - w_date
    if right_date < 2:
        right_date, right_issuer = 2.0, w_date + 4 - w_issuer
    for text, right in ((issuer, right_issuer), (when, right_date)):
        paragraph = document.add_paragraph()
        _exact(paragraph)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Pt(BODY_PT * right)
        paragraph.paragraph_format.keep_with_next = True
        _text(paragraph, text, BODY_FONT, BODY_PT)


def closing_block(document, *, copy_to: list[str], issuer: str, day: date) -> None:
    """版记: 抄送 (when there is one) and 印发机关和印发日期 in 四号 仿宋 between the standard's
    rules (the first and last thick, the one between thin), one character in from each side."""
    blank(document)
    rows = []
    if copy_to:
        rows.append(("抄送：" + "，".join(copy_to) + "。", None))
    rows.append((issuer, f"{cn_date(day)}印发"))
    table = document.add_table(rows=len(rows), cols=1)
    for n, (left, right) in enumerate(rows):
        cell = table.rows[n].cells[0]
        top = "12" if n == 0 else "4"
        bottom = "12" if n == len(rows) - 1 else "4"
        cell._tc.get_or_add_tcPr().append(parse_xml(
            f'<w:tcBorders {nsdecls("w")}><w:top w:val="single" w:sz="{top}" w:color="000000"/>'
            f'<w:left w:val="nil"/><w:right w:val="nil"/>'
            f'<w:bottom w:val="single" w:sz="{bottom}" w:color="000000"/></w:tcBorders>'))
        paragraph = cell.paragraphs[0]
        _exact(paragraph)
        paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
        paragraph.paragraph_format.keep_with_next = n < len(rows) - 1
        if right:
            # the date flush right on the same line: a right tab stop at the cell's inner edge
            paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(156) - Pt(PAGE_NUMBER_PT * 2), alignment=WD_TAB_ALIGNMENT.RIGHT)
            _font(paragraph.add_run(f"{left}\t{right}"), BODY_FONT, PAGE_NUMBER_PT)
        else:
            _font(paragraph.add_run(left), BODY_FONT, PAGE_NUMBER_PT)
