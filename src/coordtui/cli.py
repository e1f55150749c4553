"""The command line: ``coordtui`` and its subcommands.

Exit status: 0 success (``check``: no errors), 1 ``check`` found errors (``remind``: a
delivery failed), 2 bad input
or usage. A user-caused problem is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import orjson

from coordtui import __version__
from coordtui.errors import AccessError, CoordError, InputError, one_line
from coordtui.userfiles import write_private_file

if TYPE_CHECKING:
    from coordtui.workspace import Workspace

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
#: ``coordtui config`` settings of reminders (coordtui.remind.SETTINGS, named here so --help needs no import).
REMIND_SETTINGS = ("smtp.host", "smtp.port", "smtp.starttls", "smtp.user", "smtp.from", "smtp.password-file")
#: The settings of 'coordtui serve' that 'coordtui config' changes (coordtui.web.auth.SETTINGS).
SERVE_SETTINGS = ("serve.idle_minutes", "serve.sessions_per_person", "serve.sessions_total", "serve.tabs_per_session")
#: The limits of attachments that 'coordtui config' changes (coordtui.attachments.SETTINGS).
ATTACHMENT_SETTINGS = ("attachments.max_file_mb", "attachments.max_store_mb")



#: The years an --as-of or --period may name: a check of the year 9999 walks eight thousand
#: years of duties (58 s and 7.6 MB for one export, measured) and means nothing.
FIRST_YEAR, YEARS_AHEAD = 2000, 10


def _as_of(args: argparse.Namespace, today: date | None) -> date | None:
    """``--as-of`` as a date within the years that make sense, else ``today``."""
    from coordtui.domain.periods import parse_date

    if not args.as_of:
        return today
    day = parse_date(args.as_of, what="--as-of")
    last = date.today().year + YEARS_AHEAD
    if not FIRST_YEAR <= day.year <= last:
        raise InputError(f"--as-of {day.isoformat()}: give a day from {FIRST_YEAR} to {last}",
                         message_zh=f"--as-of {day.isoformat()}：请给出 {FIRST_YEAR} 年至 {last} 年之间的日期")
    return day

class _Parser(argparse.ArgumentParser):
    #: The language of the help and the errors, set by :func:`localize_parser`.
    lang = "en"

    def error(self, message: str) -> None:  # one line, exit 2
        if self.lang == "zh":
            self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)}（用法见 {self.prog} --help）\n")
        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} (see '{self.prog} --help')\n")


class _Formatter(argparse.HelpFormatter):
    """Help wrapped by terminal cells: a Chinese character takes two, and a line of Chinese
    may break between any two characters."""

    def format_help(self) -> str:
        text = super().format_help()
        if text.startswith("用法："):  # argparse ends a heading with ':'; Chinese takes '：'
            text = text.replace("位置参数:\n", "位置参数：\n").replace("选项:\n", "选项：\n").replace("子命令:\n", "子命令：\n")
        return text

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_cells(" ".join(text.split()), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap_cells(" ".join(text.split()), width - len(indent)))


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal cells, broken at spaces or next to a wide
    character (a word longer than a line is cut)."""
    from rich.cells import cell_len

    width = max(width, 10)
    lines: list[str] = []
    line, used, cut = "", 0, -1  # cut: where the line may break (an index into line)
    for ch in text:
        wide = cell_len(ch) > 1
        if wide and line and not line.endswith(" "):
            cut = len(line)
        line += ch
        used += cell_len(ch)
        if ch == " " or wide:
            cut = len(line)
        if used > width:
            at = cut if 0 < cut < len(line) else len(line) - 1
            head, line = line[:at].rstrip(), line[at:].lstrip()
            lines.append(head)
            used, cut = cell_len(line), -1
    if line.strip():
        lines.append(line.rstrip())
    return lines


def cli_lang(argv: Sequence[str]) -> str:
    """The language a command line asks for: its last ``--lang``, else Chinese (the default of
    the interface). Read before parsing, so that argparse's own help and errors speak it."""
    lang = "zh"
    for i, word in enumerate(argv):
        if word == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif word.startswith("--lang="):
            lang = word.split("=", 1)[1]
    return "en" if lang == "en" else "zh"


@contextlib.contextmanager
def argparse_language(lang: str):
    """argparse's own words (usage:, positional arguments, options, its errors) in ``lang``:
    its gettext functions, swapped for the time of building and parsing."""
    if lang != "zh":
        yield
        return
    from coordtui.i18n import ARGPARSE_ZH

    saved = argparse._, argparse.ngettext
    argparse._ = lambda text: ARGPARSE_ZH.get(text, text)
    argparse.ngettext = lambda one, many, n: ARGPARSE_ZH.get(one if n == 1 else many, one if n == 1 else many)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def help_text(keys: Sequence[str], lang: str) -> str | None:
    """The first of ``keys`` in the command line's catalogue (i18n.CLI_HELP), in ``lang``."""
    from coordtui.i18n import CLI_HELP

    for key in keys:
        if key in CLI_HELP:
            return CLI_HELP[key][0 if lang == "zh" else 1]
    return None


def localize_parser(parser: argparse.ArgumentParser, lang: str, path: str = "cli") -> argparse.ArgumentParser:
    """Every help text of ``parser`` and its subcommands from the catalogue: ``cli.COMMAND`` for a
    subcommand, ``cli.COMMAND.DEST`` for an argument, else ``cli.opt.DEST``. An argument with no
    entry keeps the English of its ``help=`` (tests/test_cli_lang.py fails on it in Chinese)."""
    if isinstance(parser, _Parser):
        parser.lang = lang
    parser.formatter_class = _Formatter
    parser.description = help_text([path], lang) or parser.description
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            action.help = help_text([f"{path}.{action.dest}"], lang) or action.help
            for choice in action._choices_actions:
                choice.help = help_text([f"{path}.{choice.dest}"], lang) or choice.help
            for name, sub in action.choices.items():
                localize_parser(sub, lang, f"{path}.{name}")
        elif action.help is not argparse.SUPPRESS:
            action.help = help_text([f"{path}.{action.dest}", f"cli.opt.{action.dest}"], lang) or action.help
    return parser


