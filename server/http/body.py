"""Validation at the edge: JSON bodies and query values become typed models or an AppError."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from policy.error_codes import ErrorCode
from policy.i18n import Text, tr
from server.errors import AppError

M = TypeVar("M", bound=BaseModel)


class Input(BaseModel):
    """Base of every request body: strict types, unknown fields refused, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, str_strip_whitespace=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise AppError.of(ErrorCode.DUPLICATE_KEY, key=key)
        out[key] = value
    return out


#: Vietnamese for pydantic's common error types; others fall back to the English message
_VI = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép",
    "string_type": "phải là chuỗi ký tự",
    "int_type": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "list_type": "phải là danh sách",
    "dict_type": "phải là đối tượng",
    "model_type": "phải là đối tượng",
    "enum": "giá trị không thuộc danh mục cho phép",
    "literal_error": "giá trị không thuộc danh mục cho phép",
    "string_too_short": "quá ngắn",
    "string_too_long": "quá dài",
    "too_long": "quá nhiều phần tử",
    "string_pattern_mismatch": "sai định dạng",
    "greater_than": "quá nhỏ",
    "greater_than_equal": "quá nhỏ",
    "less_than_equal": "quá lớn",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "datetime_type": "phải là thời điểm ISO 8601 có múi giờ",
    "datetime_parsing": "phải là thời điểm ISO 8601 có múi giờ",
    "datetime_from_date_parsing": "phải là thời điểm ISO 8601 có múi giờ",
    "value_error": "giá trị không hợp lệ",
    "timezone_aware": "phải có múi giờ, ví dụ 2026-12-03T08:00:00+07:00",
    "nothing_to_change": "không có gì để thay đổi",
    "date_order": "ngày kết thúc trước ngày bắt đầu",
    "control_character": "không được chứa ký tự điều khiển (xuống dòng, tab, ESC …)",
    "int_parsing": "phải là số nguyên",
    "json_invalid": "JSON không hợp lệ",
}


def describe(exc: ValidationError) -> Text:
    """The first few validation errors, Vietnamese and English."""
    vi, en = [], []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        en.append(f"{where}: {err['msg']}")
        vi.append(f"{where}: {_VI.get(err['type'], err['msg'])}")
        if err["type"] == "value_error":
            vi[-1] += f" ({err['msg']})"
    return Text("; ".join(vi), "; ".join(en))


def validation_error(detail: Text) -> AppError:
    template = tr("error.validation")
    return AppError(
        422,
        ErrorCode.VALIDATION,
        Text(template.vi.format(detail=detail.vi), template.en.format(detail=detail.en)),
    )


async def parse_body(request: web.Request, model: type[M]) -> M:
    """Read the JSON body into ``model``. Size is limited by the app's ``client_max_size``."""
    if request.content_type != "application/json":
        raise AppError.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE)
    raw = await request.read()
    try:
        json.loads(raw, object_pairs_hook=_reject_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise AppError.of(ErrorCode.BAD_JSON) from None
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise validation_error(describe(exc)) from None


def path_int(request: web.Request, name: str) -> int:
    """A positive integer path parameter (routes already restrict it to digits)."""
    value = int(request.match_info[name])
    if not 0 < value < 2**31:
        raise AppError.of(ErrorCode.NOT_FOUND, what=name)
    return value


def query_int(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**31:
        raise AppError.of(ErrorCode.VALIDATION, detail=f"{name}: must be a positive integer")
    return int(raw)


def json_response(data: object, status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(data, ensure_ascii=False, default=str),
        content_type="application/json",
    )


def respond(model: type[BaseModel], value: object, status: int = 200) -> web.Response:
    """``value`` (a row or a mapping, or a list of them) through its response model, as JSON."""
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return json_response(
            [model.model_validate(v).model_dump(mode="json") for v in value], status
        )
    return json_response(model.model_validate(value).model_dump(mode="json"), status)
