"""Janus (Debian's janus package) as the C yardstick: a loopback-only instance and a VideoRoom
client over Janus's HTTP long-poll API.

The configuration is generated from bench/janus/*.jcfg.in into a temporary folder; /etc/janus is
never read or changed. Only the HTTP transport and the VideoRoom plugin are loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import glob
import itertools
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

import aiohttp

from bench.relay_common import LOOPBACK, free_port

JANUS_BIN = "/usr/bin/janus"
TEMPLATES = Path(__file__).resolve().parent / "janus"
ROOM = 1234
PR_SET_PDEATHSIG = 1
JsonObj = dict[str, Any]


def janus_version() -> str:
    try:
        out = subprocess.run(
            [JANUS_BIN, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    for line in out.splitlines():
        if line.startswith("Janus version:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


@dataclass(frozen=True, slots=True)
class JanusInstance:
    """A running Janus: its process (own process group), REST URL and temporary config folder."""

    process: subprocess.Popen[bytes]
    url: str
    folder: str

    def stop(self) -> None:
        """Kill the process group, wait, and remove the config folder."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, 15)
                self.process.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, 9)
                self.process.wait(timeout=5)
        shutil.rmtree(self.folder, ignore_errors=True)


def _lib_folder() -> str:
    found = sorted(glob.glob("/usr/lib/*/janus"))
    if not found:
        raise RuntimeError("Janus plugin folder not found under /usr/lib/*/janus")
    return found[0]


def write_config(folder: str, http_port: int, event_loops: int) -> None:
    """Write janus.jcfg, the HTTP transport and the VideoRoom config into `folder`."""
    rtp_low = 20000 + (http_port % 200) * 100
    values = {
        "configs_folder": folder,
        "lib_folder": _lib_folder(),
        "event_loops": f"event_loops = {event_loops}" if event_loops > 0 else "",
        "rtp_port_range": f"{rtp_low}-{rtp_low + 99}",
        "http_port": str(http_port),
        "room": str(ROOM),
    }
    for template in sorted(TEMPLATES.glob("*.jcfg.in")):
        text = Template(template.read_text(encoding="utf-8")).substitute(values)
        Path(folder, template.name.removesuffix(".in")).write_text(text, encoding="utf-8")


def build_loopback_shim(folder: str) -> str:
    """Compile bench/janus/loopback_ifaddrs.c (see there why) into `folder`; its path."""
    out = os.path.join(folder, "loopback_ifaddrs.so")
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-O2", "-o", out, str(TEMPLATES / "loopback_ifaddrs.c"), "-ldl"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out


def _prepare(event_loops: int) -> tuple[str, int, str]:
    """Config folder, HTTP port and the compiled shim (blocking: run in a thread)."""
    folder = tempfile.mkdtemp(prefix="hopchibo-janus-")
    port = free_port()
    try:
        write_config(folder, port, event_loops)
        shim = build_loopback_shim(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, port, shim


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL Janus if the benchmark dies without stopping it."""
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


async def start_janus(event_loops: int, log_path: str, timeout_s: float = 15.0) -> JanusInstance:
    """Start Janus on loopback and wait until its REST API answers `info`."""
    folder, port, shim = await asyncio.to_thread(_prepare, event_loops)
    log = await asyncio.to_thread(open, log_path, "ab")
    try:
        # started from the event loop's thread: PR_SET_PDEATHSIG follows the forking thread
        process = subprocess.Popen(  # noqa: ASYNC220 (returns at once)
            [JANUS_BIN, "-F", folder, "-C", os.path.join(folder, "janus.jcfg"), "-o"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ, LD_PRELOAD=shim),
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        log.close()
    instance = JanusInstance(process, f"http://{LOOPBACK}:{port}/janus", folder)
    try:
        await _wait_ready(instance, log_path, timeout_s)
    except BaseException:
        instance.stop()
        raise
    return instance


async def _wait_ready(instance: JanusInstance, log_path: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as http:
        while True:
            if instance.process.poll() is not None:
                code = instance.process.returncode
                raise RuntimeError(f"Janus exited with {code}; see {log_path}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(instance.url + "/info") as resp:
                    if resp.status == 200:
                        return
            if time.monotonic() > deadline:
                raise RuntimeError(f"Janus did not answer within {timeout_s} s; see {log_path}")
            await asyncio.sleep(0.2)


class JanusError(RuntimeError):
    pass


class JanusSession:
    """One Janus session with a long-poll loop; requests on handles wait for their events."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self._http = http
        self._url = url
        self._session_url = ""
        self._pending: dict[str, asyncio.Future[JsonObj]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._counter = itertools.count()

    def _transaction(self) -> str:
        return f"{secrets.token_hex(4)}-{next(self._counter)}"

    async def _post(self, url: str, body: JsonObj) -> JsonObj:
        async with self._http.post(url, json=body) as resp:
            reply: JsonObj = await resp.json(content_type=None)
        if reply.get("janus") == "error":
            raise JanusError(str(reply.get("error")))
        return reply

    async def open(self) -> None:
        reply = await self._post(self._url, {"janus": "create", "transaction": self._transaction()})
        self._session_url = f"{self._url}/{reply['data']['id']}"
        self._tasks.append(asyncio.create_task(self._poll()))
        self._tasks.append(asyncio.create_task(self._keepalive()))

    async def attach(self) -> str:
        reply = await self._post(
            self._session_url,
            {
                "janus": "attach",
                "plugin": "janus.plugin.videoroom",
                "transaction": self._transaction(),
            },
        )
        return f"{self._session_url}/{reply['data']['id']}"

    async def request(
        self, handle_url: str, body: JsonObj, jsep: JsonObj | None = None, timeout_s: float = 20
    ) -> JsonObj:
        """Send a plugin message and return the plugin event answering it (with its `jsep`)."""
        transaction = self._transaction()
        message: JsonObj = {"janus": "message", "body": body, "transaction": transaction}
        if jsep is not None:
            message["jsep"] = jsep
        future: asyncio.Future[JsonObj] = asyncio.get_running_loop().create_future()
        self._pending[transaction] = future
        try:
            reply = await self._post(handle_url, message)
            if reply.get("janus") == "success":  # synchronous plugin answer
                return reply
            event = await asyncio.wait_for(future, timeout_s)
        finally:
            self._pending.pop(transaction, None)
        data = event.get("plugindata", {}).get("data", {})
        if "error" in data:
            raise JanusError(f"{data.get('error_code')}: {data['error']}")
        return event

    async def _poll(self) -> None:
        while True:
            try:
                async with self._http.get(
                    self._session_url,
                    params={"maxev": "20", "rid": self._transaction()},
                    timeout=aiohttp.ClientTimeout(total=45),
                ) as resp:
                    events = await resp.json(content_type=None)
            except (aiohttp.ClientError, TimeoutError):
                await asyncio.sleep(0.5)
                continue
            for event in events if isinstance(events, list) else [events]:
                future = self._pending.get(event.get("transaction", ""))
                if future is not None and not future.done() and event.get("janus") == "event":
                    future.set_result(event)

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(20)
            with contextlib.suppress(aiohttp.ClientError, JanusError):
                await self._post(
                    self._session_url, {"janus": "keepalive", "transaction": self._transaction()}
                )

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session_url:
            with contextlib.suppress(aiohttp.ClientError, JanusError):
                await self._post(
                    self._session_url, {"janus": "destroy", "transaction": self._transaction()}
                )
