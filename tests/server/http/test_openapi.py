"""The OpenAPI description matches the routes the app serves."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from pydantic import BaseModel

from server.http.routes import Routes, openapi
from tests.conftest import Client


def _served(app: web.Application) -> set[tuple[str, str]]:
    out = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        if "prefix" in info:  # static files
            continue
        if route.method == "HEAD":
            continue
        path = info.get("path") or info.get("formatter")
        assert isinstance(path, str)
        out.add((route.method.lower(), re.sub(r"\{(\w+)(:[^}]*)?\}", r"{\1}", path)))
    return out


async def test_every_route_is_described(client: Client) -> None:
    spec = await (await client.get("/api/openapi.json")).json()
    described = {(method, path) for path, ops in spec["paths"].items() for method in ops}
    app = client.app
    assert app is not None
    assert _served(app) == described
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op["summary"], (method, path)
            assert "4XX" in op["responses"]
            body = op.get("requestBody")
            if body:
                ref = body["content"]["application/json"]["schema"]
                assert "$ref" in ref or "type" in ref


async def test_schemas_resolve(client: Client) -> None:
    spec = await (await client.get("/api/openapi.json")).json()
    text = str(spec)
    for ref in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert ref in spec["components"]["schemas"], ref


async def test_translation_table_served(client: Client) -> None:
    table = await (await client.get("/api/i18n")).json()
    assert table["error.bad_json"]["vi"].startswith("Nội dung")
    assert all(set(v) == {"vi", "en"} for v in table.values())


def _titled(node: object, found: dict[str, list[object]]) -> None:
    """Every object schema carrying a title, anywhere in the description."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "title" in node and "properties" in node:
            found.setdefault(node["title"], []).append(node)
        for value in node.values():
            _titled(value, found)
    elif isinstance(node, list):
        for value in node:
            _titled(value, found)


async def test_every_schema_is_named_once(client: Client) -> None:
    spec = await (await client.get("/api/openapi.json")).json()
    components = spec["components"]["schemas"]
    found: dict[str, list[object]] = {}
    _titled(spec, found)
    # every model is a component under its own name, and appears nowhere else inline
    for title, schemas in found.items():
        assert len(schemas) == 1, f"{title} described {len(schemas)} times"
        assert components[title] is not None
    # the two 'decisions' of the API have different names: a committee's approval, a rule's verdict
    assert "number" in components["ApprovalOut"]["properties"]
    assert "rules" in components["RuleDecisionOut"]["properties"]
    assert "DecisionOut" not in components


def test_two_models_of_one_name_are_refused() -> None:
    class Item(BaseModel):
        a: int

    first = Item

    class Item(BaseModel):  # type: ignore[no-redef]
        b: str

    routes = Routes()

    async def one(request: web.Request) -> web.Response:  # described, never called
        return web.Response()

    async def two(request: web.Request) -> web.Response:
        return web.Response()

    routes.route("GET", "/a", summary="a", tag="t", response=first)(one)
    routes.route("GET", "/b", summary="b", tag="t", response=Item)(two)
    with pytest.raises(ValueError, match="both named 'Item'"):
        openapi(routes.endpoints, title="t", version="1")