def _common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--db", metavar="PATH", default=default, help="store folder (default: COORDTUI_DB or the user data folder)")
    parser.add_argument("--plugin-dir", metavar="DIR", action="append", default=default, help="also load models dropped in this folder")
    parser.add_argument("--lang", choices=["zh", "en"], default=argparse.SUPPRESS if suppress else "zh", help="interface language")


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The command line, its help in ``lang`` (argparse's own words too, while built and parsed
    inside :func:`argparse_language`)."""
    with argparse_language(lang):
        return localize_parser(_build_parser(), lang)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="coordtui", description="Collaboration mechanisms in discipline inspection, in a terminal.")
    parser.add_argument("--version", action="version", version=f"coordtui {__version__}")
    _common(parser, suppress=False)
    parser.add_argument("--org", metavar="ID", help="open the application on this organization")
    parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="open the application as of this day")
    parser.add_argument("--as", dest="as_name", metavar="NAME",
                        help="act as this person of the store (only for the account that owns the store)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    p = sub.add_parser("init", help="create a store")
    _common(p, suppress=True)
    p.add_argument("--examples", action="store_true", help="load every model's bundled example organizations")
    p.add_argument("--timezone", metavar="NAME", help="the office's time zone, an IANA name (default Asia/Shanghai): what 'today' is")
    p.add_argument("--group", metavar="GROUP", help="a store shared by this OS group's members: setgid folders, files 0660 (default: private, 0700/0600)")

    p = sub.add_parser("config", help="show or change a store-wide setting: 'config timezone [NAME]', 'config smtp.host [HOST]' ...")
    _common(p, suppress=True)
    p.add_argument("setting", choices=["timezone", *REMIND_SETTINGS, *SERVE_SETTINGS, *ATTACHMENT_SETTINGS],
                   help="timezone: the office's time zone (IANA name), from which 'today' comes; smtp.*: the mail server "
                        "reminders go through (smtp.starttls yes/no; smtp.password-file: a 0600 file holding the password); "
                        "serve.*: the browser's idle minutes (30), sessions per person (3) and in all (30), tabs per session (3); "
                        "attachments.*: the largest file (20 MB) and all files together (2048 MB)")
    p.add_argument("value", nargs="?", metavar="VALUE", help="the new value (omit it to show the current one)")

    p = sub.add_parser("import", help="import coordtui/1 JSON files, or xlsx/csv rows of a kind into --org (all or nothing)")
    _common(p, suppress=True)
    p.add_argument("files", nargs="+", metavar="FILE", help="files to import; - reads one coordtui/1 JSON document from standard input")
    p.add_argument("--org", metavar="ID", help="the organization xlsx/csv rows go into")
    p.add_argument("--kind", metavar="KIND", help="the kind of a csv file's rows (or of a one-sheet xlsx)")
    p.add_argument("--replace", action="store_true", help="make each organization exactly as the file says (delete what the file lacks)")
    p.add_argument("--dry-run", action="store_true", help="validate and show what would change, write nothing")

    p = sub.add_parser("export", help="export one organization: json, xlsx ledger, docx report, csv of a kind, md summary, ics calendar")
    _common(p, suppress=True)
    p.add_argument("--format", choices=["json", "xlsx", "docx", "csv", "md", "ics", "archive"], default="json",
                   help="archive: one zip of the period's ledger, work report, index (目录.xlsx) and every attachment (台账资料)")
    p.add_argument("--org", required=True, metavar="ID")
    p.add_argument("--period", metavar="P", help="the report's period: 2026Q3, 2026H1, 2026 or 2026-09 (default: the current quarter)")
    p.add_argument("--kind", metavar="KIND", help="the kind a csv holds")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="judge duties as of this day (default: today)")
    p.add_argument("--out", metavar="FILE", help="write here; - for standard output (xlsx and docx default to ORG[-PERIOD].FORMAT; text formats to standard output)")

    p = sub.add_parser("check", help="run every rule and list the findings")
    _common(p, suppress=True)
    p.add_argument("--org", metavar="ID", action="append", help="only this organization (repeatable)")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="judge as of this day (default: today)")
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("remind", help="tell each person with an e-mail or webhook what is overdue, falling due or due tomorrow in their scope")
    _common(p, suppress=True)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day to remind as of (default: today in the office)")
    p.add_argument("--dry-run", action="store_true", help="print every message instead of sending it (nothing is recorded)")

    p = sub.add_parser("plugins", help="list the plugins, what they provide and whether they loaded")
    _common(p, suppress=True)
    p.add_argument("--format", choices=["text", "json"], default="text")

    p = sub.add_parser("plugin", help="work on model plugins: 'plugin new NAME' scaffolds one")
    plugin_sub = p.add_subparsers(dest="plugin_command", parser_class=_Parser, metavar="ACTION", required=True)
    new = plugin_sub.add_parser("new", help="scaffold a working model package (one kind, one rule, one fixture, one test)")
    new.add_argument("name", metavar="NAME")
    new.add_argument("--dir", metavar="DIR", default=".", help="where to create it (default: here)")
    new.add_argument("--lang", choices=["zh", "en"], default=argparse.SUPPRESS, help="interface language")

    p = sub.add_parser("restore", help="put a store file back from its newest good backup (the broken one is kept aside)")
    p.add_argument("file", metavar="FILE", help="the store file the error message named, relative to the store folder")
    p.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help="store folder")
    p.add_argument("--plugin-dir", metavar="DIR", action="append", default=argparse.SUPPRESS,
                   help="also load models dropped in this folder (the backup restored is the newest whose records fit them)")
    p.add_argument("--lang", choices=["zh", "en"], default=argparse.SUPPRESS, help="interface language")

    p = sub.add_parser("verify", help="check every history log against its seals and every data file against its log (exit 1 when broken)")
    p.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help="store folder")
    p.add_argument("--prune-orphans", action="store_true",
                   help="also remove the attachment files no record holds (left by a crash or an old detach; administrators only)")
    p.add_argument("--lang", choices=["zh", "en"], default=argparse.SUPPRESS, help="interface language")

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
    p.add_argument("--public-url", metavar="URL", help="the address browsers use when it differs (behind a proxy; https: makes the cookie Secure)")
    p.add_argument("--allow-host", metavar="NAME", action="append", default=[],
                   help="also answer requests for this host name (default: the listening address and localhost); repeatable")

    _users_parser(sub)

    p = sub.add_parser("shell", help="the forced command of a person's SSH key: the application, or check/export/import from SSH_ORIGINAL_COMMAND")
    _common(p, suppress=True)
    p.add_argument("name", metavar="NAME", help="the person the key belongs to")

    from coordtui import attach_commands

    attach_commands.add_parsers(sub, _common, _Parser)

    p = sub.add_parser("schema", help="print the JSON Schema of each kind of a model")
    _common(p, suppress=True)
    p.add_argument("model", metavar="MODEL")
    return parser


def _users_parser(sub) -> None:
    p = sub.add_parser("users", help="the people of the store and their SSH keys: add, list, remove, grant, revoke, set, sync")
    users = p.add_subparsers(dest="users_command", parser_class=_Parser, metavar="ACTION", required=True)

    def grant_options(q: argparse.ArgumentParser) -> None:
        q.add_argument("--role", required=True, choices=["admin", "editor", "reader"])
        q.add_argument("--org", metavar="ID", help="in this organization only (default: every organization)")
        q.add_argument("--scope", metavar="SUBJECT", nargs="+", help="only these subjects of the organization's structure (needs --org)")
        q.add_argument("--cases", action="store_true", help="may see and change sensitive kinds (clues, leads, cases)")

    q = users.add_parser("add", help="add a person with their SSH public key and a role")
    _common(q, suppress=True)
    q.add_argument("name", metavar="NAME")
    q.add_argument("--key", metavar="FILE.pub", help="their OpenSSH public key (ssh-keygen -t ed25519 makes one)")
    grant_options(q)
    q.add_argument("--display", metavar="NAME", help="the name shown (张三)")
    q = users.add_parser("list", help="list the people, their grants and keys")
    _common(q, suppress=True)
    q.add_argument("--format", choices=["text", "json"], default="text")
    q = users.add_parser("remove", help="remove a person and their key lines")
    _common(q, suppress=True)
    q.add_argument("name", metavar="NAME")
    q = users.add_parser("grant", help="give a person a role in an organization (replacing their grant there)")
    _common(q, suppress=True)
    q.add_argument("name", metavar="NAME")
    grant_options(q)
    q = users.add_parser("revoke", help="take back a person's grant in an organization (or over every organization)")
    _common(q, suppress=True)
    q.add_argument("name", metavar="NAME")
    q.add_argument("--org", metavar="ID")
    q = users.add_parser("set", help="change a person's e-mail, webhook or shown name ('' clears)")
    _common(q, suppress=True)
    q.add_argument("name", metavar="NAME")
    q.add_argument("--email")
    q.add_argument("--webhook", metavar="URL")
    q.add_argument("--display", metavar="NAME")
    q = users.add_parser("feed", help="give a person a private calendar feed address (a new one replaces the old), or --revoke it")
    _common(q, suppress=True)
    q.add_argument("name", metavar="NAME")
    q.add_argument("--revoke", action="store_true", help="stop the person's feed: its address no longer works")
    q = users.add_parser("sync", help="rewrite this account's authorized_keys lines from the store's people")
    _common(q, suppress=True)
    q = users.add_parser("passwd", help="set a person's password for signing in through the browser (stored as an argon2id hash)")
    _common(q, suppress=True)
    q.add_argument("name", metavar="NAME")
    q.add_argument("--stdin", action="store_true", help="read the password from the first line of standard input instead of asking")
    q.add_argument("--clear", action="store_true", help="remove the password (links still work)")
    q = users.add_parser("link", help="print a one-time browser sign-in link for a person ('--revoke' takes back every link)")
    _common(q, suppress=True)
    q.add_argument("name", metavar="NAME")
    q.add_argument("--valid", metavar="DURATION", default="15m", help="how long the link works: 90s, 15m, 2h, 1d (default 15m, at most 7d)")
    q.add_argument("--public-url", metavar="URL", help="the address people open (default: the address 'coordtui serve' last used)")
    q.add_argument("--revoke", action="store_true", help="revoke every link of the person not used yet")


def _store_root(args: argparse.Namespace) -> Path:
    from coordtui.store.files import default_store_path

    return Path(args.db).expanduser() if getattr(args, "db", None) else default_store_path()


def _open_store(args: argparse.Namespace, *, create: bool = False):
    """The store, opened as the authenticated identity: the forced command's NAME, ``--as NAME``
    for the owner, else the OS account. A store without people gets its owner as administrator."""
    from coordtui.access.identity import first_admin, require_person
    from coordtui.store import Store

    identity = getattr(args, "identity", None)
    store = Store(_store_root(args), create=create, user=identity)
    note = first_admin(store, getattr(args, "lang", "zh"))
    if note:
        print(note, file=sys.stderr)
    if identity is not None:
        require_person(store, identity, "--as" if getattr(args, "as_name", None) else f"coordtui shell {identity}")
    return store


def _host(args: argparse.Namespace):
    from coordtui.plugins import PluginHost

    return PluginHost(plugin_dirs=[Path(d) for d in (args.plugin_dir or [])])


def _workspace(args: argparse.Namespace, *, create: bool = False, store: Any = None):
    """The workspace as the authenticated identity (its roles and scopes), else the OS account;
    on ``store`` where the caller opened it (:func:`_open_store`)."""
    from coordtui.access import resolve_actor
    from coordtui.workspace import Workspace

    if store is None:
        store = _open_store(args, create=create)
    identity = getattr(args, "identity", None)
    ws = Workspace(store, _host(args), actor=resolve_actor(store, identity) if identity else None)
    ws.actor  # noqa: B018 (resolved now: an account that may not open the store is told so before anything else)
    return ws


def cmd_init(args: argparse.Namespace) -> int:
    from coordtui.domain.clock import zone
    from coordtui.workspace import default_store_path

    path = Path(args.db) if args.db else default_store_path()
    if args.timezone:
        zone(args.timezone)  # an unknown zone is refused before anything is created
    if args.group:
        from coordtui.store import Store

        Store(path, create=True, group=args.group)
    ws = _workspace(argparse.Namespace(**{**vars(args), "db": str(path)}), create=True)
    if args.timezone:
        ws.set_timezone(args.timezone)
    from coordtui.i18n import t

    print(t("out.store_ready", args.lang, root=ws.store.root, tz=ws.clock.name))
    if args.group:
        from coordtui.store.seal import key_path

        print(t("out.sealed_with", args.lang, path=key_path(ws.store._seal.store_id), group=args.group))
    if args.examples:
        loaded = ws.load_examples()
        print(t("out.loaded_examples", args.lang, count=len(loaded), orgs=(', ' if args.lang == 'en' else '、').join(loaded) or t("out.none", args.lang)))
    return EXIT_OK


def cmd_config(args: argparse.Namespace) -> int:
    ws = _workspace(args)
    if args.setting in REMIND_SETTINGS:
        from coordtui import remind

        if args.value is None:
            print(remind.describe_setting(ws.store, args.setting, args.lang))
            return EXIT_OK
        ws.require_admin(None, action="change the store's settings", action_zh="修改该数据存储的设置")
        remind.set_setting(ws.store, args.setting, args.value)
        print(f"{args.setting}: {remind.describe_setting(ws.store, args.setting, args.lang)}")
        return EXIT_OK
    if args.setting in SERVE_SETTINGS:
        from coordtui.web.auth import settings, setting_value

        if args.value is None:
            print(settings(ws.store.meta())[args.setting])
            return EXIT_OK
        ws.require_admin(None, action="change the store's settings", action_zh="修改该数据存储的设置")
        ws.store.set_meta(**{args.setting: setting_value(args.setting, args.value)})
        from coordtui.i18n import t

        print(t("out.serve_setting", args.lang, setting=args.setting, value=settings(ws.store.meta())[args.setting]))
        return EXIT_OK
    if args.setting in ATTACHMENT_SETTINGS:
        from coordtui.attachments import SETTINGS, setting_value

        if args.value is None:
            print(ws.store.meta().get(args.setting, SETTINGS[args.setting]))
            return EXIT_OK
        ws.require_admin(None, action="change the store's settings", action_zh="修改该数据存储的设置")
        ws.store.set_meta(**{args.setting: setting_value(args.setting, args.value)})
        print(f"{args.setting}: {ws.store.meta()[args.setting]}")
        return EXIT_OK
    if args.value is None:
        print(ws.clock.name)
        return EXIT_OK
    from coordtui.i18n import day, t

    ws.set_timezone(args.value)
    print(t("out.timezone", args.lang, tz=ws.clock.name, today=day(ws.today(), args.lang)))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from coordtui.xlsx_scan import cancel_ahead, read_ahead, reading_ahead, scan_ahead

    # A workbook's bounds are scanned before it is read (a tenth of a 10,000-row import), started
    # here in a child process while the models load; the first one is read there instead (another
    # tenth), in a child whose memory is capped, and scanned while its rows are planned (see
    # xlsx_scan's docstring). Each verdict is taken before anything is said or written.
    books = [Path(f) for f in args.files if f != "-" and Path(f).suffix.lower() == ".xlsx"]
    scan_ahead(books[1:] if books and read_ahead(books[0]) else books)
    try:
        from coordtui.workspace import _without_cyclic_gc

        ws = _import_workspace(args)
        if reading_ahead():
            _ready_for_rows(ws, args)
        # An import allocates a few objects per cell and row that live until it ends and form no
        # cycles: the cycle collector would walk them again and again (a sixth of 10,000 rows' CPU).
        with _without_cyclic_gc():
            return _import(ws, args)
    finally:
        cancel_ahead()


def _ready_for_rows(ws: "Workspace", args: argparse.Namespace) -> None:
    """What planning and saving the rows will need, done while the first workbook is read ahead
    in its child process (this one would only wait for its sheets: a tenth of a second of a
    10,000-row import): the kind's validator built, the organization's files read and parsed
    (the references and the stored records are looked up in them), the modules the save
    imports imported. A problem met here (an unknown organization or kind, a file that cannot be
    read) is the plan's to meet again and report, where it reports it now."""
    try:
        org = ws.org(args.org) if args.org else None
        if org is None or org.model not in ws.host.models:
            return
        model = ws.model_of(org)
        kind = model.kind(args.kind) if args.kind else None
        if kind is not None:
            kind.model_rebuild(raise_errors=False)
        ws.records(org, args.kind or next(iter(model.kind_map)))
    except CoordError:
        return
    import coordtui.access.policy  # noqa: F401
    import coordtui.attachments  # noqa: F401
    import coordtui.store.blobs  # noqa: F401
    import coordtui.validated_ahead  # noqa: F401


