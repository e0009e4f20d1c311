"""schemathesis against the OpenAPI description the server serves: every operation is called with
generated input, signed in as the demo secretary (session cookie with its CSRF token) and with a
read-only token; no answer may be a 5xx, and every answer must match the described status codes,
content type and schema. Bounded: a few examples per operation.

The server runs for real on a loopback port, as its own process (SQLite under a temporary folder,
the demo loaded), since schemathesis calls it synchronously.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.core.result import Err

from server.audit import AuditLog
from server.auth.provision import create_api_token
from server.auth.sessions import Sessions, cookie_name
from server.config import DatabaseSettings, ServerSettings, Settings, load_settings
from server.demo import load_demo, load_demo_accounts
from server.kek import load_or_create_kek
from server.records.settings import key_provider
from server.storage import accounts as account_store
from server.storage.db import Database
from server.storage.migrate import upgrade
from tests.conftest import free_port

#: calls that would end the session under test or change its password: not fuzzed
SKIPPED_PATHS = ("/api/auth/logout", "/api/auth/logout-all", "/api/auth/password")


@dataclass(frozen=True)
class Live:
    base: str
    cookie: dict[str, str]
    csrf: str
    token: str


async def _prepare(settings: Settings) -> tuple[str, str, str]:
    """The demo, a full session of the demo secretary and a read-only token: (cookie, csrf,
    token)."""
    await upgrade(settings.database_url)
    kek = load_or_create_kek(settings.kek_path, settings.keys.kek)
    db = Database(settings.database_url)
    try:
        await load_demo(db)
        await load_demo_accounts(db, kek)
        now = dt.datetime.now(dt.UTC)
        async with db.session() as s:
            account = await account_store.by_username(s, "bithu")
            assert account is not None
            state = await Sessions(db, settings.security, lambda: now).start(
                s, account.id, "full", "127.0.0.1"
            )
            token, _ = await create_api_token(
                s, AuditLog(db, key_provider(settings)), account.id, 60, now
            )
    finally:
        await db.close()
    return state.token, state.csrf, token


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The real server in a process of its own (``hopchibo serve``), so the fuzzer's threads and
    the server never share an interpreter."""
    port = free_port()
    var = tmp_path_factory.mktemp("schemathesis") / "var"
    var.mkdir()
    origin = f"http://127.0.0.1:{port}"
    config = load_settings(
        {},
        server=ServerSettings(var_dir=Path(var), public_origin=origin, insecure_cookies=True),
        database=DatabaseSettings(url=""),
    )
    cookie, csrf, token = asyncio.run(_prepare(config))
    env = {
        **os.environ,
        "HOPCHIBO_SERVER_VAR_DIR": str(var),
        "HOPCHIBO_SERVER_PUBLIC_ORIGIN": origin,
        "HOPCHIBO_SERVER_INSECURE_COOKIES": "true",
        "HOPCHIBO_OPS_LOG_FORMAT": "text",
    }
    hopchibo = Path(sys.executable).parent / "hopchibo"
    log = (var / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 (our own command)
        [str(hopchibo), "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{origin}/api/health", timeout=2) as resp:  # noqa: S310
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, (var / "server.log").read_text()
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            time.sleep(0.2)
        yield Live(origin, {cookie_name(config.server): cookie}, csrf, token)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _fuzz(live: Live, *, methods: tuple[str, ...], **call: object) -> list[str]:
    """Call every described operation with generated input; the failures, one line each."""
    schema = schemathesis.openapi.from_url(f"{live.base}/api/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # the description itself does not parse: a failure
            failures.append(f"invalid description: {result.err()}")
            continue
        operation = result.ok()
        if operation.path in SKIPPED_PATHS or operation.method.upper() not in methods:
            continue
        operations += 1

        @BOUNDED
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(base_url=live.base, checks=CHECKS, **call)  # type: ignore[arg-type]

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried and reported
            first = str(exc).strip().splitlines()[:6]
            failures.append(f"{operation.method.upper()} {operation.path}: {' | '.join(first)}")
    assert operations > 20, "the description lists the API's operations"
    return failures


#: no 5xx, and every answer as described: its status code, content type and body schema
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
BOUNDED = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
ALL = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


@pytest.mark.timeout(900)
def test_with_a_session(live: Live) -> None:
    headers = {"X-CSRF-Token": live.csrf, "Origin": live.base}
    failures = _fuzz(live, methods=ALL, headers=headers, cookies=live.cookie)
    assert failures == [], "\n".join(failures)


@pytest.mark.timeout(900)
def test_with_a_read_only_token(live: Live) -> None:
    headers = {"Authorization": f"Bearer {live.token}"}
    failures = _fuzz(live, methods=("GET",), headers=headers)
    assert failures == [], "\n".join(failures)
