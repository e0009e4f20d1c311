"""The OpenAPI description matches the routes the app serves."""

from __future__ import annotations

import re

from aiohttp import web

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
