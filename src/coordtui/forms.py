"""What a record form needs to know about a kind's fields, read from its pydantic model.

Kept free of Textual so it can be tested (and reused by imports) on its own.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
import re
from datetime import date
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import ValidationError

from coordtui.domain.records import INVALID, Record
from coordtui.errors import CoordError
from coordtui.i18n import t


@dataclass
class FieldSpec:
    name: str
    label: str
    widget: str  # text | int | date | bool | choice | choices | ref | refs | list
    optional: bool
    choices: tuple[str, ...] = ()
    ref_kind: str | None = None


def label_for(title: str, lang: str) -> str:
    """A field title written ``中文 English`` gives the part in the interface language."""
    if title == "id":
        return t("form.id", lang)
    head, _, rest = title.partition(" ")
    if rest and any("\u4e00" <= ch <= "\u9fff" for ch in head):
        return head if lang == "zh" else rest
    return title


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(args) != len(get_args(annotation)):
            return args[0], True
    return annotation, False


def field_specs(cls: type[Record]) -> list[FieldSpec]:
    refs = cls.references()
    specs = []
    for name, info in cls.model_fields.items():
        annotation, optional = _unwrap_optional(info.annotation)
        if get_origin(annotation) is typing.Annotated:
            annotation = get_args(annotation)[0]
            annotation, opt2 = _unwrap_optional(annotation)
            optional = optional or opt2
        label = info.title or name
        optional = optional or not info.is_required()
        if name in refs:
            widget = "refs" if get_origin(annotation) is list else "ref"
            specs.append(FieldSpec(name, label, widget, optional, ref_kind=refs[name]))
        elif get_origin(annotation) is list:
            (item,) = get_args(annotation) or (str,)
            if get_origin(item) is typing.Annotated:
                item = get_args(item)[0]
            if get_origin(item) is Literal:
                specs.append(FieldSpec(name, label, "choices", True, choices=tuple(str(a) for a in get_args(item))))
            else:
                specs.append(FieldSpec(name, label, "list", True))
        elif get_origin(annotation) is Literal:
            specs.append(FieldSpec(name, label, "choice", optional, choices=tuple(str(a) for a in get_args(annotation))))
        elif annotation is bool:
            specs.append(FieldSpec(name, label, "bool", True))
        elif annotation is int:
            specs.append(FieldSpec(name, label, "int", optional))
        elif annotation is date:
            specs.append(FieldSpec(name, label, "date", optional))
        else:
            specs.append(FieldSpec(name, label, "text", optional))
    return specs


_ZH = {
    "missing": "必填",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "string_too_short": "不能为空",
    "string_too_long": "太长",
    "literal_error": "请从列表中选择",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "string_pattern_mismatch": "格式不对",
}


#: A date written the right way that the calendar does not have (2026-09-31): say so, not "the format".
NO_SUCH_DAY = ("{value} 这一天不存在（该月没有这一日）", "{value} is not a day of the calendar (the month has no such day)")
_DATE_ERRORS = {"date_from_datetime_parsing", "date_parsing"}


LIST_SEPARATORS = "、,，;；"


def split_list(text: str) -> list[str]:
    """``甲、乙, 丙`` → ``["甲", "乙", "丙"]``: the separators people type in Chinese and English."""
    for sep in LIST_SEPARATORS[1:]:
        text = text.replace(sep, LIST_SEPARATORS[0])
    return [part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()]


def field_errors(exc: ValidationError, lang: str) -> dict[str, str]:
    """Field name ('' for the whole record) → the first problem, in the interface language."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err.get("loc") else ""
        msg = err.get("msg", "").removeprefix("Value error, ")
        value = err.get("input")
        if err.get("type") in _DATE_ERRORS and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            msg = NO_SUCH_DAY[0 if lang == "zh" else 1].format(value=value.strip())
        elif lang == "zh" and err.get("type") in _ZH:
            msg = _ZH[err["type"]]
        elif lang == "zh" and err.get("type") == INVALID:
            msg = err["ctx"]["zh"]
        elif isinstance(err.get("ctx", {}).get("error"), CoordError):
            msg = err["ctx"]["error"].text(lang)
        errors.setdefault(field, msg)
    return errors
