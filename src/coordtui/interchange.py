"""The interchange format ``coordtui/1``: one JSON document per organization.

::

    {"format": "coordtui/1", "model": "<model id>",
     "org": {"id": ..., "name": ..., "settings": {...}},
     "items": [{"kind": ..., "id": ..., ...}, ...]}

Import validates every item against its kind's pydantic model and every reference
against the items of the file (and, when merging, of the store) before anything is
written; then it writes the whole organization in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import orjson
from pydantic import ValidationError

from coordtui.domain.model import ModelSpec, Organization
from coordtui.domain.records import Record, normalize_name
from coordtui.store import strip_meta
from coordtui.errors import InputError, StoreError, shown
from coordtui.userfiles import read_user_file

if TYPE_CHECKING:
    from coordtui.workspace import Workspace

FORMAT = "coordtui/1"
MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass
class Plan:
    """A validated import: what would be written."""

    source: str
    model: ModelSpec
    org: Organization
    records: list[Record]


def read_document(path: Path) -> dict[str, Any]:
    mib = MAX_FILE_BYTES // (1024 * 1024)
    raw = read_user_file(path, limit=MAX_FILE_BYTES, give="name a .json file",
                         too_big=f"more than the {mib} MiB an import takes: split it")
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}): fix the file",
                         message_zh=f"{path}：不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）：请修正该文件") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a JSON object with format, model, org and items",
                         message_zh=f"{path}：应为含 format、model、org 和 items 的 JSON 对象")
    return doc


def _item_where(source: str, number: int, kind: Any) -> str:
    return f"{shown(source, 200)}: item {number} (kind {shown(kind)})"


def _item_where_zh(source: str, number: int, kind: Any) -> str:
    return f"{shown(source, 200)}：第{number}项（类别 {shown(kind)}）"


def _field_part(field: str) -> str:
    """``field F: `` before a field's problem; nothing before a whole record's (a model validator's)."""
    return "" if field in ("", "(item)") else f"field {shown(field)}: "


def _field_part_zh(field: str) -> str:
    return "" if field in ("", "(item)") else f"字段 {shown(field)}："


#: pydantic's error types as a person reads them in Chinese (its own messages are English).
PYDANTIC_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "date_type": "应为 YYYY-MM-DD 格式的日期",
    "date_parsing": "应为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_parsing": "应为 YYYY-MM-DD 格式的日期（该日期不存在或格式不对）",
    "date_from_datetime_inexact": "应为日期，不带时间",
    "datetime_parsing": "应为日期和时间",
    "string_too_short": "不能为空",
    "string_too_long": "文本过长",
    "string_pattern_mismatch": "格式不符合要求",
    "too_short": "项数不够",
    "too_long": "项数过多",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
}


def first_error_zh(exc: ValidationError) -> str:
    """The first problem of a pydantic error in Chinese: a model's own message where it gave
    one (a ValueInputError's message_zh), else its error type's wording."""
    err = exc.errors()[0]
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    error = ctx.get("error")
    if isinstance(ctx.get("zh"), str):  # records.invalid(zh, en): a validator's complaint in both languages
        return shown(ctx["zh"], 200)
    if getattr(error, "message_zh", None):
        return shown(error.message_zh, 200)
    if kind in ("literal_error", "enum"):
        return f"应为以下之一：{shown(ctx.get('expected', ''), 200)}"
    if kind in ("value_error", "assertion_error") and error is not None:
        return shown(str(error), 200)  # a plain ValueError of a model, shown as its author wrote it
    return PYDANTIC_ZH.get(kind, "值无效")



