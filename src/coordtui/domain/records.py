"""Base types every model builds on: records (记录), names, references and findings (检查发现)."""

from __future__ import annotations

import re
import types
import typing
import weakref
from datetime import date
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from coordtui.domain.outcomes import Severity

_SPACE = re.compile(r"\s+")
#: An id names a file or a part of a path somewhere (an organization's folder, an export):
#: one path-safe name, never ``.``, ``..`` or a hidden name.
ID_PATTERN = r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]{0,79}$"
_ID = re.compile(ID_PATTERN)
#: Control characters (C0, DEL, C1): a terminal obeys them (ESC, BEL, CSI) and XML refuses
#: them (docx, xlsx). Tab and newline are allowed in free text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def normalize_name(value: str) -> str:
    """Remove all white space from a person's name (``孙  刚`` → ``孙刚``).

    Documents pad two-character names with spaces to align them with three-character ones.
    """
    return _SPACE.sub("", value)


def invalid(zh: str, en: str) -> PydanticCustomError:
    """A validator's complaint in both interface languages: ``raise invalid("结束早于开始", "ends before it starts")``.

    The record form shows the Chinese or the English one at the field, as the interface
    speaks; the command line and import files say the English one. A plain ``ValueError``
    still works and is shown as it is written.
    """
    return PydanticCustomError(INVALID, "{en}", {"en": en, "zh": zh})


#: The pydantic error type of :func:`invalid`.
INVALID = "coordtui_invalid"


def control_problem(value: Any, *, one_line: bool = False) -> str | None:
    """Where ``value`` (text, or lists and mappings of it) holds a control character: the
    character escaped (``\\x1b``), else None. ``one_line`` also refuses tab and newline."""
    pattern = _CONTROL_OR_BREAK if one_line else _CONTROL
    if isinstance(value, str):
        found = pattern.search(value)
        return ascii(found.group())[1:-1] if found else None
    if isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            problem = control_problem(item, one_line=one_line)
            if problem:
                return problem
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = control_problem(key, one_line=True) or control_problem(item, one_line=one_line)
            if problem:
                return problem
    return None


def _control_error(found: str) -> PydanticCustomError:
    return invalid(f"含有控制字符 {found}（不允许控制字符，长文本中的制表符和换行除外）",
                   f"contains the control character {found} (none are allowed, except tab and newline in long text)")


def _clean_text(value: str) -> str:
    value = value.strip()
    found = control_problem(value)
    if found:
        raise _control_error(found)
    return value


#: A person's name, normalized on input.
PersonName = Annotated[str, AfterValidator(normalize_name), Field(min_length=1, max_length=50)]
#: One line of text: trimmed, without control characters.
Text = Annotated[str, AfterValidator(_clean_text), Field(max_length=2000)]


