"""One error type for HTTP, rendered by one middleware as ``{"code", "message", "rules"?}``."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from policy.dates import DatesContradict
from policy.decision import PolicyDenied
from policy.error_codes import ErrorCode, ProtocolError
from policy.i18n import Text, tr

log = logging.getLogger(__name__)

_STATUS = {
    ErrorCode.BAD_JSON: 400,
    ErrorCode.DUPLICATE_KEY: 400,
    ErrorCode.VALIDATION: 422,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.ROUTE_NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.CONFLICT: 409,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.CSRF: 403,
    ErrorCode.ORIGIN: 403,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.POLICY_DENIED: 409,
    ErrorCode.INTERNAL: 500,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.BAD_MESSAGE: 400,
    ErrorCode.MESSAGE_TOO_LARGE: 413,
    ErrorCode.OUT_OF_TURN: 409,
}


class AppError(Exception):
    def __init__(
        self,
        status: int,
        code: ErrorCode,
        message: Text,
        *,
        rules: tuple[str, ...] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message.en)
        self.status = status
        self.code = code
        self.message = message
        self.rules = rules
        self.headers = headers or {}

    @classmethod
    def of(cls, code: ErrorCode, rules: tuple[str, ...] = (), **params: object) -> AppError:
        return cls(_STATUS[code], code, code.text(**params), rules=rules)

    @classmethod
    def from_protocol(cls, exc: ProtocolError) -> AppError:
        return cls(_STATUS[exc.code], exc.code, exc.text, rules=exc.rules)

    def body(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code.value, "message": self.message.as_dict()}
        if self.rules:
            out["rules"] = list(self.rules)
        return out


def policy_error(exc: PolicyDenied) -> AppError:
    """A rule refusal: 409 with the cited rule ids and the explanation in both languages;
    dates that contradict each other are bad input: 422 ``validation``, citing their rule."""
    if isinstance(exc, DatesContradict):
        template = tr("error.validation")
        text = Text(template.vi.format(detail=exc.text.vi), template.en.format(detail=exc.text.en))
        return AppError(422, ErrorCode.VALIDATION, text, rules=exc.decision.rule_ids)
    return AppError(409, ErrorCode.POLICY_DENIED, exc.text, rules=exc.decision.rule_ids)


def not_found(what: str) -> AppError:
    return AppError.of(ErrorCode.NOT_FOUND, what=what)


def _response(err: AppError) -> web.Response:
    return web.Response(
        status=err.status,
        text=json.dumps(err.body(), ensure_ascii=False),
        content_type="application/json",
        headers=err.headers,
    )


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except AppError as err:
        return _response(err)
    except ProtocolError as exc:
        return _response(AppError.from_protocol(exc))
    except PolicyDenied as exc:
        return _response(policy_error(exc))
    except web.HTTPRequestEntityTooLarge:
        limit = request.app._client_max_size
        return _response(AppError.of(ErrorCode.PAYLOAD_TOO_LARGE, limit=limit))
    except web.HTTPNotFound:
        return _response(AppError.of(ErrorCode.ROUTE_NOT_FOUND))
    except web.HTTPMethodNotAllowed as exc:
        refused = AppError.of(ErrorCode.METHOD_NOT_ALLOWED)
        refused.headers["Allow"] = ", ".join(sorted(exc.allowed_methods))  # RFC 9110 §15.5.6
        return _response(refused)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _response(AppError.of(ErrorCode.INTERNAL))
