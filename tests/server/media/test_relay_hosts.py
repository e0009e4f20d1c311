"""One meeting over relay workers on two machines, with real aiortc peers (issue 15).

The second machine is a network namespace joined to this one by a veth pair: its worker
(``python -m server.media.worker --stay --tls-*``) sees only its own address, and everything
between the machines crosses the veth, as it would cross a network. The pool starts one worker
here, listening on this side's veth address, and attaches the other; mutual TLS with a CA made
for the test, and the token. Needs root and ``ip netns``: it fails, never skips, without them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from server import appkeys
from server.app import create_app
from server.config import BusSettings, DatabaseSettings, ServerSettings, load_settings
from server.media.pipe import encode_json
from server.media.relay import RelayConfig
from server.media.shards import RETRY_SECONDS, WorkerPool
from server.media.tls import WorkerTls
from server.media.worker import TOKEN_ENV
from tests.conftest import AiohttpClient, unique_key_prefix
from tests.server.media.certs import make_ca, make_cert, write_pem
from tests.server.media.peers import EventLog, wait_for
from tests.server.media.test_relay_workers import COLOURS, Meeting, _eventually

pytestmark = [pytest.mark.media, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "relay-hosts-test-" + "t" * 32
CONTROL_PORT, PIPE_PORT = 7100, 7101
#: iproute2 (Debian)
IP = "/usr/sbin/ip"


# ---------------------------------------------------------------------------- the two machines


@dataclass(frozen=True, slots=True)
class Network:
    namespace: str
    here: str  # this machine's veth address
    there: str  # the namespace's


def _ip(*args: str, check: bool = True) -> None:
    """Run ``ip``; with ``check``, fail the test (never skip it) if it fails."""
    result = subprocess.run(  # noqa: S603 (a fixed path and our own arguments)
        [IP, *args], capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        pytest.fail(f"`ip {' '.join(args)}` failed: {result.stderr.strip()}")


@pytest.fixture
def network() -> Iterator[Network]:
    """A namespace (the other machine) and a veth pair with a /24 between the two."""
    if not os.access(IP, os.X_OK) or os.geteuid() != 0:
        pytest.fail("this test needs root and iproute2 (`ip netns`): it never skips")
    pid = os.getpid()
    namespace, here_dev, there_dev = f"hop-relay-{pid}", f"hr{pid}a", f"hr{pid}b"
    subnet = 10 + pid % 200
    net = Network(namespace, f"10.231.{subnet}.1", f"10.231.{subnet}.2")
    _ip("netns", "del", namespace, check=False)  # a run killed before its teardown
    _ip("link", "del", here_dev, check=False)
    try:
        _ip("netns", "add", namespace)
        _ip("link", "add", here_dev, "type", "veth", "peer", "name", there_dev)
        _ip("link", "set", there_dev, "netns", namespace)
        _ip("addr", "add", f"{net.here}/24", "dev", here_dev)
        _ip("link", "set", here_dev, "up")
        _ip("netns", "exec", namespace, "ip", "addr", "add", f"{net.there}/24", "dev", there_dev)
        _ip("netns", "exec", namespace, "ip", "link", "set", there_dev, "up")
        _ip("netns", "exec", namespace, "ip", "link", "set", "lo", "up")
        yield net
    finally:
        _ip("netns", "del", namespace, check=False)  # takes its end of the veth pair along
        _ip("link", "del", here_dev, check=False)


# ---------------------------------------------------------------------------- certificates


@dataclass(frozen=True, slots=True)
class Certificates:
    here: WorkerTls  # the server's process and its local worker
    there: WorkerTls  # the worker on the other machine
    stranger: WorkerTls  # a certificate of another CA, naming this machine's address
    ca: Path


@pytest.fixture
def certificates(tmp_path: Path, network: Network) -> Certificates:
    ca = make_ca("hopchibo relay test CA")
    other = make_ca("a stranger's CA")
    ca_file = write_pem(tmp_path / "ca.pem", ca[0])
    other_file = write_pem(tmp_path / "other-ca.pem", other[0])
    return Certificates(
        here=make_cert(tmp_path, "here", network.here, ca, ca_file),
        there=make_cert(tmp_path, "there", network.there, ca, ca_file),
        stranger=make_cert(tmp_path, "stranger", network.here, other, other_file),
        ca=ca_file,
    )


# ---------------------------------------------------------------------------- the workers


class RemoteWorker:
    """``wb``, a ``--stay`` worker inside the namespace (the other machine)."""

    def __init__(self, network: Network, tls: WorkerTls, log: Path) -> None:
        self._network = network
        self._tls = tls
        self._log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self._log.open("ab") as stderr:
            self.process = await asyncio.create_subprocess_exec(
                IP,
                "netns",
                "exec",
                self._network.namespace,
                sys.executable,  # ip netns exec execs it: this pid is the worker's
                "-m",
                "server.media.worker",
                "--name",
                "wb",
                "--host",
                self._network.there,
                "--control-port",
                str(CONTROL_PORT),
                "--pipe-port",
                str(PIPE_PORT),
                "--stay",
                *self._tls.arguments(),
                cwd=ROOT,
                env={**os.environ, TOKEN_ENV: TOKEN},
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
            )
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        if not line:
            pytest.fail(f"the worker in the namespace did not start: {self._log.read_text()}")

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            os.kill(self.process.pid, signal.SIGKILL)

    async def stop(self) -> None:
        if self.process is not None:
            self.kill()
            await self.process.wait()


@dataclass(slots=True)
class Hosts:
    network: Network
    certificates: Certificates
    pool: WorkerPool
    remote: RemoteWorker


@pytest.fixture
async def hosts(
    network: Network, certificates: Certificates, tmp_path: Path
) -> AsyncIterator[Hosts]:
    remote = RemoteWorker(network, certificates.there, tmp_path / "wb.log")
    pool = WorkerPool(token=TOKEN, tls=certificates.here)
    try:
        await remote.start()
        await pool.start(1, host=network.here, prefix="wa")
        await pool.attach(network.there, CONTROL_PORT)
        yield Hosts(network, certificates, pool, remote)
    finally:
        await pool.close()
        await remote.stop()


# ---------------------------------------------------------------------------- the test


async def test_meeting_over_two_machines(hosts: Hosts) -> None:
    started = time.monotonic()
    pool, net = hosts.pool, hosts.network
    log = EventLog()
    relay = pool.relay("hosts-test", RelayConfig(add_loopback_candidate=True), log)
    meeting = Meeting(relay, log)
    for name in COLOURS:
        await meeting.join(name)
    # wa0 here, wb on the other machine: two members each
    assert [meeting.worker(n) for n in COLOURS] == ["wa0", "wb", "wa0", "wb"]

    # every member decodes every other, across the machines too (video and audio)
    took = await wait_for(meeting.decodes_all, 40, "every member decoding every other")
    stats = await relay.stats()
    assert stats["wa0"]["pipes"]["wb"]["frames_sent"] > 0
    assert stats["wb"]["pipes"]["wa0"]["frames_sent"] > 0

    # a PLI of b1 (on wb, the other machine) for a1's camera (on wa0, here) reaches a1
    await meeting.keyframe_request_crosses("a1", "wa0", "b1", "wb")

    # strangers get nothing from the other machine's ports: no TLS, no certificate, a
    # certificate of another CA, each sending the right token in the right framing
    certs = hosts.certificates
    for port in (CONTROL_PORT, PIPE_PORT):
        for context in (None, _client(certs.ca), _client(certs.ca, certs.stranger)):
            got = await asyncio.to_thread(_first_answer, net.there, port, context)
            assert got == b"", f"port {port} answered a stranger: {got[:80]!r}"
    # the same bytes with a certificate of the CA do get an answer: what refused the others
    # was TLS (the control port takes one server, the pool, so the pipe port shows it)
    valid = await asyncio.to_thread(
        _first_answer, net.there, PIPE_PORT, _client(certs.ca, certs.here)
    )
    assert b'"type":"hello","name":"wb"' in valid
    assert {name for name, _ in await _names(pool)} == {"wa0", "wb"}  # the pool's still hold

    # the other machine's worker dies: its members are told, offer again, land here, and
    # everyone decodes again
    hosts.remote.kill()
    moved = await meeting.fail_over(("b1", "b2"), "wa0", 15)

    # the machine comes back: the pool attaches its worker again by itself, pipes and all
    assert hosts.remote.process is not None
    await hosts.remote.process.wait()
    back_at = time.monotonic()
    await hosts.remote.start()
    await wait_for(
        lambda: any(w.name == "wb" and w.alive for w in pool.workers),
        RETRY_SECONDS * 3 + 10,
        "the pool to attach wb again",
    )
    back = time.monotonic() - back_at

    async def piped_again() -> bool:
        return any("wa0" in s["pipes"] for s in await pool.stats() if s["name"] == "wb")

    assert await _eventually(piped_again, 10), "wb and wa0 not joined by a pipe again"

    await relay.close()
    await asyncio.gather(*(c.close() for c in meeting.clients.values()))
    print(
        f"decoding across machines after {took:.1f} s; again after the kill in {moved:.1f} s;"
        f" wb attached again {back:.1f} s after it restarted;"
        f" whole test {time.monotonic() - started:.1f} s"
    )


def _client(ca: Path, tls: WorkerTls | None = None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_verify_locations(cafile=ca)
    if tls is not None:
        context.load_cert_chain(tls.cert, tls.key)
    return context


def _first_answer(host: str, port: int, context: ssl.SSLContext | None) -> bytes:
    """Connect, send the pool's token as the first message, and return what comes back before
    the worker closes the connection (b"": nothing). A blocking socket: asyncio's server
    closes a failed TLS handshake without flushing its alert, and in TLS 1.3 the client's side
    of the handshake is over before the server checks the client's certificate, so a refused
    client sees its connection end, never an answer."""
    hello: dict[str, Any] = (
        {"id": 1, "op": "auth", "token": TOKEN}
        if port == CONTROL_PORT
        else {"type": "hello", "name": "wz", "token": TOKEN}
    )
    with socket.create_connection((host, port), timeout=10) as raw:
        sock = raw if context is None else context.wrap_socket(raw, server_hostname=host)
        try:
            sock.sendall(encode_json(hello))
            return sock.recv(4096)
        except (ssl.SSLError, ConnectionError):
            return b""


async def _names(pool: WorkerPool) -> list[tuple[str, int]]:
    return [(str(s["name"]), len(s["pipes"])) for s in await pool.stats()]


async def test_a_staying_worker_outlives_its_server(hosts: Hosts) -> None:
    """``--stay``: when its server's process goes, the other machine's worker closes that
    server's meetings and pipes and waits; the next server's pool, with no worker of its own,
    attaches it and holds a meeting on it alone."""
    log = EventLog()
    meeting = Meeting(
        hosts.pool.relay("stay-test", RelayConfig(add_loopback_candidate=True), log), log
    )
    for name in ("a1", "b1"):
        await meeting.join(name)
    assert meeting.worker("b1") == "wb"
    await wait_for(meeting.decodes_all, 40, "a1 and b1 decoding each other")
    await hosts.pool.close()  # the server's process goes away
    await asyncio.gather(*(c.close() for c in meeting.clients.values()))

    again = WorkerPool(token=TOKEN, tls=hosts.certificates.here)
    try:
        handle = await again.attach(hosts.network.there, CONTROL_PORT)
        assert hosts.remote.process is not None and hosts.remote.process.returncode is None
        stats = await handle.request("stats")
        assert stats["meetings"] == {} and stats["pipes"] == {}  # nothing of the old server
        log = EventLog()
        meeting = Meeting(
            again.relay("stay-test-2", RelayConfig(add_loopback_candidate=True), log), log
        )
        for name in ("a1", "b1"):
            await meeting.join(name)
        assert {meeting.worker(n) for n in ("a1", "b1")} == {"wb"}
        await wait_for(meeting.decodes_all, 40, "a1 and b1 decoding each other on wb alone")
        await meeting.relay.close()
        await asyncio.gather(*(c.close() for c in meeting.clients.values()))
    finally:
        await again.close()


async def test_the_app_attaches_the_workers_its_settings_name(
    network: Network,
    certificates: Certificates,
    tmp_path: Path,
    db_url: str,
    aiohttp_client: AiohttpClient,
) -> None:
    """The deployment's way in: ``HOPCHIBO_MEDIA_*`` from the environment, the app started as
    ``make run`` starts it; its live meetings' pool runs one worker here, on this machine's veth
    address, and attaches the other machine's, and the two are joined by a pipe."""
    remote = RemoteWorker(network, certificates.there, tmp_path / "wb.log")
    here = certificates.here
    env = {
        "HOPCHIBO_MEDIA_WORKERS": "1",
        "HOPCHIBO_MEDIA_WORKER_HOST": network.here,
        "HOPCHIBO_MEDIA_REMOTE_WORKERS": f"{network.there}:{CONTROL_PORT}",
        "HOPCHIBO_MEDIA_WORKER_TOKEN": TOKEN,
        "HOPCHIBO_MEDIA_WORKER_TLS_CERT": here.cert,
        "HOPCHIBO_MEDIA_WORKER_TLS_KEY": here.key,
        "HOPCHIBO_MEDIA_WORKER_TLS_CA": here.ca,
    }
    settings = load_settings(
        env,
        server=ServerSettings(var_dir=tmp_path / "var"),
        database=DatabaseSettings(url=db_url),
        bus=BusSettings(key_prefix=unique_key_prefix()),
    )
    try:
        await remote.start()
        client = await aiohttp_client(create_app(settings))
        pool = client.app[appkeys.LIVE].relay_pool
        assert pool is not None
        assert sorted(w.name for w in pool.alive) == ["w0", "wb"]
        assert {w.name: w.host for w in pool.alive} == {"w0": network.here, "wb": network.there}

        async def piped() -> bool:
            return sorted(await _names(pool)) == [("w0", 1), ("wb", 1)]

        assert await _eventually(piped, 10), await _names(pool)
    finally:
        await remote.stop()