def _import_workspace(args: argparse.Namespace) -> "Workspace":
    """The workspace an import works in. Spreadsheets go into one organization, which needs only
    its model: the installed plugin named after that model is loaded, and the other installed
    models are not imported (four of the five built-in ones: a tenth of a 10,000-row import).
    Where that plugin does not provide the model (or no plugin is named after it, or a JSON
    document names its own model), every plugin is loaded, as for any other command."""
    from coordtui.access import resolve_actor
    from coordtui.plugins import ENTRY_POINT_GROUP, PluginHost
    from coordtui.workspace import Workspace

    store = _open_store(args)
    identity = getattr(args, "identity", None)
    actor = resolve_actor(store, identity) if identity else None
    dirs = [Path(d) for d in (args.plugin_dir or [])]
    spreadsheets = bool(args.files) and all(f != "-" and Path(f).suffix.lower() in (".xlsx", ".csv") for f in args.files)
    doc = store.get_org(args.org) if spreadsheets and args.org else None
    model = doc.get("model") if isinstance(doc, dict) else None
    if isinstance(model, str):
        from importlib.metadata import entry_points

        names = {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}
        if model in names:
            ws = Workspace(store, PluginHost(plugin_dirs=dirs, disabled=names - {model}), actor=actor)
            ws.actor  # noqa: B018 (resolved now, as _workspace does)
            if model in ws.host.models:
                return ws
    ws = Workspace(store, PluginHost(plugin_dirs=dirs), actor=actor)
    ws.actor  # noqa: B018 (resolved now, as _workspace does)
    return ws


