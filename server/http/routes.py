"""One registry for HTTP routes and their OpenAPI description, so the two cannot drift."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel, TypeAdapter

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    response: Any = None  # a model, list[model] or None
    status: int = 200
    content: str = "application/json"
    public: bool = False  # reachable without a session
    query: tuple[tuple[str, str], ...] = ()  # (name, json type)


@dataclass
class Routes:
    endpoints: list[Endpoint] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        tag: str,
        body: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        content: str = "application/json",
        public: bool = False,
        query: tuple[tuple[str, str], ...] = (),
    ) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.endpoints.append(
                Endpoint(
                    method, path, fn, summary, tag, body, response, status, content, public, query
                )
            )
            return fn

        return deco

    def register(self, app: web.Application) -> None:
        for ep in self.endpoints:
            app.router.add_route(ep.method, ep.path, ep.handler)


def _openapi_path(path: str) -> str:
    # "/api/x/{org_id:\d+}" → "/api/x/{org_id}"
    out, i = [], 0
    while i < len(path):
        if path[i] == "{":
            j = path.index("}", i)
            out.append("{" + path[i + 1 : j].split(":")[0] + "}")
            i = j + 1
        else:
            out.append(path[i])
            i += 1
    return "".join(out)


def _schema(model: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """The schema of ``model``: every model a named component (a ``$ref``), its name unique."""
    schema = TypeAdapter(model).json_schema(ref_template="#/components/schemas/{model}")
    found_defs: dict[str, Any] = schema.pop("$defs", {})
    if isinstance(model, type) and issubclass(model, BaseModel):
        found_defs[model.__name__] = schema
        schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    for name, found in found_defs.items():
        if defs.setdefault(name, found) != found:  # two models of one name: one would be lost
            raise ValueError(f"two different schemas are both named {name!r}: rename one")
    return schema


def openapi(endpoints: list[Endpoint], *, title: str, version: str) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    error = {"$ref": "#/components/schemas/Error"}
    for ep in endpoints:
        path = _openapi_path(ep.path)
        op: dict[str, Any] = {
            "summary": ep.summary,
            "tags": [ep.tag],
            "operationId": f"{ep.method.lower()}_{ep.handler.__name__}",
        }
        params = [
            {
                "name": seg[1:-1].split(":")[0],
                "in": "path",
                "required": True,
                "schema": {"type": "integer" if ":" in seg else "string"},
            }
            for seg in ep.path.split("/")
            if seg.startswith("{")
        ]
        params += [
            {"name": n, "in": "query", "required": False, "schema": {"type": t}}
            for n, t in ep.query
        ]
        if params:
            op["parameters"] = params
        if ep.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _schema(ep.body, defs)}},
            }
        ok: dict[str, Any] = {"description": "OK"}
        if ep.response is not None:
            ok["content"] = {ep.content: {"schema": _schema(ep.response, defs)}}
        elif ep.content != "application/json":
            ok["content"] = {ep.content: {"schema": {"type": "string"}}}
        refused: dict[str, Any] = {"application/json": {"schema": error}}
        if ep.content == "text/html":  # a page answers a readable page for 403 and 404
            refused["text/html"] = {"schema": {"type": "string"}}
        op["responses"] = {
            str(ep.status): ok,
            "4XX": {"description": "Refused", "content": refused},
        }
        if not ep.public:
            op["security"] = [{"session": []}]
        paths.setdefault(path, {})[ep.method.lower()] = op
    defs["Error"] = {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string"},
            "message": {
                "type": "object",
                "required": ["vi", "en"],
                "properties": {"vi": {"type": "string"}, "en": {"type": "string"}},
            },
            "rules": {"type": "array", "items": {"type": "string"}},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "hopchibo API. Messages are Vietnamese first (vi), then English.",
        },
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "__Host-hopchibo"}
            },
        },
    }