class Ref:
    """Marks a field as a reference to records of ``kind`` (关联): ``Annotated[str, Ref("group")]``.

    The import checks that every reference points at a record that exists, and forms
    offer a list to pick from. Every natural spelling of an optional or a list reference works::

        leader: Annotated[str, Ref("person")]                     # one, required
        deputy: Annotated[str, Ref("person")] | None = None       # or Optional[Annotated[str, Ref("person")]]
        deputy: Annotated[str | None, Ref("person")] = None       # the same
        members: list[Annotated[str, Ref("person")]] = []         # several
        members: Annotated[list[str], Ref("person")] = []         # the same

    A spelling that cannot work (a reference inside a dict, a list of lists, a union with
    another type, a reference that is not text) is refused when the plugin loads, with a
    message naming the spelling that does.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return f"Ref({self.kind!r})"


#: kind class -> its references, worked out once per class.
_REFERENCES: "weakref.WeakKeyDictionary[type, dict[str, str]]" = weakref.WeakKeyDictionary()


class Record(BaseModel):
    """The base of every kind (类别). Subclasses set ``kind`` and their fields.

    ``kind``: the kind's stable id as it appears in files (``activity``).
    ``title_zh`` / ``title_en``: the kind's name in the interface.
    ``partition_field``: the date field that files a record in the store under its month
    (``2026-03``), or None for structural kinds (units, groups) that are kept together.
    ``label_field``: the field shown where the record is referred to. It may name a
    ``@property`` or a pydantic ``@computed_field`` (a problem labelled by its number and
    title, without a redundant ``name``): a computed value is shown and exported, and
    ignored when a record is read back.
    ``aliases_field``: a list field of other names the record is known by; an import file
    may refer to the record by its label or any alias instead of its id.
    ``natural_key``: the fields that tell two records of the kind apart in an office's ledger
    (an activity: group, title and start day). A spreadsheet row without an id that has the
    key of a stored record updates that record instead of adding a second one.
    ``choice_labels``: per choice field, the Chinese label of each code (``in_progress`` →
    ``开展检查``); ledgers show the label and imports accept it.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=False, defer_build=True)

    kind: ClassVar[str] = "record"
    title_zh: ClassVar[str] = "记录"
    title_en: ClassVar[str] = "Record"
    partition_field: ClassVar[str | None] = None
    label_field: ClassVar[str] = "name"
    aliases_field: ClassVar[str | None] = None
    natural_key: ClassVar[tuple[str, ...]] = ()
    choice_labels: ClassVar[dict[str, dict[str, str]]] = {}

    id: str = Field(description="Stable id, unique within the kind in one organization")

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        # A computed field (a computed label) is written out with the record; reading it back
        # must not refuse it as an unknown field.
        # (What model_computed_fields returns, read without its descriptor: a microsecond of every
        # validation, 20,000 of them in a 10,000-row import.)
        computed = getattr(cls, "__pydantic_computed_fields__", None)
        if computed and isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in computed}
        return data

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise invalid("编号为 1–80 个字母、数字或 . _ -，且不以 . 开头",
                          "an id is 1-80 letters, digits, '.', '_' or '-', not starting with '.'")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        # Every text field of every kind, core and plugin: the boundary is here, so no model
        # has to remember it. The label and aliases are shown on one line: no tab or newline.
        # (Text that is all printable holds none of them: said at C speed, for the million
        # fields of a check of 100,000 records; anything else is searched character by character.)
        if type(value) is str and value.isprintable():
            return value
        if type(value) is list and value:  # (a list of texts all printable, in one C call: units, members)
            try:
                if "".join(value).isprintable():
                    return value
            except TypeError:  # not all texts: searched item by item below
                pass
        if isinstance(value, (str, list, tuple, set, frozenset, dict)):
            found = control_problem(value, one_line=info.field_name in (cls.label_field, cls.aliases_field))
            if found:
                raise _control_error(found)
        return value

    def label(self) -> str:
        value = getattr(self, self.label_field, None)
        return str(value) if value else self.id

    def names(self) -> list[str]:
        """The label and every alias: what an import file may call this record."""
        names = [self.label()]
        if self.aliases_field:
            names.extend(str(a) for a in getattr(self, self.aliases_field) or [])
        return names

    def partition_year(self) -> int | None:
        if self.partition_field is None:
            return None
        value = getattr(self, self.partition_field, None)
        return value.year if isinstance(value, date) else None

    def partition(self) -> str | None:
        """The store partition a dated record is filed in: its month (``2026-03``); None for structure.

        A write rewrites one partition, so its cost follows the records of one organization's
        month, not the whole history (a year was too coarse at 100,000 records)."""
        if self.partition_field is None:
            return None
        value = getattr(self, self.partition_field, None)
        return f"{value.year}-{value.month:02d}" if isinstance(value, date) else None

    @classmethod
    def references(cls) -> dict[str, str]:
        """Field name → referenced kind, for every field annotated with :class:`Ref` (in any
        of the spellings :class:`Ref` lists)."""
        found = _REFERENCES.get(cls)
        if found is None:
            found = {}
            for name, info in cls.model_fields.items():
                ref = _field_reference(info.metadata, info.annotation)
                if ref is not None:
                    found[name] = ref[0]
            _REFERENCES[cls] = found  # a class's fields never change once it is defined
        return dict(found)

    @classmethod
    def reference_problems(cls) -> list[str]:
        """Fields whose reference is spelt in a way that cannot work, each with the spelling that does."""
        problems = []
        for name, info in cls.model_fields.items():
            try:
                _field_reference(info.metadata, info.annotation, strict=True)
            except TypeError as exc:
                problems.append(f"kind {cls.kind!r} field {name!r}: {exc}")
        return problems

    def ref_values(self, field: str) -> list[str]:
        value = getattr(self, field)
        if value is None:
            return []
        if isinstance(value, (list, tuple, set)):
            return [str(v) for v in value]
        return [str(value)]