def _import(ws: "Workspace", args: argparse.Namespace) -> int:
    from coordtui.xlsx_scan import confirm_read_ahead

    try:
        plans, rows_report = _plans(ws, args)
    except BaseException:
        confirm_read_ahead()  # (a workbook's refusal by its scan stands before what its rows were found to hold)
        raise
    confirm_read_ahead()
    return _import_plans(ws, args, plans, rows_report)


def _plans(ws: "Workspace", args: argparse.Namespace) -> tuple[list, list[str]]:
    """Each file's (source, org, records, replace), and with --dry-run what each spreadsheet row would do."""
    from coordtui.interchange import read_document, validate_document
    from coordtui.i18n import t

    plans = []  # (source, org, records, replace)
    rows_report: list[str] = []  # --dry-run: what each spreadsheet row would do
    for f in args.files:
        path = Path(f)
        if f == "-":
            plan = validate_document(_read_stdin_document(), ws, "<standard input>", merge_with_store=not args.replace)
            plans.append((t("out.stdin", args.lang), plan.org, plan.records, args.replace))
        elif path.suffix.lower() in (".xlsx", ".csv"):
            from coordtui.tabular import plan_table_rows, row_changes

            if not args.org:
                raise InputError(f"{f}: spreadsheet rows go into an organization: add --org ID",
                                 message_zh=f"{f}：表格中的行要导入到某个组织：请加上 --org 组织编号")
            org, records, places = plan_table_rows(ws, path, args.org, args.kind)
            if args.dry_run:
                rows_report.extend(row_changes(ws, org, records, places, args.lang))
            plans.append((f, org, records, False))
        else:
            plan = validate_document(read_document(path), ws, f, merge_with_store=not args.replace)
            plans.append((f, plan.org, plan.records, args.replace))
    return plans, rows_report


def _import_plans(ws: "Workspace", args: argparse.Namespace, plans: list, rows_report: list[str]) -> int:
    from coordtui.i18n import t

    ids = [org.id for _, org, _, _ in plans]
    if len(set(ids)) != len(ids):
        raise InputError("the same organization appears in two files: import them one at a time",
                         message_zh="同一个组织出现在两个文件中：请逐个导入")
    # All files in one transaction: every organization lands, or none.
    ops: list = []
    summaries = []
    for source, org, records, replace in plans:
        with ws.dry_run() if args.dry_run else contextlib.nullcontext():
            plan_ops, counts = ws.ops_for(org, records, replace=replace)
        ops.extend(plan_ops)
        summaries.append(t("out.import_dry" if args.dry_run else "out.import", args.lang, source=source, org=org.id, rows=len(records),
                           **counts))
    if args.dry_run:
        print("\n".join([*rows_report, *summaries, t("out.nothing_written", args.lang)]))
        return EXIT_OK
    with _validated_ahead(ws, plans, ops):
        ws.apply(ops)  # (with the files of attachments whose records it deletes)
    print("\n".join(summaries))
    return EXIT_OK


