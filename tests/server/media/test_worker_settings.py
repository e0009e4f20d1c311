"""Settings of relay workers on other machines: deny by default (no token or no TLS, no start)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest

from server.config import ConfigError, MediaSettings, load_settings
from server.media import shards
from server.media.shards import WorkerPool
from server.media.worker import RelayWorker
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