def _refs_in(annotation: Any) -> list[Ref]:
    """Every Ref anywhere inside ``annotation``."""
    found = []
    if get_origin(annotation) is Annotated:
        args = get_args(annotation)
        found += [m for m in args[1:] if isinstance(m, Ref)]
        found += _refs_in(args[0])
    else:
        for arg in get_args(annotation):
            found += _refs_in(arg)
    return found


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _text_like(annotation: Any) -> bool:
    """``str`` or a ``str`` alias (``Annotated[str, ...]``, a Literal of texts)."""
    if get_origin(annotation) is Annotated:
        return _text_like(get_args(annotation)[0])
    if get_origin(annotation) is typing.Literal:
        return all(isinstance(a, str) for a in get_args(annotation))
    return annotation is str


_SPELLINGS = ("write Annotated[str, Ref(kind)] for one, Annotated[str, Ref(kind)] | None (or Annotated[str | None, Ref(kind)]) "
              "for an optional one, and list[Annotated[str, Ref(kind)]] (or Annotated[list[str], Ref(kind)]) for several")


def _strip_optional(annotation: Any) -> Any:
    if _is_union(annotation):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _text_or_texts(annotation: Any) -> bool | None:
    """False for text, True for a list (tuple, set) of texts, None for anything else."""
    annotation = _strip_optional(annotation)
    if _text_like(annotation):
        return False
    if get_origin(annotation) in (list, tuple, set, frozenset):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        if len(args) == 1 and _text_like(args[0]):
            return True
    return None


def _field_reference(metadata: list[Any], annotation: Any, *, strict: bool = False) -> tuple[str, bool] | None:
    """(referenced kind, several) for a field, or None when it is no reference.

    ``metadata`` is what pydantic lifted off the field's outer ``Annotated``; ``annotation``
    the rest. ``strict`` raises TypeError, naming the spellings that work, for a Ref that
    sits where no reference can be (inside a dict, a list of lists, beside another type)."""
    outer = [m for m in metadata if isinstance(m, Ref)]
    inner = _refs_in(annotation)
    refs = outer + inner
    if not refs:
        return None
    several: bool | None = None
    if len(refs) == 1:
        if outer:  # Annotated[str | None, Ref(k)], Annotated[list[str], Ref(k)]
            several = _text_or_texts(annotation)
        else:
            shape = _strip_optional(annotation)
            if get_origin(shape) is Annotated:  # Annotated[str, Ref(k)] | None
                several = _text_or_texts(get_args(shape)[0])
            elif get_origin(shape) in (list, tuple, set, frozenset):  # list[Annotated[str, Ref(k)]]
                args = [a for a in get_args(shape) if a is not Ellipsis]
                if len(args) == 1 and get_origin(args[0]) is Annotated and inner[0] in get_args(args[0])[1:] \
                        and _text_or_texts(get_args(args[0])[0]) is False:
                    several = True
    if several is None:
        if strict:
            what = f"more than one Ref ({', '.join(map(repr, refs))})" if len(refs) > 1 else f"{refs[0]!r} cannot work in {_spelt(metadata, annotation)}"
            raise TypeError(f"{what}: {_SPELLINGS}")
        return None
    return refs[0].kind, several