@contextlib.contextmanager
def _validated_ahead(ws: "Workspace", plans: list, ops: list) -> Iterator[None]:
    """The records ``ops`` puts validated in a child process while the store stages them, for
    the store's check of the files saved (coordtui.validated_ahead)."""
    from coordtui.store import Put
    from coordtui.validated_ahead import ValidatedAhead

    check = ws.store.content_check
    # (an organization new to the store has its records checked by its import alone: see workspace._ModelCheck)
    kinds = {org.id: ws.model_of(org).kind_map for _, org, _, _ in plans if ws.store.get_org(org.id) is not None}
    puts = [(op.org, kinds[op.org][op.kind], op) for op in ops
            if isinstance(op, Put) and op.org in kinds and op.kind in kinds[op.org]]
    if not hasattr(check, "ahead") or not puts:
        yield
        return
    check.ahead = ahead = ValidatedAhead(puts)
    try:
        yield
    finally:
        check.ahead = None
        ahead.close()


def _read_stdin_document() -> dict:
    from coordtui.interchange import MAX_FILE_BYTES

    raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(f"<standard input>: more than the {MAX_FILE_BYTES // (1024 * 1024)} MiB an import takes: split it",
                         message_zh=f"<标准输入>：超过一次导入所能接受的 {MAX_FILE_BYTES // (1024 * 1024)} MiB：请拆分后导入")
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"<standard input>: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}): "
                         "send a coordtui/1 JSON document",
                         message_zh=f"<标准输入>：不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）：请发送 coordtui/1 JSON 文档") from None
    if not isinstance(doc, dict):
        raise InputError("<standard input>: expected a JSON object with format, model, org and items",
                         message_zh="<标准输入>：应为含 format、model、org 和 items 的 JSON 对象")
    return doc


def cmd_export(args: argparse.Namespace) -> int:
    from coordtui.domain.periods import Period
    from coordtui.exports import BINARY, export

    ws = _workspace(args)
    as_of = _as_of(args, ws.today())
    period = Period.parse(args.period) if args.period else None
    if period is not None and not FIRST_YEAR <= period.start.year <= date.today().year + YEARS_AHEAD:
        raise InputError(f"--period {period}: give a period from {FIRST_YEAR} to {date.today().year + YEARS_AHEAD}",
                         message_zh=f"--period {period}：请给出 {FIRST_YEAR} 年至 {date.today().year + YEARS_AHEAD} 年之间的期间")
    if args.format == "archive":
        return _export_archive(ws, args, as_of, period)
    payload = export(ws, args.org, args.format, as_of=as_of, period=period, kind=args.kind)
    if args.out == "-":
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return EXIT_OK
    suffix = "zip" if args.format == "archive" else args.format
    out = Path(args.out) if args.out else (Path(f"{args.org}{'-' + str(period) if period else ''}.{suffix}") if args.format in BINARY else None)
    if out is None:
        sys.stdout.buffer.write(payload)
        return EXIT_OK
    write_private_file(out, payload)  # 0600, never through a link planted where it goes
    from coordtui.i18n import t

    print(t("out.wrote", args.lang, path=out), file=sys.stderr)
    return EXIT_OK


def _export_archive(ws, args: argparse.Namespace, as_of: date, period) -> int:
    """The archive (台账资料) streamed to standard output, or to --out through a temporary file
    renamed into place: a file missing from the store leaves nothing half written."""
    from coordtui.archive import write_archive
    from coordtui.domain.periods import Period, PeriodKind

    if args.out == "-":
        write_archive(ws, args.org, as_of, period, sys.stdout.buffer)
        sys.stdout.flush()
        return EXIT_OK
    out = Path(args.out or f"{args.org}-{period or Period.containing(as_of, PeriodKind.YEAR)}.zip")
    write_private_file(out, lambda fh: write_archive(ws, args.org, as_of, period, fh))
    from coordtui.i18n import t

    print(t("out.wrote", args.lang, path=out), file=sys.stderr)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """The findings; an unchanged check (the same command, person, code and store files as a
    run kept) is answered from that run's output before anything heavy is imported
    (coordtui.check_output)."""
    import time

    from coordtui import check_output

    began = time.time_ns()
    root = _store_root(args)
    status, found = check_output.serve(args, root)
    if status is not None:
        return status
    recording = check_output.Recording(args, root, found, began)
    with recording:
        status = _check(args, recording)
    recording.keep(status)
    return status


_collection_skipped = False


def no_collection_at_exit() -> None:
    """At the interpreter's exit, leave what the command made to the system instead of
    collecting it first: the exit's garbage collection walks every object still alive (a check
    of 100,000 records: 60-130 ms after the output is written, 25-35 ms without; an import of
    10,000 rows: 0.08-0.12 s after its files are written, its store's caches being garbage in a
    cycle; the application, once its window is closed: 0.07 s of the examples' 0.41 s from start
    to end). ``atexit`` runs before that collection, after everything else (standard output and
    error are still flushed, and an in-process caller, a test, goes on collecting as ever until
    its own exit). Every command's: registered by :func:`main` before it runs one (and by
    bench/startup.py's program, which ends as the command does)."""
    global _collection_skipped
    if not _collection_skipped:
        import atexit
        import gc

        atexit.register(gc.freeze)
        _collection_skipped = True


def _check(args: argparse.Namespace, recording) -> int:
    from coordtui import check_output

    store = _open_store(args)
    # The history is verified (and the output's key taken) in a child process forked as soon as
    # the store is open, before pydantic, the access rules, the plugins and the models are
    # imported (a third of a second at 1,000,000 records, whose history takes 1.6 s to verify:
    # forked later it went on beside the rules' workers, taking a core from them); else while the
    # workers run (this process only waits for them then). Its breaks come after the findings,
    # as ever. (Should the person not be let in, the child is ended with nothing said.)
    ahead = check_output.Ahead(store, recording)
    try:
        ws = _workspace(args, store=store)
        as_of = _as_of(args, ws.today())  # the office's day, whatever TZ says
        from coordtui.rules.cache import counted, failed

        problems: list[str] = []
        verify = None if ahead.child else (lambda: problems.extend(ws.store.verify_history()))
        # (JSON: each organization's findings of one severity as one block of their JSON, where
        # they need no filtering by scope; the text is written finding by finding)
        findings = ws.findings(as_of, args.org, meanwhile=verify, blocks=args.format == "json")
        taken = ahead.taken() if verify is None else None
    finally:
        ahead.close()  # (a check that failed or was interrupted: its child ended, not left behind)
    if verify is None:
        if taken is None:
            problems.extend(ws.store.verify_history())
        else:
            problems.extend(taken[0])
            recording.taken = taken[1]
    for problem in problems:
        from coordtui.domain.records import Finding, Severity
        from coordtui.i18n import text_in

        findings.append(Finding(rule="core.history_tampered", severity=Severity.ERROR, org="-", subject="store",
                                message=f"变更历史被篡改：{text_in(problem, 'zh')}", message_en=f"history tampered: {text_in(problem, 'en')}"))
    # A rule that failed or timed out, a file that could not be read: what the next run may not find again.
    recording.moment_bound = failed(findings)
    summary = counted(findings)
    if args.format == "json":
        _write_check_json(as_of, findings, summary)
    else:
        _print_findings(ws, findings, as_of, summary, args.lang)
    return EXIT_FINDINGS if summary["error"] else EXIT_OK


