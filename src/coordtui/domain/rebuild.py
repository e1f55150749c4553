"""Records kept as their validated values in plain JSON, and built again from them without
validating (为缓存的已校验记录重建对象): for the sealed cache of parsed partitions
(:mod:`coordtui.store.parts`), which spares a fresh check's worker reading, parsing and
validating every data file again while the file is unchanged.

Only what the write proves comes back the same is kept: a kind whose every field is one of a
few plain shapes (text, numbers, true/false, dates, choices, optionals and lists of them) is
written as its fields' values in order; when the partition is kept, its rows are turned to
JSON and back and built again, and kept only if every record so built is the one validation
made, field by field and type by type (:func:`same`). Anything else (a kind with another
field type, a value JSON cannot carry exactly, a model that runs code after construction) is
not kept, and is read and validated from its file as ever.
"""

from __future__ import annotations

import types
import typing
from datetime import date
from enum import Enum
from typing import Any, Callable, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from coordtui.domain.records import Record

#: The value is JSON's as it is (text, a number, true/false, null, a list of those).
_AS_IS = "as is"

_PLAIN = (str, int, float, bool, type(None))
_new_object = object.__new__
_set_attribute = object.__setattr__


#: A date from its ISO text (a TypeError or ValueError for anything else: rows of another shape).
_day = date.fromisoformat


