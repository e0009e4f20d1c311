"""Strict JSON ↔ frozen-dataclass codec for the meeting protocol.

The schema of a message is its dataclass: field types (``str``, ``bool``, ``int``, ``Literal``,
enums, ``X | None``, ``tuple[X, ...]``, :class:`~policy.i18n.Text` and nested dataclasses) and
limits attached with ``Annotated[str, Str(...)]``, ``Annotated[int, Int(...)]`` and
``Annotated[tuple[...], Items(...)]``. A field's wire name is its attribute name unless
``field(metadata={"wire": ...})`` says otherwise. Fields with a default may be omitted on the
wire; every other field is required; any other key is refused.

Every refusal is a :class:`~policy.error_codes.ProtocolError` with a Vietnamese-first text.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Final, Literal, get_args, get_origin

from policy.error_codes import ErrorCode, ProtocolError
from policy.i18n import TABLE, Text, tr

MAX_FRAME_BYTES: Final = 64 * 1024
MAX_LIST_ITEMS: Final = 500
MAX_TEXT_CHARS: Final = 2000

_ID_RE: Final = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)
_NO_CONTROL_RE: Final = re.compile(r"[^\x00-\x1f\x7f]*")


@dataclass(frozen=True, slots=True)
class Str:
    """Limits of a string field: length in characters (or UTF-8 bytes) and an optional pattern."""

    max_len: int
    min_len: int = 0
    bytes: bool = False
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class Int:
    min: int
    max: int


@dataclass(frozen=True, slots=True)
class Items:
    max: int


ID: Final = Str(64, min_len=1, pattern=_ID_RE)
"""An opaque identifier: 1–64 characters of ``A–Z a–z 0–9 _ -``."""


def compose(code: ErrorCode, detail_key: str, slot: str = "detail", /, **params: object) -> Text:
    """The text of ``error.<code>`` with its ``{slot}`` filled by the bilingual text ``detail_key``.

    Keeps both languages whole: the Vietnamese sentence gets the Vietnamese detail.
    """
    detail = tr(detail_key, **params)
    base = TABLE[f"error.{code.value}"]
    return Text(base.vi.format(**{slot: detail.vi}), base.en.format(**{slot: detail.en}))


def bad_message(detail_key: str, **params: object) -> ProtocolError:
    return ProtocolError(
        ErrorCode.BAD_MESSAGE, compose(ErrorCode.BAD_MESSAGE, detail_key, **params)
    )


def load_json_object(raw: str | bytes, max_bytes: int = MAX_FRAME_BYTES) -> dict[str, object]:
    """Parse one frame: at most ``max_bytes`` of UTF-8, strict JSON, no duplicate keys."""
    if isinstance(raw, str):
        too_large = len(raw) > max_bytes
        if not too_large:
            try:
                too_large = len(raw.encode("utf-8")) > max_bytes
            except UnicodeEncodeError:
                raise bad_message("media.detail.not_utf8") from None
        text = raw
    else:
        too_large = len(raw) > max_bytes
        if not too_large:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise bad_message("media.detail.not_utf8") from None
    if too_large:
        raise ProtocolError(
            ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.MESSAGE_TOO_LARGE.text(limit=max_bytes)
        )
    try:
        value: object = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant
        )
    except _DuplicateKey as exc:
        raise bad_message("media.detail.duplicate_key", name=exc.key[:64]) from None
    except (ValueError, RecursionError):  # JSONDecodeError, bad constants, int digit limit
        raise bad_message("media.detail.not_json") from None
    if not isinstance(value, dict):
        raise bad_message("media.detail.not_object")
    return value


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


# --- schema -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    wire: str
    hint: object
    required: bool


_FIELDS: Final[dict[type, tuple[_Field, ...]]] = {}


def _fields(cls: type) -> tuple[_Field, ...]:
    cached = _FIELDS.get(cls)
    if cached is not None:
        return cached
    hints = typing.get_type_hints(cls, include_extras=True)
    _FIELDS[cls] = tuple(
        _Field(
            name=f.name,
            wire=str(f.metadata.get("wire", f.name)),
            hint=hints[f.name],
            required=f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
        if f.name != "type"
    )
    return _FIELDS[cls]


def decode_object(cls: type, obj: dict[str, object], path: str, skip: frozenset[str]) -> object:
    """Build ``cls`` from a JSON object: exact keys (besides ``skip``), each value checked."""
    fields = _fields(cls)
    known = {f.wire for f in fields} | skip
    for key in obj:
        if key not in known:
            raise bad_message("media.detail.extra_field", field=_join(path, key[:64]))
    kwargs: dict[str, object] = {}
    for f in fields:
        if f.wire in obj:
            kwargs[f.name] = _decode(obj[f.wire], f.hint, _join(path, f.wire))
        elif f.required:
            raise bad_message("media.detail.missing_field", field=_join(path, f.wire))
    try:
        return cls(**kwargs)
    except ValueError:
        raise bad_message("media.detail.bad_value", field=path or "message") from None


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _wrong(path: str, expected: str) -> ProtocolError:
    return bad_message("media.detail.wrong_type", field=path, expected=expected)


def _decode(value: object, hint: object, path: str) -> object:
    meta: tuple[object, ...] = ()
    if get_origin(hint) is Annotated:
        hint, *rest = get_args(hint)
        meta = tuple(rest)
    origin = get_origin(hint)
    if origin is types.UnionType or origin is typing.Union:
        arms = [a for a in get_args(hint) if a is not type(None)]
        if value is None:
            return None
        (arm,) = arms
        return _decode(value, arm, path)
    if origin is Literal:
        if not isinstance(value, str) or value not in get_args(hint):
            raise bad_message("media.detail.bad_value", field=path)
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise _wrong(path, "array")
        limit = next((m.max for m in meta if isinstance(m, Items)), MAX_LIST_ITEMS)
        if len(value) > limit:
            raise bad_message("media.detail.too_many", field=path, limit=limit)
        (item, _ellipsis) = get_args(hint)
        return tuple(_decode(v, item, _join(path, i)) for i, v in enumerate(value))
    if hint is bool:
        if not isinstance(value, bool):
            raise _wrong(path, "boolean")
        return value
    if hint is int:
        if type(value) is not int:
            raise _wrong(path, "integer")
        for m in meta:
            if isinstance(m, Int) and not m.min <= value <= m.max:
                raise bad_message("media.detail.out_of_range", field=path, lo=m.min, hi=m.max)
        return value
    if hint is str:
        if not isinstance(value, str):
            raise _wrong(path, "string")
        check_str(value, next((m for m in meta if isinstance(m, Str)), None), path)
        return value
    if isinstance(hint, type) and issubclass(hint, Enum):
        if not isinstance(value, str):
            raise _wrong(path, "string")
        try:
            return hint(value)
        except ValueError:
            raise bad_message("media.detail.bad_value", field=path) from None
    if hint is Text:
        if not isinstance(value, dict):
            raise _wrong(path, "object")
        if set(value) != {"vi", "en"}:
            raise bad_message("media.detail.bad_text", field=path)
        vi, en = value["vi"], value["en"]
        for lang, s in (("vi", vi), ("en", en)):
            if not isinstance(s, str):
                raise _wrong(_join(path, lang), "string")
            check_str(s, Str(MAX_TEXT_CHARS, min_len=1), _join(path, lang))
        assert isinstance(vi, str) and isinstance(en, str)
        return Text(vi, en)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise _wrong(path, "object")
        return decode_object(hint, value, path, frozenset())
    raise TypeError(f"unsupported schema type {hint!r} at {path}")  # a bug in the schema


def check_str(value: str, limits: Str | None, path: str) -> None:
    try:
        encoded = value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from "\ud800" escapes
        raise bad_message("media.detail.not_utf8_field", field=path) from None
    if limits is None:
        limits = Str(MAX_TEXT_CHARS)
    size = len(encoded) if limits.bytes else len(value)
    if size > limits.max_len:
        raise bad_message("media.detail.too_long", field=path, limit=limits.max_len)
    if size < limits.min_len:
        raise bad_message("media.detail.too_short", field=path, limit=limits.min_len)
    if limits.pattern is _ID_RE:
        if not _ID_RE.fullmatch(value):
            raise bad_message("media.detail.bad_id", field=path)
    elif limits.pattern is not None and not limits.pattern.fullmatch(value):
        raise bad_message("media.detail.bad_value", field=path)


def no_control(max_len: int, min_len: int = 0) -> Str:
    """A human-readable string: no control characters (newline included)."""
    return Str(max_len, min_len=min_len, pattern=_NO_CONTROL_RE)


def check_instance(obj: object) -> None:
    """Check the limits of an already-typed dataclass; called from ``__post_init__``.

    Lets values built inside the server obey the same limits as those parsed from the wire,
    so that :func:`encode` output always parses back.
    """
    for f in _fields(type(obj)):
        _check_value(getattr(obj, f.name), f.hint, f.name)


def _check_value(value: object, hint: object, path: str) -> None:
    meta: tuple[object, ...] = ()
    if get_origin(hint) is Annotated:
        hint, *rest = get_args(hint)
        meta = tuple(rest)
    origin = get_origin(hint)
    if origin is types.UnionType or origin is typing.Union:
        if value is not None:
            (arm,) = [a for a in get_args(hint) if a is not type(None)]
            _check_value(value, arm, path)
    elif origin is tuple:
        assert isinstance(value, tuple)
        limit = next((m.max for m in meta if isinstance(m, Items)), MAX_LIST_ITEMS)
        if len(value) > limit:
            raise bad_message("media.detail.too_many", field=path, limit=limit)
        (item, _ellipsis) = get_args(hint)
        for i, v in enumerate(value):
            _check_value(v, item, _join(path, i))
    elif hint is str:
        assert isinstance(value, str)
        check_str(value, next((m for m in meta if isinstance(m, Str)), None), path)
    elif hint is int:
        assert type(value) is int
        for m in meta:
            if isinstance(m, Int) and not m.min <= value <= m.max:
                raise bad_message("media.detail.out_of_range", field=path, lo=m.min, hi=m.max)


def encode(value: object) -> object:
    """A JSON-ready value: enums by value, tuples as lists, dataclasses by wire names."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Text):
        return value.as_dict()
    if isinstance(value, tuple):
        return [encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, object] = {}
        if hasattr(value, "type"):
            out["type"] = value.type
        for f in _fields(type(value)):
            out[f.wire] = encode(getattr(value, f.name))
        return out
    return value