def validate_document(doc: dict[str, Any], ws: "Workspace", source: str, *, merge_with_store: bool = False) -> Plan:
    """Check a whole document; raise InputError naming the first problem as ``FILE: item N (kind K): field F: problem``."""
    if doc.get("format") != FORMAT:
        raise InputError(f"{shown(source, 200)}: format is {shown(repr(doc.get('format')))}, expected '{FORMAT}'",
                         message_zh=f"{shown(source, 200)}：format 为 {shown(repr(doc.get('format')))}，应为 '{FORMAT}'")
    model_id = doc.get("model")
    if not isinstance(model_id, str):
        raise InputError(f"{source}: 'model' must name a model (see 'coordtui plugins')",
                         message_zh=f"{source}：model 应写明模型（见 coordtui plugins）")
    try:
        model = ws.host.model(model_id)
    except InputError as exc:
        raise InputError(f"{source}: {exc.message}", message_zh=f"{source}：{exc.text('zh')}") from None
    org_raw = doc.get("org")
    if not isinstance(org_raw, dict):
        raise InputError(f"{source}: 'org' must be an object with id and name",
                         message_zh=f"{source}：org 应为含 id 和 name 的对象")
    try:
        org = Organization(**{**org_raw, "model": model_id})
    except (ValidationError, TypeError) as exc:
        if isinstance(exc, ValidationError):
            err = exc.errors()[0]
            loc = shown('.'.join(map(str, err['loc'])))
            raise InputError(f"{source}: org: field {loc}: {shown(err['msg'], 200)}",
                             message_zh=f"{source}：org：字段 {loc}：{first_error_zh(exc)}") from None
        raise InputError(f"{source}: org: {exc}", message_zh=f"{source}：org：应为含 id 和 name 的对象") from None
    try:
        model.parse_settings(org.settings)
    except InputError as exc:
        raise InputError(f"{source}: org: {exc.message}", message_zh=f"{source}：org：{exc.text('zh')}") from None
    items = doc.get("items")
    if not isinstance(items, list):
        raise InputError(f"{source}: 'items' must be a list", message_zh=f"{source}：items 应为列表")

    from coordtui.tabular import Problems
    from coordtui.workspace import first_error

    # Every bad item is reported together (the first MAX_REPORTED, and how many more), so a
    # file is fixed in one go rather than one error per run.
    problems = Problems()
    records: list[Record] = []
    numbers: list[int] = []  # the item number of each record (bad items have none)
    seen: dict[tuple[str, str], int] = {}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.add(f"{source}: item {number}: expected an object, got {type(item).__name__}",
                         f"{source}：第{number}项：应为对象")
            continue
        kind = item.get("kind")
        if not isinstance(kind, str) or kind not in model.kind_map:
            known = ", ".join(model.kind_map)
            problems.add(f"{_item_where(source, number, kind)}: unknown kind for model {model_id} (known: {known})",
                         f"{_item_where_zh(source, number, kind)}：模型 {model_id} 没有这个类别（已有：{'、'.join(model.kind_map)}）")
            continue
        cls = model.kind_map[kind]
        data = {k: v for k, v in item.items() if k != "kind"}
        try:
            record = cls.model_validate(data)
        except ValidationError as exc:
            field, problem = first_error(exc)
            problems.add(f"{_item_where(source, number, kind)}: {_field_part(field)}{shown(problem, 200)}",
                         f"{_item_where_zh(source, number, kind)}：{_field_part_zh(field)}{first_error_zh(exc)}")
            continue
        key = (kind, record.id)
        if key in seen:
            problems.add(f"{_item_where(source, number, kind)}: field id: '{record.id}' is used again (first at item {seen[key]})",
                         f"{_item_where_zh(source, number, kind)}：字段 id：'{record.id}' 重复（首次出现在第{seen[key]}项）")
            continue
        seen[key] = number
        records.append(record)
        numbers.append(number)

    store_records: dict[str, list[Record]] = {}
    if merge_with_store and ws.store.get_org(org.id) is not None:
        for kind in model.kind_map:
            store_records[kind] = ws.records(org, kind)
    where = (lambda n, record, field: f"{_item_where(source, numbers[n - 1], record.kind)}: field {field}")
    where_zh = (lambda n, record, field: f"{_item_where_zh(source, numbers[n - 1], record.kind)}：字段 {field}")
    records = _resolve_references(records, store_records, source, where, problems=problems, where_zh=where_zh, owned=True)
    problems.raise_if_any()
    return Plan(source, model, org, records)


