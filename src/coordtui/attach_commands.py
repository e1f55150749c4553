"""The command line of attachments (佐证材料): ``attach``, ``attachments``, ``detach``, ``attachment``.

Registered by :mod:`coordtui.cli`; ``attach`` (from standard input) and ``attachments`` are
also allowed over SSH (``coordtui shell NAME``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from coordtui.errors import InputError, one_line
from coordtui.userfiles import write_private_file

HEADERS = {"zh": ("SHA-256", "类型", "大小", "添加日期", "添加人", "文件名", "标题"),
           "en": ("SHA-256", "type", "size", "added", "by", "file name", "title")}
NONE = {"zh": "{where}：暂无附件", "en": "{where}: no attachments"}
ATTACHED = {"zh": "已将 {name}（{type}，{size}，SHA-256 {sha}）附于 {org} 的 {kind} {id}",
            "en": "attached {name} ({type}, {size}, sha256 {sha}) to {kind} {id} of {org}"}
DETACHED = {"zh": "已从 {org} 的 {kind} {id} 删除附件 {name}（SHA-256 {sha}）",
            "en": "detached {name} (sha256 {sha}) from {kind} {id} of {org}"}
WROTE = {"zh": "已写出 {out}（{name}，{size}）", "en": "wrote {out} ({name}, {size})"}


def _lang(args: argparse.Namespace) -> str:
    return args.lang if getattr(args, "lang", None) in HEADERS else "zh"


def add_parsers(sub, common, parser_class) -> None:
    """The subcommands, on ``sub`` (cli.build_parser's subparsers)."""
    p = sub.add_parser("attach", help="keep a file with a record (佐证材料): docx, xlsx, pdf, doc/wps, ofd, jpg or png; - reads standard input")
    common(p, suppress=True)
    _record_args(p)
    p.add_argument("file", nargs="?", metavar="FILE", help="the file; - or nothing reads standard input (then --name is needed)")
    p.add_argument("--name", metavar="NAME", help="the file's name as kept (default: FILE's own name)")
    p.add_argument("--title", metavar="TITLE", help="the title shown (default: the name without its extension)")

    p = sub.add_parser("attachments", help="list the files kept with a record")
    common(p, suppress=True)
    _record_args(p)
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("detach", help="take a file off a record (by its SHA-256, a prefix of 8 or more, or its file name)")
    common(p, suppress=True)
    _record_args(p)
    p.add_argument("key", metavar="SHA256-OR-NAME")

    p = sub.add_parser("attachment", help="write one of a record's files out (by file name or SHA-256)")
    common(p, suppress=True)
    _record_args(p)
    p.add_argument("key", metavar="NAME-OR-SHA256")
    p.add_argument("--out", metavar="FILE", help="where to write it; - for standard output (default: its own file name, here; "
                                                "over SSH always standard output)")


def _record_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("org", metavar="ORG")
    p.add_argument("kind", metavar="KIND")
    p.add_argument("id", metavar="ID")


def cmd_attach(args: argparse.Namespace, ws) -> int:
    if args.file in (None, "-"):
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("attach: name the FILE, or send it on standard input (attach ORG KIND ID --name NAME < FILE)",
                             message_zh="attach：请给出文件，或从标准输入发送（attach 组织 类别 编号 --name 文件名 < 文件）")
        if not args.name:
            raise InputError("attach: a file from standard input needs its name: add --name NAME (e.g. --name 新闻稿.docx)",
                             message_zh="attach：来自标准输入的文件需要文件名：请加 --name 文件名（如 --name 新闻稿.docx）")
        item = ws.attach(args.org, args.kind, args.id, sys.stdin.buffer, name=args.name, title=args.title)
    elif args.name:
        path = Path(args.file)
        try:
            with open(path, "rb") as fh:
                item = ws.attach(args.org, args.kind, args.id, fh, name=args.name, title=args.title)
        except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
            raise InputError(f"{one_line(str(path))}: cannot read the file ({exc.strerror}): check the path") from None
    else:
        item = ws.attach_path(args.org, args.kind, args.id, args.file, title=args.title)
    print(ATTACHED[_lang(args)].format(name=one_line(item.name), type=item.type, size=item.size_label(), sha=item.sha256,
                                       kind=args.kind, id=one_line(args.id), org=args.org))
    return 0


def cmd_attachments(args: argparse.Namespace, ws) -> int:
    from coordtui.widgets.text import pad, width

    items = ws.attachments(args.org, args.kind, args.id)
    if args.format == "json":
        sys.stdout.buffer.write(orjson.dumps([a.model_dump(mode="json") for a in items], option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    lang = _lang(args)
    if not items:
        print(NONE[lang].format(where=f"{args.org} {args.kind} {args.id}"))
        return 0
    rows = [(a.sha256[:12], a.type, a.size_label(), a.added.isoformat(), one_line(a.by), one_line(a.name), one_line(a.title)) for a in items]
    widths = [max(width(str(r[i])) for r in [HEADERS[lang], *rows]) for i in range(len(rows[0]))]
    for row in [HEADERS[lang], *rows]:
        print("  ".join(pad(str(cell), widths[i]) for i, cell in enumerate(row)).rstrip())
    return 0


def cmd_detach(args: argparse.Namespace, ws) -> int:
    item = ws.detach(args.org, args.kind, args.id, args.key)
    print(DETACHED[_lang(args)].format(name=one_line(item.name), sha=item.sha256, kind=args.kind, id=one_line(args.id), org=args.org))
    return 0


def cmd_attachment(args: argparse.Namespace, ws) -> int:
    item, data = ws.attachment(args.org, args.kind, args.id, args.key)
    if args.out is None:
        args.out = item.name  # made safe when it was attached: a plain name, never a path
    if args.out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    out = Path(args.out)
    write_private_file(out, data)  # 0600, never through a link planted under the name the uploader chose
    print(WROTE[_lang(args)].format(out=one_line(str(out)), name=one_line(item.name), size=item.size_label()), file=sys.stderr)
    return 0


COMMANDS = {"attach": cmd_attach, "attachments": cmd_attachments, "detach": cmd_detach, "attachment": cmd_attachment}
