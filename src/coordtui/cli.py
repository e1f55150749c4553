"""The command line: ``coordtui`` and its subcommands.

Exit status: 0 success (``check``: no errors), 1 ``check`` found errors, 2 bad input
or usage. A user-caused problem is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import Sequence

import orjson

from coordtui import __version__
from coordtui.errors import CoordError, InputError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def _common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--db", metavar="PATH", default=default, help="store folder (default: COORDTUI_DB or the user data folder)")
    parser.add_argument("--plugin-dir", metavar="DIR", action="append", default=default, help="also load models dropped in this folder")
    parser.add_argument("--lang", choices=["zh", "en"], default=argparse.SUPPRESS if suppress else "zh", help="interface language")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="coordtui", description="Collaboration mechanisms in discipline inspection, in a terminal (纪检监察协作机制).")
    parser.add_argument("--version", action="version", version=f"coordtui {__version__}")
    _common(parser, suppress=False)
    parser.add_argument("--org", metavar="ID", help="open the application on this organization")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="open the application as of this day")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    p = sub.add_parser("init", help="create a store")
    _common(p, suppress=True)
    p.add_argument("--examples", action="store_true", help="load every model's bundled example organizations")
    p.add_argument("--group", metavar="GROUP", help="a store shared by this OS group's members: setgid folders, files 0660 (default: private, 0700/0600)")

    p = sub.add_parser("import", help="import coordtui/1 JSON files, or xlsx/csv rows of a kind into --org (all or nothing)")
    _common(p, suppress=True)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--org", metavar="ID", help="the organization xlsx/csv rows go into")
    p.add_argument("--kind", metavar="KIND", help="the kind of a csv file's rows (or of a one-sheet xlsx)")
    p.add_argument("--replace", action="store_true", help="make each organization exactly as the file says (delete what the file lacks)")
    p.add_argument("--dry-run", action="store_true", help="validate and show what would change, write nothing")

    p = sub.add_parser("export", help="export one organization: json, xlsx ledger, docx report, csv of a kind, md summary, ics calendar")
    _common(p, suppress=True)
    p.add_argument("--format", choices=["json", "xlsx", "docx", "csv", "md", "ics"], default="json")
    p.add_argument("--org", required=True, metavar="ID")
    p.add_argument("--period", metavar="P", help="the report's period: 2026Q3, 2026H1, 2026 or 2026-09 (default: the current quarter)")
    p.add_argument("--kind", metavar="KIND", help="the kind a csv holds")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="judge duties as of this day (default: today)")
    p.add_argument("--out", metavar="FILE", help="write here (xlsx and docx default to ORG[-PERIOD].FORMAT; text formats to standard output)")

    p = sub.add_parser("check", help="run every rule and list the findings")
    _common(p, suppress=True)
    p.add_argument("--org", metavar="ID", action="append", help="only this organization (repeatable)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="judge as of this day (default: today)")
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("plugins", help="list the plugins, what they provide and whether they loaded")
    _common(p, suppress=True)
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("plugin", help="work on model plugins: 'plugin new NAME' scaffolds one")
    plugin_sub = p.add_subparsers(dest="plugin_command", parser_class=_Parser, metavar="ACTION", required=True)
    new = plugin_sub.add_parser("new", help="scaffold a working model package (one kind, one rule, one fixture, one test)")
    new.add_argument("name", metavar="NAME")
    new.add_argument("--dir", metavar="DIR", default=".", help="where to create it (default: here)")

    p = sub.add_parser("restore", help="put a store file back from its newest good backup (the broken one is kept aside)")
    p.add_argument("file", metavar="FILE", help="the store file the error message named, relative to the store folder")
    p.add_argument("--db", metavar="PATH", help="store folder")

    p = sub.add_parser("verify", help="check every history log against its seals and every data file against its log (exit 1 when broken)")
    p.add_argument("--db", metavar="PATH", help="store folder")

    p = sub.add_parser("demo", help="a guided tour on a temporary copy of the examples (Space/→ next, ← back, q quit)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("--auto", metavar="SECONDS", type=float, help="play unattended, this many seconds a step")

    p = sub.add_parser("serve", help="the application in a web browser (textual-serve): open http://HOST:PORT")
    _common(p, suppress=True)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for the whole network)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--org", metavar="ID", help="open on this organization")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="open as of this day")
    p.add_argument("--demo", action="store_true", help="serve the guided tour (on a temporary copy of the examples) instead")
    p.add_argument("--public-url", metavar="URL", help="the address browsers use when it differs (behind a proxy)")

    p = sub.add_parser("schema", help="print the JSON Schema of each kind of a model")
    _common(p, suppress=True)
    p.add_argument("model", metavar="MODEL")
    return parser


def _host(args: argparse.Namespace):
    from coordtui.plugins import PluginHost

    return PluginHost(plugin_dirs=[Path(d) for d in (args.plugin_dir or [])])


def _workspace(args: argparse.Namespace, *, create: bool = False):
    from coordtui.workspace import Workspace

    return Workspace.open(args.db, create=create, host=_host(args))


def cmd_init(args: argparse.Namespace) -> int:
    from coordtui.workspace import default_store_path

    path = Path(args.db) if args.db else default_store_path()
    if args.group:
        from coordtui.store import Store

        Store(path, create=True, group=args.group)
    ws = _workspace(argparse.Namespace(**{**vars(args), "db": str(path)}), create=True)
    print(f"store ready at {ws.store.root}")
    if args.group:
        from coordtui.store.seal import key_path

        print(f"its history is sealed with {key_path(ws.store._seal.store_id)}: give each member of {args.group} a copy (0640), "
              "kept in their own ~/.config/coordtui/keys/")
    if args.examples:
        loaded = ws.load_examples()
        print(f"loaded {len(loaded)} example organization(s): {', '.join(loaded) or 'none'}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from coordtui.interchange import read_document, validate_document

    ws = _workspace(args)
    plans = []  # (source, org, records, replace)
    for f in args.files:
        path = Path(f)
        if path.suffix.lower() in (".xlsx", ".csv"):
            from coordtui.tabular import plan_table_import

            if not args.org:
                raise InputError(f"{f}: spreadsheet rows go into an organization: add --org ID")
            org, records = plan_table_import(ws, path, args.org, args.kind)
            plans.append((f, org, records, False))
        else:
            plan = validate_document(read_document(path), ws, f, merge_with_store=not args.replace)
            plans.append((f, plan.org, plan.records, args.replace))
    ids = [org.id for _, org, _, _ in plans]
    if len(set(ids)) != len(ids):
        raise InputError("the same organization appears in two files: import them one at a time")
    # All files in one transaction: every organization lands, or none.
    ops: list = []
    summaries = []
    for source, org, records, replace in plans:
        plan_ops, counts = ws.ops_for(org, records, replace=replace)
        ops.extend(plan_ops)
        verb = "would create" if args.dry_run else "created"
        summaries.append(f"{source}: {org.id}: {len(records)} rows valid; {verb} {counts['created']}, updated {counts['updated']}, "
                         f"unchanged {counts['unchanged']}, deleted {counts['deleted']}")
    if args.dry_run:
        print("\n".join(summaries) + "\nnothing written (--dry-run)")
        return EXIT_OK
    ws.store.apply(ops)
    print("\n".join(summaries))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from coordtui.domain.periods import Period, parse_date
    from coordtui.exports import BINARY, export

    ws = _workspace(args)
    as_of = parse_date(args.as_of, what="--as-of") if args.as_of else date.today()
    period = Period.parse(args.period) if args.period else None
    payload = export(ws, args.org, args.format, as_of=as_of, period=period, kind=args.kind)
    out = Path(args.out) if args.out else (Path(f"{args.org}{'-' + str(period) if period else ''}.{args.format}") if args.format in BINARY else None)
    if out is None:
        sys.stdout.buffer.write(payload)
        return EXIT_OK
    try:
        out.write_bytes(payload)
    except OSError as exc:
        raise InputError(f"{out}: cannot write ({exc.strerror}): check the path and permissions") from None
    print(f"wrote {out}", file=sys.stderr)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from coordtui.domain.periods import parse_date
    from coordtui.rules import summarize

    as_of = parse_date(args.as_of, what="--as-of") if args.as_of else date.today()
    ws = _workspace(args)
    result = ws.check(as_of, args.org)
    findings = result.findings
    for problem in ws.store.verify_history():
        from coordtui.domain.records import Finding, Severity

        findings.append(Finding(rule="core.history_tampered", severity=Severity.ERROR, org="-", subject="store",
                                message=f"变更历史被篡改：{problem}", message_en=f"history tampered: {problem}"))
    summary = summarize(findings)
    if args.format == "json":
        out = {"as_of": as_of.isoformat(), "findings": [f.as_json() for f in findings], "summary": summary}
        sys.stdout.buffer.write(orjson.dumps(out, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        _print_findings(ws, findings, as_of, summary, args.lang)
    return EXIT_FINDINGS if summary["error"] else EXIT_OK


def _print_findings(ws, findings, as_of: date, summary: dict[str, int], lang: str) -> None:
    from coordtui.i18n import t
    from coordtui.widgets.text import pad

    names = {o.id: o.name for o in ws.orgs()}
    current = None
    for f in findings:
        if f.org != current:
            current = f.org
            print(f"\n{names.get(f.org, f.org)} ({f.org}) · {t('as_of', lang)} {as_of.isoformat()}")
        print(f"  {pad(t('sev.' + f.severity.value, lang), 7)} {f.rule}  {f.text(lang)}")
    if not findings:
        print(t("check.none", lang, as_of=as_of.isoformat()))
    print(t("check.summary", lang, **summary))


def cmd_plugins(args: argparse.Namespace) -> int:
    host = _host(args).load()
    infos = sorted(host.plugins.values(), key=lambda i: i.name)
    if args.format == "json":
        sys.stdout.buffer.write(orjson.dumps([i.as_json() for i in infos], option=orjson.OPT_INDENT_2) + b"\n")
        return EXIT_OK
    for i in infos:
        status = i.status if i.status == "ok" else f"{i.status}: {i.cause}"
        models = ", ".join(i.models) or "-"
        print(f"{i.name}  {i.version}  models: {models}  [{status}]\n    from {i.source}")
    if not infos:
        print("no plugins found")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    model = _host(args).load().model(args.model)
    schemas = {cls.kind: cls.model_json_schema() for cls in model.kinds}
    sys.stdout.buffer.write(orjson.dumps({"model": model.id, "kinds": schemas}, option=orjson.OPT_INDENT_2) + b"\n")
    return EXIT_OK


def cmd_plugin(args: argparse.Namespace) -> int:
    from coordtui.scaffold import scaffold

    project = scaffold(args.name, Path(args.dir))
    print(f"created {project}\nnext: pip install -e {project} && coordtui plugins")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from coordtui.store import Store
    from coordtui.workspace import default_store_path

    target, backup, aside = Store.restore(Path(args.db) if args.db else default_store_path(), args.file)
    print(f"restored {target} from {backup}; the broken file is kept as {aside}")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from coordtui.store import HistoryReader, Store
    from coordtui.workspace import default_store_path

    store = Store(Path(args.db) if args.db else default_store_path())
    store._seal.key()  # without the key the seals cannot be checked: one line, exit 2
    reader = HistoryReader(store)
    entries, problems = reader.refresh()
    for note in reader.notes:
        print(f"note: {note}")
    for problem in problems:
        print(problem)
    if problems:
        print(f"{store.root}: the history is broken: {len(problems)} problem(s)", file=sys.stderr)
        return EXIT_FINDINGS
    print(f"{store.root}: the history is intact ({len(entries)} changes checked)")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from coordtui.app import check_terminal
    from coordtui.demo import run_demo

    problem = check_terminal()
    if problem:
        raise InputError(problem)
    if args.auto is not None and args.auto <= 0:
        raise InputError("--auto takes a number of seconds above 0, for example --auto 4")
    return run_demo(args.lang, args.auto)


def cmd_app(args: argparse.Namespace) -> int:
    from coordtui.app import run_app

    from coordtui.domain.periods import parse_date

    as_of = parse_date(args.as_of, what="--as-of") if args.as_of else None
    return run_app(db=args.db, lang=args.lang, plugin_dirs=[Path(d) for d in (args.plugin_dir or [])], as_of=as_of, org_id=args.org)


def cmd_serve(args: argparse.Namespace) -> int:
    from coordtui.domain.periods import parse_date
    from coordtui.serve import serve

    as_of = parse_date(args.as_of, what="--as-of") if args.as_of else None
    return serve(host=args.host, port=args.port, db=args.db, lang=args.lang, plugin_dirs=[Path(d) for d in (args.plugin_dir or [])],
                 org_id=args.org, as_of=as_of, demo=args.demo, public_url=args.public_url)


COMMANDS = {
    "init": cmd_init,
    "import": cmd_import,
    "export": cmd_export,
    "check": cmd_check,
    "plugins": cmd_plugins,
    "schema": cmd_schema,
    "plugin": cmd_plugin,
    "demo": cmd_demo,
    "restore": cmd_restore,
    "verify": cmd_verify,
    "serve": cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # usage errors, --help and --version
        return int(exc.code or 0)
    try:
        return COMMANDS.get(args.command, cmd_app)(args)
    except CoordError as exc:
        print(f"coordtui: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