#: A piece of the JSON output at least this long is written as it is (see _write_check_json).
_WRITTEN_AS_IS = 1 << 16


def _write_check_json(as_of: date, findings: list, summary: dict[str, int]) -> None:
    """``{"as_of", "findings", "summary"}`` as ``orjson.dumps(..., OPT_INDENT_2)`` writes it, byte
    for byte, a megabyte or so at a time: the whole document at once (47 MB at 100,000 records,
    and a dict per finding before it) was the largest part of a check's peak memory."""
    from coordtui.rules.cache import FindingBlock, KeptFinding, render

    out = sys.stdout.buffer
    out.write(b'{\n  "as_of": ' + orjson.dumps(as_of.isoformat()) + b',\n  "findings": ')
    if not findings:
        out.write(b"[]")
    else:
        # Small pieces are joined up to a megabyte or so a write; a large one (a block: an
        # organization's findings of one severity, 100 KB or more) is written as it is, not
        # copied into a join first (47 MB copied twice at 100,000 records, a page fault a 4 KB).
        out.write(b"[\n")
        batch: list[bytes] = []
        size = 0
        begun = False

        def emit(data: bytes) -> None:  # (each after the one before, the list's ",\n" between)
            nonlocal begun
            if begun:
                out.write(b",\n")
            out.write(data)
            begun = True

        for f in findings:  # (a kept finding's JSON is at hand, a block's too: render's answer for them)
            piece = f.rendered if f.__class__ is KeptFinding or f.__class__ is FindingBlock else render(f)
            if len(piece) >= _WRITTEN_AS_IS:
                if batch:
                    emit(b",\n".join(batch))
                    batch, size = [], 0
                emit(piece)
                continue
            batch.append(piece)
            size += len(piece)
            if size >= 1 << 20:
                emit(b",\n".join(batch))
                batch, size = [], 0
        if batch:
            emit(b",\n".join(batch))
        out.write(b"\n  ]")
    out.write(b',\n  "summary": ' + orjson.dumps(summary, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n  ") + b"\n}\n")


def _print_findings(ws, findings, as_of: date, summary: dict[str, int], lang: str) -> None:
    from coordtui.i18n import day, days_in, t
    from coordtui.widgets.text import pad

    names = {o.id: o.name for o in ws.orgs()}
    current = None
    for f in findings:
        if f.org != current:
            current = f.org
            print(f"\n{one_line(names.get(f.org, f.org))} ({f.org}) · {t('as_of', lang)} {day(as_of, lang)}")
        # Findings quote records' text: one line each, nothing in them a terminal would obey.
        print(f"  {pad(t('sev.' + f.severity.value, lang), 7)} {f.rule}  {one_line(days_in(f.text(lang), lang))}")
    if not findings:
        print(t("check.none", lang, as_of=day(as_of, lang)))
    print(t("check.summary", lang, **summary))


def cmd_remind(args: argparse.Namespace) -> int:
    """Reminders for every person: the store's administrators' job (it reads everyone's scope)."""
    from coordtui import remind
    from coordtui.domain.periods import parse_date

    ws = _workspace(args)
    ws.require_admin(None, action="send the reminders of this store", action_zh="发送该数据存储的到期提醒")
    as_of = parse_date(args.as_of, what="--as-of") if args.as_of else ws.today()
    outcome = remind.remind(ws.store, ws.host, as_of, lang=args.lang, dry_run=args.dry_run)
    print("\n".join(outcome.lines))
    return EXIT_FINDINGS if outcome.failed else EXIT_OK  # cron mails, systemd marks the unit failed


def cmd_plugins(args: argparse.Namespace) -> int:
    host = _host(args).load()
    infos = sorted(host.plugins.values(), key=lambda i: i.name)
    if args.format == "json":
        sys.stdout.buffer.write(orjson.dumps([i.as_json() for i in infos], option=orjson.OPT_INDENT_2) + b"\n")
        return EXIT_OK
    from coordtui.i18n import t, text_in

    for i in infos:
        status = (t("out.plugin_ok", args.lang) if i.status == "ok" else
                  t(f"out.plugin_{'disabled' if i.status == 'disabled' else 'failed'}", args.lang, cause=one_line(text_in(i.cause, args.lang))))
        models = ("、" if args.lang == "zh" else ", ").join(i.models) or "-"
        kind, _, where = i.source.partition(" ")  # "entry point X (dist)" or "folder PATH", as plugins.py writes it
        source = t(f"out.source.{kind}", args.lang, where=where.removeprefix("point ")) if kind in ("entry", "folder") else i.source
        print(t("out.plugin", args.lang, name=i.name, version=i.version, models=models, status=status, source=source))
    if not infos:
        print(t("out.no_plugins", args.lang))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    model = _host(args).load().model(args.model)
    schemas = {cls.kind: cls.model_json_schema() for cls in model.kinds}
    sys.stdout.buffer.write(orjson.dumps({"model": model.id, "kinds": schemas}, option=orjson.OPT_INDENT_2) + b"\n")
    return EXIT_OK


def cmd_plugin(args: argparse.Namespace) -> int:
    from coordtui.scaffold import scaffold

    from coordtui.i18n import t

    project = scaffold(args.name, Path(args.dir))
    print(t("out.scaffolded", getattr(args, "lang", "zh"), project=project))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from coordtui.store import Store
    from coordtui.workspace import default_store_path

    root = Path(args.db) if args.db else default_store_path()
    try:  # the backup restored is the newest whose records fit the models, where they can be loaded
        good = _workspace(args).fits
    except CoordError:
        good = None  # (orgs.json itself may be what is broken: then its shape decides)
    target, backup, aside = Store.restore(root, args.file, good)
    from coordtui.i18n import t

    lang = getattr(args, "lang", "zh")
    if backup is None:  # the manifest: made again from the data files' verified sealed heads
        print(t("out.manifest_rebuilt", lang, target=target) + (t("out.kept_aside", lang, aside=aside) if aside else ""))
    elif backup == aside:  # a data file put back to the saves appended to it before its broken line
        print(t("out.restored_lines", lang, target=target, aside=aside))
    else:
        print(t("out.restored", lang, target=target, backup=backup, aside=aside))
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from coordtui.store import HistoryReader, Store
    from coordtui.workspace import default_store_path

    store = Store(Path(args.db) if args.db else default_store_path())
    store._seal.key()  # without the key the seals cannot be checked: one line, exit 2
    reader = HistoryReader(store)
    entries, problems = reader.refresh()
    from coordtui.i18n import t, text_in

    lang = getattr(args, "lang", "zh")
    for note in reader.notes:
        print(t("out.verify_note", lang, note=text_in(note, lang)))
    for problem in problems:
        print(one_line(text_in(problem, lang)))
    from coordtui.attachments import verify as verify_attachments

    files, missing = verify_attachments(store)  # every attachment against its SHA-256, naming its record
    for problem in missing:
        print(one_line(text_in(problem, lang)))
    if problems:
        print(t("out.verify_broken", lang, root=store.root, problems=len(problems)), file=sys.stderr)
    if missing:
        print(t("out.verify_missing", lang, root=store.root, missing=len(missing), files=files), file=sys.stderr)
    _verify_orphans(args, store, refuse=bool(problems or missing))
    if problems or missing:
        return EXIT_FINDINGS
    print(t("out.verify_intact", lang, root=store.root, entries=len(entries), files=files))
    return EXIT_OK


def _verify_orphans(args: argparse.Namespace, store, *, refuse: bool) -> None:
    """The attachment files no record holds: counted, or removed with --prune-orphans (never
    while the history or the files are broken: an entry missing there may be what names one)."""
    from coordtui.attachments import orphans, prune_orphans, size_label
    from coordtui.i18n import t

    lang = getattr(args, "lang", "zh")
    if getattr(args, "prune_orphans", False):
        if refuse:
            print(t("verify.prune_refused", lang, root=store.root), file=sys.stderr)
            return
        count, size = prune_orphans(_workspace(argparse.Namespace(**{"plugin_dir": None, **vars(args)})))
        print(t("verify.pruned", lang, root=store.root, count=count, size=size_label(size)))
        return
    left = orphans(store)
    if left:
        print(t("verify.orphans", lang, root=store.root, count=len(left), size=size_label(sum(size for _, size in left))))


def cmd_demo(args: argparse.Namespace) -> int:
    from coordtui.app import check_terminal
    from coordtui.demo import run_demo

    problem = check_terminal()
    if problem:
        raise InputError(problem, message_zh=problem.zh)
    if args.auto is not None and args.auto <= 0:
        raise InputError("--auto takes a number of seconds above 0, for example --auto 4",
                         message_zh="--auto 需要大于 0 的秒数，例如 --auto 4")
    return run_demo(args.lang, args.auto)


def cmd_app(args: argparse.Namespace) -> int:
    from coordtui.app import run_app


    as_of = _as_of(args, None)
    from coordtui.app import check_terminal

    problem = check_terminal()
    if problem:
        raise InputError(problem, message_zh=problem.zh)
    identity = getattr(args, "identity", None)
    _open_store(args, create=True)  # the upgrade's administrator (said once) and the identity's person, before the screen opens
    return run_app(db=args.db, lang=args.lang, plugin_dirs=[Path(d) for d in (args.plugin_dir or [])], as_of=as_of, org_id=args.org,
                   identity=identity)


def cmd_serve(args: argparse.Namespace) -> int:
    from coordtui.serve import serve

    as_of = _as_of(args, None)
    return serve(host=args.host, port=args.port, db=args.db, lang=args.lang, plugin_dirs=[Path(d) for d in (args.plugin_dir or [])],
                 org_id=args.org, as_of=as_of, demo=args.demo, public_url=args.public_url, allow_hosts=args.allow_host)


def cmd_users(args: argparse.Namespace) -> int:
    from coordtui.access import users
    from coordtui.access.identity import person_of, require_people_admin

    from coordtui.i18n import t

    ws = _workspace(args)
    action = args.users_command
    lang = args.lang
    require_people_admin(ws.store, f"users {action}")
    if action == "feed":
        from coordtui import remind

        if args.revoke:
            remind.revoke_feed(ws, args.name)
            print(t("feed.revoked", args.lang, name=args.name))
        else:
            # the address 'coordtui serve' last listened on (it records it), so the line can be handed on as it is
            base = str(ws.store.meta().get("serve.url") or "").rstrip("/")
            print(t("feed.issued", args.lang, name=args.name, path=f"{base}/feed/{remind.issue_feed(ws, args.name)}.ics"))
        return EXIT_OK
    if action == "list":
        people = sorted((person_of(ws.store, d) for d in ws.store.people()), key=lambda p: p.name)
        if args.format == "json":
            sys.stdout.buffer.write(orjson.dumps([users.as_json(p) for p in people], option=orjson.OPT_INDENT_2) + b"\n")
        else:
            print("\n".join(users.describe(p, lang) for p in people) or t("out.users_none", lang, root=ws.store.root))
        return EXIT_OK
    if action == "add":
        p = users.add(ws, args.name, key_file=Path(args.key) if args.key else None, role=args.role, org=args.org,
                      scope=args.scope, cases=args.cases, display=args.display)
        said = t("out.user_added", lang, person=users.describe(p, lang))
    elif action == "remove":
        users.remove(ws, args.name)
        said = t("out.user_removed", lang, name=args.name)
    elif action == "grant":
        person = users.grant(ws, args.name, role=args.role, org=args.org, scope=args.scope, cases=args.cases)
        said = t("out.user_granted", lang, person=users.describe(person, lang))
    elif action == "revoke":
        said = t("out.user_revoked", lang, person=users.describe(users.revoke(ws, args.name, org=args.org), lang))
    elif action == "passwd":
        if args.clear:
            users.set_password(ws, args.name, None)
            said = t("out.password_cleared", lang, name=args.name)
        else:
            users.set_password(ws, args.name, users.read_password(args.name, from_stdin=args.stdin, lang=lang))
            said = t("out.password_set", lang, name=args.name)
        print(said)
        return EXIT_OK
    elif action == "link":
        if args.revoke:
            print(t("out.links_revoked", lang, count=users.revoke_links(ws, args.name), name=args.name))
            return EXIT_OK
        url, expires = users.sign_in_link(ws, args.name, valid=args.valid, public_url=args.public_url)
        print(url)
        from coordtui.i18n import moment

        print(t("out.link_issued", lang, until=moment(expires, lang), name=args.name), file=sys.stderr)
        return EXIT_OK
    elif action == "set":
        person = users.update(ws, args.name, email=args.email, webhook=args.webhook, display=args.display)
        said = t("out.user_changed", lang, person=users.describe(person, lang))
    else:
        said = t("out.users_synced", lang)
    path = users.sync_keys(ws)
    said += t("out.keys_later", lang) if path is None else t("out.keys_updated", lang, path=path)
    print(said)
    return EXIT_OK


#: What a person may run over SSH (SSH_ORIGINAL_COMMAND), and the app's own options.
SHELL_COMMANDS = ("check", "export", "import", "attach", "attachments", "attachment")


def cmd_shell(args: argparse.Namespace) -> int:
    """The forced command of a person's key: the identity is NAME, the store is this ``--db``;
    the person chooses only among a few subcommands and options that cannot reach elsewhere."""
    import shlex

    from coordtui.access.identity import check_name, may_edit, require_owner, require_person

    name = check_name(args.name)
    root = _store_root(args).resolve()
    require_owner(root, f"coordtui shell {name}")
    args.identity, args.db = name, str(root)
    store = _open_store(args)
    who = require_person(store, name, f"coordtui shell {name}")
    line = os.environ.get("SSH_ORIGINAL_COMMAND", "").strip()
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise AccessError(f"{line[:60]!r}: cannot be read as a command ({exc}): send check, export or import",
                          message_zh=f"{line[:60]!r}：无法作为命令读取（{exc}）：请发送 check、export 或 import") from None
    if not words or words[0].startswith("-"):
        app = _Parser(prog="coordtui", add_help=False, allow_abbrev=False)
        app.add_argument("--lang", choices=["zh", "en"], default=args.lang)
        app.add_argument("--org", metavar="ID")
        app.add_argument("--as-of", metavar="YYYY-MM-DD")
        options, rest = app.parse_known_args(words)
        if rest:
            raise AccessError(f"{rest[0][:40]!r}: not allowed over SSH: the application takes --lang, --org and --as-of; "
                              f"commands are {', '.join(SHELL_COMMANDS)}",
                              message_zh=f"{rest[0][:40]!r}：通过 SSH 不允许：应用只接受 --lang、--org 和 --as-of；可用的命令为 {', '.join(SHELL_COMMANDS)}")
        return cmd_app(argparse.Namespace(db=str(root), plugin_dir=args.plugin_dir, lang=options.lang, org=options.org,
                                          as_of=options.as_of, identity=name, as_name=None))
    command = words[0]
    if command not in SHELL_COMMANDS:
        raise AccessError(f"{command[:40]!r}: not allowed over SSH: send one of {', '.join(SHELL_COMMANDS)} "
                          "(or nothing, for the application)",
                          message_zh=f"{command[:40]!r}：通过 SSH 不允许：可用 {', '.join(SHELL_COMMANDS)}（或不带命令，打开应用）")
    try:
        lang = cli_lang(words) if "--lang" in " ".join(words) else args.lang
        with argparse_language(lang):
            sub = build_parser(lang).parse_args(words)
    except SystemExit as exc:
        return int(exc.code or 0)
    sub.lang = lang  # the person's command speaks the language its errors do
    for option, given, why, why_zh in (("--db", sub.db, "your commands always work on this server's store", "您的命令总是作用于本服务器的数据存储"),
                                       ("--plugin-dir", sub.plugin_dir, "the models are the ones the server's owner installed", "模型由服务器所有者安装"),
                                       ("--as", sub.as_name, "your key decides who you are", "您的身份由密钥决定")):
        if given:
            raise AccessError(f"{option}: not allowed over SSH: {why}", message_zh=f"{option}：通过 SSH 不允许使用：{why_zh}")
    if command == "export":
        if sub.out not in (None, "-"):
            raise AccessError(f"--out {sub.out[:60]!r}: not allowed over SSH (it would write on the server): "
                              "the export comes to you on standard output, e.g. ssh … export --format xlsx --org ID > ledger.xlsx",
                              message_zh=f"--out {sub.out[:60]!r}：通过 SSH 不允许（会写在服务器上）：导出内容从标准输出传给您，"
                                         "例如 ssh … export --format xlsx --org 组织编号 > 台账.xlsx")
        sub.out = "-"
    if command == "import":
        if sub.files != ["-"]:
            raise AccessError("import: over SSH only 'import -' is allowed (the document on standard input, "
                              "e.g. ssh … import - < tjpu.json): files on the server are not yours to name",
                              message_zh="导入：通过 SSH 只允许 import -（文档从标准输入传入，例如 ssh … import - < tjpu.json）：不能指定服务器上的文件")
        if not may_edit(who):
            raise AccessError(f"import: {who.shown()} is a reader and may not change records: ask an administrator",
                              message_zh=f"导入：{who.shown()} 是只读人员，不能修改记录：请联系管理员")
    if command == "attachment":
        if sub.out not in (None, "-"):
            raise AccessError(f"--out {sub.out[:60]!r}: not allowed over SSH (it would write on the server): "
                              "the file comes to you on standard output, e.g. ssh … attachment ORG KIND ID 新闻稿.docx > 新闻稿.docx",
                              message_zh=f"--out {sub.out[:60]!r}：通过 SSH 不允许（会写在服务器上）：文件从标准输出传给您，例如 ssh … attachment 组织编号 类别 记录编号 新闻稿.docx > 新闻稿.docx")
        sub.out = "-"
    if command == "attach":
        if sub.file not in (None, "-"):
            raise AccessError(f"attach {sub.file[:60]!r}: over SSH the file comes on standard input, not from the server: "
                              "ssh … attach ORG KIND ID --name 新闻稿.docx < 新闻稿.docx",
                              message_zh=f"attach {sub.file[:60]!r}：通过 SSH 时文件从标准输入传入，而不是取自服务器：ssh … attach 组织编号 类别 记录编号 --name 新闻稿.docx < 新闻稿.docx")
        if not may_edit(who):
            raise AccessError(f"attach: {who.shown()} is a reader and may not change records: ask an administrator",
                              message_zh=f"附件：{who.shown()} 是只读人员，不能修改记录：请联系管理员")
    sub.db, sub.plugin_dir, sub.identity = str(root), args.plugin_dir, name
    return COMMANDS[command](sub)


COMMANDS = {
    "init": cmd_init,
    "config": cmd_config,
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
    "users": cmd_users,
    "remind": cmd_remind,
    "shell": cmd_shell,
    **{name: (lambda args, _name=name: _attachment_command(_name, args)) for name in ("attach", "attachments", "detach", "attachment")},
}


def _attachment_command(name: str, args: argparse.Namespace) -> int:
    from coordtui import attach_commands

    return attach_commands.COMMANDS[name](args, _workspace(args))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = cli_lang(argv)
    try:
        with argparse_language(lang):
            args = build_parser(lang).parse_args(argv)
    except SystemExit as exc:  # usage errors, --help and --version
        return int(exc.code or 0)
    if args.command == "shell" and "--lang" in os.environ.get("SSH_ORIGINAL_COMMAND", ""):
        with contextlib.suppress(ValueError):  # the forced command's own words choose, as they do for its parsing
            import shlex

            lang = cli_lang(shlex.split(os.environ["SSH_ORIGINAL_COMMAND"]))
    try:
        if args.as_name is not None:
            if args.command == "shell":
                raise AccessError("--as: the forced command names its person itself: leave --as out",
                                  message_zh="--as：强制命令自己指明人员：请去掉 --as")
            from coordtui.access.identity import check_name, require_owner

            require_owner(_store_root(args), f"--as {args.as_name[:40]!r}")
            args.identity = check_name(args.as_name)
        no_collection_at_exit()
        return COMMANDS.get(args.command, cmd_app)(args)
    except CoordError as exc:
        print(f"coordtui: {one_line(exc.text(lang))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