def resolve_references(records: list[Record], ws: "Workspace", org: Organization, model: ModelSpec, source: str,
                       where: Callable[[int, Record, str], str], *, org_name: str | None = None, problems: Any = None,
                       where_zh: Callable[[int, Record, str], str] | None = None, owned: bool = False) -> list[Record]:
    """Resolve the references of ``records`` against themselves and the organization's stored records.

    With ``org_name`` (a spreadsheet's names): a name with the organization's in front
    (天津工业大学电气与电子工程学院纪委) is the name without it, names in one cell may be separated
    by spaces, a name that matches nothing is answered with the nearest names, and every
    bad row is reported together.
    """
    from coordtui.tabular import Problems

    store_records = {kind: ws.records(org, kind) for kind in model.kind_map} if ws.store.get_org(org.id) is not None else {}
    own = problems is None and org_name is not None
    if own:
        problems = Problems()
    resolved = _resolve_references(records, store_records, source, where, org_name=org_name, problems=problems, where_zh=where_zh,
                                   owned=owned)
    if own:
        problems.raise_if_any()
    return resolved


def _name_index(records: list[Record]) -> dict[str, dict[str, set[str]]]:
    """kind → name or alias → ids."""
    index: dict[str, dict[str, set[str]]] = {}
    for record in records:
        for name in record.names():
            # White space never tells two names apart: documents pad names (孙  刚 is 孙刚).
            index.setdefault(record.kind, {}).setdefault(normalize_name(name), set()).add(record.id)
    return index


def _nearest(value: str, names: dict[str, set[str]], limit: int = 3) -> list[str]:
    """The names a short or misspelt name most likely means: those holding its characters in order, then look-alikes."""
    import difflib

    key = normalize_name(value)
    ordered = [n for n in names if _subsequence(key, n)]
    close = difflib.get_close_matches(key, list(names), n=limit, cutoff=0.5)
    return list(dict.fromkeys(ordered + close))[:limit]


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return len(short) >= 2 and all(ch in it for ch in short)


