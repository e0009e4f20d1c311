"""The server's own log: one JSON object per line with the request id, and one access line per
HTTP request (method, path without the query, status, duration, address, actor). Never a
secret, a body, a query string or meeting content; JSON escapes every control character, so
no stored value can write a raw escape sequence into the log.

Retention: with ``ops.log_file`` the file rotates at midnight and keeps
``ops.log_retention_months`` months (at least 3, 12 by default); on standard error the
journal's own retention applies (deploy/systemd sets it to 12 months).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import logging.handlers
import re
import time
import uuid
from pathlib import Path

from aiohttp import web

from server import appkeys
from server.auth.context import AccountContext
from server.auth.middleware import REQUEST_CONTEXT, client_address
from server.config import OpsSettings
from server.errors import Handler

ACCESS = logging.getLogger("hopchibo.access")
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
#: attributes every LogRecord has; anything else was passed in ``extra=`` and is logged as a field
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class _RequestId(logging.Filter):
    """Every line logged while a request is handled carries its id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "")
        if request_id:
            out["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and key != "request_id":
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=True, default=str)


def retention_days(ops: OpsSettings) -> int:
    return ops.log_retention_months * 31


def configure(ops: OpsSettings, level: int = logging.INFO) -> None:
    """The process's logging, once at start-up (``hopchibo`` CLI)."""
    if ops.log_format == "json":
        formatter: logging.Formatter = JsonFormatter()
    else:
        formatter = logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        )
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if ops.log_file:
        Path(ops.log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.TimedRotatingFileHandler(
                ops.log_file, when="midnight", backupCount=retention_days(ops), utc=True
            )
        )
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(_RequestId())
    logging.basicConfig(level=level, handlers=handlers, force=True)


def _request_id(request: web.Request) -> str:
    given = request.headers.get("X-Request-Id", "")
    return given if _SAFE_ID.fullmatch(given) else uuid.uuid4().hex


@web.middleware
async def observe_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request id, the access line and the HTTP metrics; outermost, so it sees every answer."""
    request_id = _request_id(request)
    token = REQUEST_ID.set(request_id)
    started = time.perf_counter()
    status = 500
    websocket = False
    try:
        response = await handler(request)
        status = response.status
        websocket = isinstance(response, web.WebSocketResponse)
        if not response.prepared:
            response.headers["X-Request-Id"] = request_id
        return response
    except web.HTTPException as exc:
        status = exc.status
        exc.headers["X-Request-Id"] = request_id
        raise
    finally:
        seconds = time.perf_counter() - started
        metrics = request.app.get(appkeys.METRICS)
        if metrics is not None:
            metrics.http_responses.labels(request.method, f"{status // 100}xx").inc()
            if not websocket:
                metrics.http_seconds.observe(seconds)
        context: AccountContext | None = request.get(REQUEST_CONTEXT)
        ACCESS.info(
            "%s %s %d",
            request.method,
            request.rel_url.path,
            status,
            extra={
                "method": request.method,
                "path": request.rel_url.path,
                "status": status,
                "ms": round(seconds * 1000, 1),
                "remote": client_address(request),
                "actor": context.actor if context is not None else "anonymous",
                "request_id": request_id,
            },
        )
        REQUEST_ID.reset(token)