def _optional(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: value if value is None else convert(value)


def _each(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: [convert(v) for v in value]


def _converter(annotation: Any) -> Any:
    """How a field's JSON value becomes its validated one: :data:`_AS_IS`, a function, or None
    for an annotation this module does not rebuild (the kind is then not kept)."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _converter(get_args(annotation)[0])
    if annotation in _PLAIN:
        return _AS_IS
    if annotation is date:
        return _day
    if origin is Literal:
        return _AS_IS if all(type(v) in (str, int, bool) or v is None for v in get_args(annotation)) else None
    if origin in (Union, types.UnionType):
        args = get_args(annotation)
        others = [a for a in args if a is not type(None)]
        converted = [_converter(a) for a in others]
        if any(c is None for c in converted):
            return None
        if all(c is _AS_IS for c in converted):
            return _AS_IS
        if len(others) == 1 and len(args) == 2:  # X | None, X rebuilt
            return _optional(converted[0])
        return None  # (a date or a text, say: which one a JSON text was is not known)
    if origin is list:
        args = get_args(annotation)
        inner = _converter(args[0]) if args else _AS_IS
        if inner is None:
            return None
        return _AS_IS if inner is _AS_IS else _each(inner)
    if isinstance(annotation, type) and issubclass(annotation, Enum) and not issubclass(annotation, BaseModel):
        return annotation
    return None


class Plan:
    """How the records of one kind are written and built again."""

    __slots__ = ("cls", "fields", "converters", "every", "given")

    def __init__(self, cls: type[Record], fields: tuple[str, ...], converters: list[tuple[int, Callable[[Any], Any]]]) -> None:
        self.cls, self.fields, self.converters = cls, fields, converters
        self.every = (1 << len(fields)) - 1
        self.given = set(fields)  # (copied for each record built with every field given)

    def row(self, record: Record) -> list[Any] | None:
        """The record's fields' values in order, after a mask of the fields it was given; None
        for a record this plan cannot write (its values not the fields' own, in their order)."""
        values = record.__dict__
        if tuple(values) != self.fields or record.__pydantic_extra__ or record.__pydantic_private__:
            return None
        given = record.__pydantic_fields_set__
        mask = self.every if len(given) == len(self.fields) else sum(1 << n for n, name in enumerate(self.fields) if name in given)
        return [mask, *values.values()]

    def build(self, row: list[Any]) -> Record:
        """The record of ``row`` (from :meth:`row`, through JSON), not validated again."""
        values = row[1:]
        for n, convert in self.converters:
            values[n] = convert(values[n])
        record = _new_object(self.cls)
        fields = self.fields
        _set_attribute(record, "__dict__", dict(zip(fields, values)))
        mask = row[0]
        _set_attribute(record, "__pydantic_fields_set__",
                       self.given.copy() if mask == self.every else {name for n, name in enumerate(fields) if mask >> n & 1})
        _set_attribute(record, "__pydantic_extra__", None)
        _set_attribute(record, "__pydantic_private__", None)
        return record


_PLANS: dict[type, Plan | None] = {}


def plan_of(cls: type[Record]) -> Plan | None:
    """The kind's plan, or None when its records are not kept (see the module's docstring)."""
    if cls in _PLANS:
        return _PLANS[cls]
    plan = None
    if (issubclass(cls, Record) and cls.__pydantic_post_init__ is None and not cls.__private_attributes__
            and cls.model_config.get("extra") != "allow" and not getattr(cls, "__pydantic_root_model__", False)):
        converters: list[tuple[int, Callable[[Any], Any]]] = []
        fields = tuple(cls.model_fields)
        for n, name in enumerate(fields):
            convert = _converter(cls.model_fields[name].annotation)
            if convert is None:
                break
            if convert is not _AS_IS:
                converters.append((n, convert))
        else:
            plan = Plan(cls, fields, converters)
    _PLANS[cls] = plan
    return plan


def same(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` are the same value of the same types all the way down (a record:
    its fields in order, the fields it was given, nothing extra or private)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, BaseModel):
        x, y = a.__dict__, b.__dict__
        if (x != y or list(x) != list(y) or a.__pydantic_fields_set__ != b.__pydantic_fields_set__
                or a.__pydantic_extra__ != b.__pydantic_extra__ or a.__pydantic_private__ != b.__pydantic_private__):
            return False
        # Equal, and each value of the same type as its counterpart (1 == True == 1.0): the
        # containers' items compared the same way.
        for u, v in zip(x.values(), y.values()):
            if type(u) is not type(v) or (type(u) in _CONTAINERS and not same(u, v)):
                return False
        return True
    if type(a) in (list, tuple):
        if len(a) != len(b):
            return False
        for u, v in zip(a, b):
            if type(u) is not type(v) or not (same(u, v) if type(u) in _CONTAINERS or isinstance(u, BaseModel) else u == v):
                return False
        return True
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


_CONTAINERS = (list, tuple, dict)


def same_partition(a: dict[str, list[Record]], b: dict[str, list[Record]]) -> bool:
    """:func:`same` for two partitions (kind -> records), in one pass over the records."""
    if list(a) != list(b):
        return False
    for kind, records in a.items():
        others = b[kind]
        if type(records) is not list or type(others) is not list or len(records) != len(others):
            return False
        for r, o in zip(records, others):
            if type(r) is not type(o) or not isinstance(r, BaseModel):
                return False
            x, y = r.__dict__, o.__dict__
            if (x != y or list(x) != list(y) or r.__pydantic_fields_set__ != o.__pydantic_fields_set__
                    or r.__pydantic_extra__ != o.__pydantic_extra__ or r.__pydantic_private__ != o.__pydantic_private__):
                return False
            for u, v in zip(x.values(), y.values()):
                if type(u) is not type(v) or (type(u) in _CONTAINERS and not same(u, v)):
                    return False
    return True


def rows_of(kinds: dict[str, type[Record]], parsed: dict[str, list[Record]]) -> dict[str, list[list[Any]]] | None:
    """A partition's records (kind -> records, as validated) as rows per kind; None when any of
    them cannot be kept (``kinds``: the model's kind classes by id)."""
    out: dict[str, list[list[Any]]] = {}
    for kind, records in parsed.items():
        cls = kinds.get(kind)
        plan = plan_of(cls) if cls is not None else None
        if plan is None:
            return None
        rows = out[kind] = []
        for record in records:
            if type(record) is not cls:
                return None
            row = plan.row(record)
            if row is None:
                return None
            rows.append(row)
    return out


def records_of(kinds: dict[str, type[Record]], rows: Any) -> dict[str, list[Record]] | None:
    """The partition of :func:`rows_of` again, from its JSON; None for rows of another shape."""
    if type(rows) is not dict:
        return None
    parsed: dict[str, list[Record]] = {}
    try:
        for kind, kept in rows.items():
            cls = kinds.get(kind)
            plan = plan_of(cls) if cls is not None else None
            if plan is None or type(kept) is not list:
                return None
            width = len(plan.fields) + 1
            built = parsed[kind] = []
            for row in kept:
                if type(row) is not list or len(row) != width:
                    return None
                built.append(plan.build(row))
    except (TypeError, ValueError):  # (a date that is none: rows written by rows_of never hold one)
        return None
    return parsed


def fields_of(kinds: dict[str, type[Record]]) -> dict[str, list[str]]:
    """Each kept kind's fields in order: what rows written now mean (checked when they are read)."""
    return {kind: list(plan.fields) for kind, cls in kinds.items() if (plan := plan_of(cls)) is not None}
