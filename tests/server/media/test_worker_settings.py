"""Settings of relay workers on other machines: deny by default (no token or no TLS, no start)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import re
import socket
import struct
from pathlib import Path
from typing import Any

import pytest

from server.app import create_app
from server.cli import build_parser
from server.config import ConfigError, MediaSettings, Settings, load_settings
from server.media import shards
from server.media.pipe import encode_json
from server.media.shards import WorkerPool
from server.media.tls import WorkerTls
from server.media.worker import RelayWorker, tls_from
from tests.conftest import AiohttpClient
from tests.server.media.certs import make_ca, make_cert, write_pem

TOKEN = "x" * 43
TLS: dict[str, Any] = {
    "worker_tls_cert": "/c.pem",
    "worker_tls_key": "/c.key",
    "worker_tls_ca": "/ca.pem",
}


def test_remote_workers_need_the_token() -> None:
    with pytest.raises(ConfigError, match="HOPCHIBO_MEDIA_WORKER_TOKEN"):
        MediaSettings(remote_workers=("10.0.0.2:7100",), **TLS)
    with pytest.raises(ConfigError, match=r"HOPCHIBO_MEDIA_WORKER_TOKEN: .*32 characters"):
        MediaSettings(remote_workers=("10.0.0.2:7100",), worker_token="short", **TLS)


def test_remote_workers_need_tls() -> None:
    with pytest.raises(ConfigError, match=r"HOPCHIBO_MEDIA_WORKER_TLS_CERT: .*in clear"):
        MediaSettings(remote_workers=("10.0.0.2:7100",), worker_token=TOKEN)
    partial: dict[str, Any] = {**TLS, "worker_tls_ca": ""}
    with pytest.raises(ConfigError, match=r"HOPCHIBO_MEDIA_WORKER_TLS_CA: .*go together"):
        MediaSettings(remote_workers=("10.0.0.2:7100",), worker_token=TOKEN, **partial)


def test_local_workers_off_loopback_need_tls() -> None:
    with pytest.raises(ConfigError, match="HOPCHIBO_MEDIA_WORKER_HOST"):
        MediaSettings(workers=2, worker_host="10.0.0.1")
    MediaSettings(workers=2, worker_host="10.0.0.1", **TLS)
    MediaSettings(workers=2)  # loopback, as before: plain TCP and a random token


def test_local_workers_beside_remote_ones_listen_where_they_are_reached() -> None:
    remote = {"remote_workers": ("10.0.0.2:7100",), "worker_token": TOKEN, **TLS}
    with pytest.raises(ConfigError, match="HOPCHIBO_MEDIA_WORKER_HOST"):
        MediaSettings(workers=1, **remote)
    MediaSettings(workers=1, worker_host="10.0.0.1", **remote)
    MediaSettings(workers=0, **remote)  # only remote ones: nothing listens here


@pytest.mark.parametrize("address", ["10.0.0.2", "10.0.0.2:", ":7100", "h:70000", "h:x"])
def test_remote_worker_addresses_are_host_and_port(address: str) -> None:
    with pytest.raises(ConfigError, match="HOPCHIBO_MEDIA_REMOTE_WORKERS"):
        MediaSettings(remote_workers=(address,), worker_token=TOKEN, **TLS)


def test_read_from_the_environment() -> None:
    env = {
        "HOPCHIBO_MEDIA_REMOTE_WORKERS": "relay2.example.vn:7100, [fd00::2]:7100",
        "HOPCHIBO_MEDIA_WORKER_TOKEN": TOKEN,
        **{f"HOPCHIBO_MEDIA_{k.upper()}": v for k, v in TLS.items()},
    }
    media = load_settings(env).media
    assert media.remote_worker_addresses == [("relay2.example.vn", 7100), ("fd00::2", 7100)]
    assert media.worker_tls_ca == "/ca.pem"
    assert TOKEN not in repr(media)
    with pytest.raises(ConfigError, match="HOPCHIBO_MEDIA_WORKER_TLS_CERT"):
        load_settings({k: v for k, v in env.items() if "TLS" not in k})


def test_a_worker_off_loopback_refuses_to_listen_in_clear() -> None:
    with pytest.raises(ValueError, match="needs --tls"):
        RelayWorker("wb", TOKEN, "10.0.0.2")


async def test_the_pool_attaches_nothing_without_tls() -> None:
    with pytest.raises(ValueError, match="need TLS"):
        await WorkerPool(token=TOKEN).attach("127.0.0.1", 7100)


async def test_an_absent_worker_is_tried_again_until_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relay machine that is down does not stop the server: the pool keeps trying it."""
    monkeypatch.setattr(shards, "RETRY_SECONDS", 0.05)
    ca = make_ca("test CA")
    tls = make_cert(tmp_path, "here", "127.0.0.1", ca, write_pem(tmp_path / "ca.pem", ca[0]))
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    pool = WorkerPool(token=TOKEN, tls=tls)
    tries = 0
    thrice = asyncio.Event()
    attach = pool.attach

    async def counted(host: str, control_port: int) -> shards.WorkerHandle:
        nonlocal tries
        tries += 1
        if tries >= 3:
            thrice.set()
        return await attach(host, control_port)

    monkeypatch.setattr(pool, "attach", counted)
    await pool.attach_all([("127.0.0.1", port)])  # returns: not there is not an error
    retry = pool._retries[("127.0.0.1", port)]
    await asyncio.wait_for(thrice.wait(), 10)
    await pool.close()
    assert retry.done() and not pool._retries and not pool.workers


async def test_a_worker_that_describes_itself_badly_is_not_attached(tmp_path: Path) -> None:
    """A control port that passes TLS and the token but answers ``describe`` with nonsense is
    refused with what it said, and the pool stays empty (its retry would try again)."""
    ca = make_ca("test CA")
    tls = make_cert(tmp_path, "here", "127.0.0.1", ca, write_pem(tmp_path / "ca.pem", ca[0]))

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                length = struct.unpack("!I", await reader.readexactly(4))[0]
                request = json.loads((await reader.readexactly(length))[1:])
                result = None if request["op"] == "auth" else {"name": "wx"}  # no host, no pipe
                writer.write(encode_json({"id": request["id"], "ok": True, "result": result}))

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=tls.server_context())
    port = server.sockets[0].getsockname()[1]
    pool = WorkerPool(token=TOKEN, tls=tls)
    try:
        with pytest.raises(ValueError, match=re.escape("described itself as {'name': 'wx'}")):
            await pool.attach("127.0.0.1", port)
        assert not pool.workers
    finally:
        await pool.close()
        server.close()


async def test_unreadable_tls_files_stop_the_start_with_a_clear_error(
    settings: Settings, tmp_path: Path, aiohttp_client: AiohttpClient
) -> None:
    """``hopchibo serve`` prints a ConfigError as "configuration error: KEY: message"."""
    missing = str(tmp_path / "missing.pem")
    media = MediaSettings(
        workers=1, worker_tls_cert=missing, worker_tls_key=missing, worker_tls_ca=missing
    )
    with pytest.raises(ConfigError, match=r"HOPCHIBO_MEDIA_WORKER_TLS_CERT: .*cannot be used"):
        await aiohttp_client(create_app(dataclasses.replace(settings, media=media)))


def test_the_command_line_takes_the_workers_own_options() -> None:
    line = "relay-worker --name wb --stay --tls-cert c --tls-key k --tls-ca a"
    args = build_parser().parse_args(line.split())
    assert args.stay and tls_from(args) == WorkerTls("c", "k", "a")