def _spelt(metadata: list[Any], annotation: Any) -> str:
    text = repr(annotation).replace("typing.", "")
    text = re.sub(r"<class '([\w.]+)'>", r"\1", text)
    if any(isinstance(m, Ref) for m in metadata):
        text = f"Annotated[{text}, {', '.join(repr(m) for m in metadata if isinstance(m, Ref))}]"
    return text


class Finding(BaseModel):
    """A rule's result (检查发现): what is wrong or at risk, for whom, in which period."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    rule: str
    severity: Severity
    org: str
    subject: str = Field(description="Who or what the finding is about, as the interface shows it")
    period: str | None = None
    message: str = Field(description="The finding in Chinese")
    message_en: str = Field(description="The finding in English")
    subject_kind: str | None = None
    subject_id: str | None = None
    since: date | None = Field(default=None, description="Overdue since this day")
    provisional: bool = False

    def text(self, lang: str = "zh") -> str:
        return self.message if lang == "zh" else self.message_en

    def as_json(self) -> dict[str, Any]:
        return finding_json(self.rule, self.severity.value, self.org, self.subject, self.period, self.message,
                            self.message_en, self.subject_kind, self.subject_id, self.since, self.provisional)


def finding_json(rule: str, severity: str, org: str, subject: str, period: str | None, message: str, message_en: str,
                 subject_kind: str | None, subject_id: str | None, since: date | None, provisional: bool) -> dict[str, Any]:
    """A finding as JSON (:meth:`Finding.as_json`) from its field values (``severity``: its
    value): what is not set is left out."""
    data = {"rule": rule, "severity": severity, "org": org, "subject": subject, "period": period,
            "message": message, "message_en": message_en}
    if subject_kind:
        data["subject_kind"] = subject_kind
        data["subject_id"] = subject_id
    if since:
        data["since"] = since.isoformat()
    if provisional:
        data["provisional"] = True
    return data


_FINDING_FIELDS = tuple(Finding.model_fields)
#: Every finding made by :func:`finding_from` has every field set: one set shared by all (a
#: Finding is frozen, so pydantic never changes it).
_EVERY_FINDING_FIELD = set(_FINDING_FIELDS)
_new_object = object.__new__
_set_attribute = object.__setattr__


def finding_from(values: typing.Iterable[Any]) -> Finding:
    """A Finding from its field values in :class:`Finding`'s order, not validated again: what
    ``model_construct`` does, without its per-field work. Only for values a Finding already
    held, or that are each of exactly the type its field declares (see :func:`make_finding`)."""
    f = _new_object(Finding)
    _set_attribute(f, "__dict__", dict(zip(_FINDING_FIELDS, values)))
    _set_attribute(f, "__pydantic_fields_set__", _EVERY_FINDING_FIELD)
    _set_attribute(f, "__pydantic_extra__", None)
    _set_attribute(f, "__pydantic_private__", None)
    return f


def make_finding(rule: str, severity: Severity, org: str, subject: str, period: str | None, message: str,
                 message_en: str, subject_kind: str | None, subject_id: str | None, since: date | None,
                 provisional: bool) -> Finding:
    """``Finding(rule=..., ...)`` with every field given: the same finding, validated only where
    a value is not already exactly of its field's type (then by pydantic, which converts or
    refuses it as always). A check makes 54,000 findings of duties at 100,000 records."""
    if (type(rule) is str and type(severity) is Severity and type(org) is str and type(subject) is str
            and (period is None or type(period) is str) and type(message) is str and type(message_en) is str
            and (subject_kind is None or type(subject_kind) is str) and (subject_id is None or type(subject_id) is str)
            and (since is None or type(since) is date) and type(provisional) is bool):
        return finding_from((rule, severity, org, subject, period, message, message_en, subject_kind, subject_id,
                             since, provisional))
    return Finding(rule=rule, severity=severity, org=org, subject=subject, period=period, message=message,
                   message_en=message_en, subject_kind=subject_kind, subject_id=subject_id, since=since,
                   provisional=provisional)