def _resolve_references(records: list[Record], store_records: dict[str, list[Record]], source: str,
                        where: Callable[[int, Record, str], str] | None = None, *, org_name: str | None = None,
                        problems: Any = None, where_zh: Callable[[int, Record, str], str] | None = None,
                        owned: bool = False) -> list[Record]:
    """Check every reference; one written as a name or alias becomes the id it names.

    ``owned``: ``records`` are the caller's own, made for this call and not kept: a record whose
    references are resolved is changed in place rather than copied.

    ``驻公安纪检监察组`` and ``驻公安局纪检监察组`` are one body when one lists the other as an alias.
    """
    ids = {(r.kind, r.id) for r in records}
    known = [r for rs in store_records.values() for r in rs if (r.kind, r.id) not in ids]
    ids |= {(r.kind, r.id) for r in known}
    refs_of = {cls: cls.references() for cls in {type(r) for r in records}}
    targets = {target for refs in refs_of.values() for target in refs.values()}
    # Only the kinds something refers to are looked up by name (not 10,000 activities' titles).
    names = _name_index([r for r in records if r.kind in targets] + [r for r in known if r.kind in targets])
    where = where or (lambda number, record, field: f"{_item_where(source, number, record.kind)}: field {field}")
    where_zh = where_zh or (lambda number, record, field: f"{_item_where_zh(source, number, record.kind)}：字段 {field}")
    prefix = normalize_name(org_name) if org_name else None

    def find(target: str, value: str) -> set[str]:
        if (target, value) in ids:
            return {value}
        index = names.get(target, {})
        key = normalize_name(value)
        matches = index.get(key, set())
        if not matches and prefix and key.startswith(prefix) and len(key) > len(prefix):
            matches = index.get(key[len(prefix):], set())
        return matches

    # A ledger names the same few units and people on every row: each name is looked up once.
    looked_up: dict[tuple[str, str], set[str]] = {}

    def lookup(target: str, value: str) -> set[str]:
        matches = looked_up.get((target, value))
        if matches is None:
            matches = looked_up[(target, value)] = find(target, value)
        return matches

    def parts(target: str, value: str) -> list[str]:
        """Several names in one cell separated by spaces, unless the spaces only pad one name."""
        return [value] if lookup(target, value) or not value.split()[1:] else value.split()

    # (target, split by spaces, the values as written) -> (the ids, whether they differ from what
    # was written, each value that names no one record with its matches): a ledger repeats cells.
    field_memo: dict[tuple[str, bool, tuple[str, ...]], tuple[list[str], bool, list[tuple[str, set[str]]]]] = {}

    def resolve_field(target: str, split: bool, raw: tuple[str, ...]) -> tuple[list[str], bool, list[tuple[str, set[str]]]]:
        key = (target, split, raw)
        got = field_memo.get(key)
        if got is not None:
            return got
        values: list[str] = []
        failures: list[tuple[str, set[str]]] = []
        written: Any = raw
        if split:
            written = [part for value in raw for part in parts(target, value)]
        changed = split
        for value in written:
            matches = lookup(target, value)
            if len(matches) == 1:
                found = next(iter(matches))
                values.append(found)
                changed = changed or found != value
            else:
                failures.append((value, matches))
        got = field_memo[key] = (values, changed, failures)
        return got

    resolved = []
    for number, record in enumerate(records, start=1):
        updates = {}
        bad = False
        for field, target in refs_of[type(record)].items():
            current = getattr(record, field)
            values, changed, failures = resolve_field(target, org_name is not None and isinstance(current, list),
                                                      tuple(record.ref_values(field)))
            for value, matches in failures:
                at_zh = where_zh(number, record, field)
                if len(matches) > 1:
                    message = f"{where(number, record, field)}: '{shown(value)}' names several {target}s ({', '.join(sorted(matches))}): use the id"
                    message_zh = f"{at_zh}：“{shown(value)}”对应多条 {target} 记录（{'、'.join(sorted(matches))}）：请写编号"
                elif org_name is not None:
                    nearest = _nearest(value, names.get(target, {}))
                    hint = f": did you mean {'、'.join(nearest)}?" if nearest else ""
                    hint_zh = f"：是否指 {'、'.join(nearest)}？" if nearest else ""
                    message = f"{where(number, record, field)}: no {target} named '{shown(value)}'{hint}"
                    message_zh = f"{at_zh}：没有名为“{shown(value)}”的 {target} 记录{hint_zh}"
                else:
                    message = f"{where(number, record, field)}: no {target} with id '{shown(value)}'"
                    message_zh = f"{at_zh}：没有编号为“{shown(value)}”的 {target} 记录"
                if problems is None:
                    raise InputError(message, message_zh=message_zh)
                problems.add(message, message_zh)
                bad = True
            if changed:
                updates[field] = list(values) if isinstance(current, list) else (values[0] if values else current)
        if bad:
            continue
        if updates and owned and record.model_config.get("extra") != "allow":
            # What model_copy(update=...) does to its copy, done to the record itself: a ledger's
            # every row names its units and members (10,000 copies took a sixth of planning it).
            record.__dict__.update(updates)
            record.__pydantic_fields_set__.update(updates)
        elif updates:
            record = record.model_copy(update=updates)
        resolved.append(record)
    return resolved


def export_document(ws: "Workspace", org_id: str) -> dict[str, Any]:
    org = ws.org(org_id)
    model = ws.model_of(org)
    items: list[dict[str, Any]] = []
    for cls in model.kinds:
        try:
            docs = [record.model_dump(mode="json") for record in ws.records(org, cls.kind)]
        except StoreError:
            # A record that no longer fits the model (an earlier version's): exported as stored, so
            # that it can be corrected in the file and imported again (the way the error advises).
            docs = sorted((strip_meta(d) for d in ws.rows(org, cls.kind)), key=lambda d: str(d.get("id")))
        items.extend({"kind": cls.kind, **doc} for doc in docs)
    return {
        "format": FORMAT,
        "model": model.id,
        "org": {"id": org.id, "name": org.name, "settings": org.settings},
        "items": items,
    }


def dumps(doc: dict[str, Any]) -> bytes:
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
