"""Members at sea (issue #16): what a Chromium member behind a thin, lossy, long link hears, and
what the others hear of them, with Opus in-band FEC on and off in the same run.

    .venv/bin/python -m bench.sea                    # loss scenarios, FEC on and off, ~5 min
    .venv/bin/python -m bench.sea --hold 600         # plus a 10-minute hold at 600 ms RTT
    .venv/bin/python -m bench.sea --window 10 --only random20   # quick look

Each scenario starts the real server (SQLite, loopback candidate) and two Debian Chromium
browsers signed in for real: the chair, unshaped, and a member whose media crosses the userspace
shaper ``tests/impair.py`` in both directions (``docs/media.md``, "Impaired links in tests").
Concealment is getStats' ``concealedSamples / totalSamplesReceived`` over the window, at the
member (hearing the chair through the lossy downlink) and at the chair (hearing the member
through the lossy uplink). The fake microphones beep, so part of each window is DTX silence.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from playwright.async_api import Browser, Page, async_playwright

from server.app import create_app
from server.config import DatabaseSettings, MediaSettings, ServerSettings, load_settings
from tests.backends import SqliteTemplate
from tests.impair import GilbertElliott, LinkProfile, Shaper
from tests.server.meeting.support import make_cell
from tests.web_client.test_impaired_browser import SHAPE_SCRIPT
from tests.web_client.test_meeting_browser import (
    COLOURS,
    launch,
    sign_in,
    slot_stats,
    stat_of,
    state,
    until,
    write_y4m,
)

CHROMIUM = "/usr/bin/chromium"
ONE_WAY = 0.3  # 600 ms round trip


@dataclass(frozen=True)
class Scenario:
    name: str
    what: str
    up: LinkProfile
    down: LinkProfile


def scenarios() -> list[Scenario]:
    def random20() -> LinkProfile:
        return LinkProfile(delay=ONE_WAY, loss=0.2)

    def bursty30() -> LinkProfile:
        return LinkProfile(delay=ONE_WAY, bursty=GilbertElliott.with_mean(0.3, 3.0))

    return [
        Scenario("random20", "20 % random loss each way, 600 ms RTT", random20(), random20()),
        Scenario("bursty30", "30 % bursty loss (mean burst 3), 600 ms RTT", bursty30(), bursty30()),
    ]


@dataclass
class Heard:
    concealed: int
    total: int
    packets_lost: int

    @property
    def ratio(self) -> float:
        return self.concealed / self.total if self.total else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def audio_of(page: Page, pid: str) -> dict[str, Any]:
    s = stat_of(await slot_stats(page), "audio", pid)
    assert s is not None, f"no audio slot for {pid}"
    return s


def heard(before: dict[str, Any], after: dict[str, Any]) -> Heard:
    return Heard(
        after["concealedSamples"] - before["concealedSamples"],
        after["totalSamplesReceived"] - before["totalSamplesReceived"],
        after["packetsLost"] - before["packetsLost"],
    )


class Meeting:
    """A server, the chair's browser and the member's browser behind a shaper."""

    def __init__(self, root: Path, template: SqliteTemplate, *, fec: bool) -> None:
        self.root, self.template, self.fec = root, template, fec
        self.shaper = Shaper(uplink=LinkProfile(), downlink=LinkProfile())
        self.browsers: list[Browser] = []

    async def start(self, pw: Any) -> None:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        self.root.mkdir(parents=True)
        settings = load_settings(
            {},
            server=ServerSettings(
                var_dir=self.root / "var", public_origin=base, insecure_cookies=True, port=port
            ),
            database=DatabaseSettings(url=await self.template.fresh(self.root / "sea.db")),
            media=MediaSettings(
                loopback_candidate=True, reconnect_grace_seconds=5, opus_fec=self.fec
            ),
        )
        app = create_app(settings)
        self.runner = web.AppRunner(app, shutdown_timeout=5)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        cell = await make_cell(app)
        url = f"{base}/meetings/{cell.meeting_id}"
        await self.shaper.start()

        def relay_port(p: int) -> None:
            self.shaper.relay_addr = ("127.0.0.1", p)

        for key in ("chair", "member"):
            write_y4m(self.root / f"{key}.y4m", COLOURS[key][0])
        self.browsers = [
            await launch(pw, CHROMIUM, self.root / "chair.y4m"),
            await launch(pw, CHROMIUM, self.root / "member.y4m"),
        ]
        self.chair = await (await self.browsers[0].new_context(base_url=base)).new_page()
        member_context = await self.browsers[1].new_context(base_url=base)
        await member_context.expose_function("shaperRelayPort", relay_port)
        await member_context.add_init_script(
            SHAPE_SCRIPT % (self.shaper.member_port, self.shaper.relay_facing_port)
        )
        self.member = await member_context.new_page()
        await sign_in(self.chair, base, cell.people["chair"])
        await sign_in(self.member, base, cell.people["member"])
        await self.chair.goto(url)
        await self.chair.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
        await self.chair.click("#join")
        await self.member.goto(url)
        await self.member.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
        await self.member.click("#join")
        await self.chair.wait_for_selector("#waiting button[data-action=admit]")
        await self.chair.click("#waiting button[data-action=admit]")
        await self.member.wait_for_function("() => window.hopchibo.state.admitted")
        self.chair_id = (await state(self.chair))["participantId"]
        self.member_id = (await state(self.member))["participantId"]

        async def both_hear() -> bool:
            a = stat_of(await slot_stats(self.member), "audio", self.chair_id)
            b = stat_of(await slot_stats(self.chair), "audio", self.member_id)
            return bool(a and b and a["totalSamplesReceived"] > 0 and b["totalSamplesReceived"])

        await until("audio both ways", both_hear, 30)

    async def window(self, seconds: float) -> tuple[Heard, Heard]:
        """(the member hearing the chair, the chair hearing the member) over ``seconds``."""
        m0 = await audio_of(self.member, self.chair_id)
        c0 = await audio_of(self.chair, self.member_id)
        await asyncio.sleep(seconds)
        m1 = await audio_of(self.member, self.chair_id)
        c1 = await audio_of(self.chair, self.member_id)
        return heard(m0, m1), heard(c0, c1)

    async def close(self) -> None:
        for browser in self.browsers:
            await browser.close()
        self.shaper.close()
        await self.runner.cleanup()


def machine() -> str:
    cpus = os.cpu_count()
    load = os.getloadavg()
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.node()} {platform.system()} {platform.release()}, {cpus} CPUs ({model}), "
        f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, Python {platform.python_version()}"
    )


async def run(args: argparse.Namespace) -> None:
    print(f"machine: {machine()}")
    print(f"started: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    with tempfile.TemporaryDirectory(prefix="bench-sea-") as tmp:
        root = Path(tmp)
        template = SqliteTemplate(root)
        n = 0
        async with async_playwright() as pw:
            for scenario in scenarios():
                if args.only and scenario.name not in args.only:
                    continue
                for fec in (True, False):
                    n += 1
                    meeting = Meeting(root / f"m{n}", template, fec=fec)
                    try:
                        await meeting.start(pw)
                        meeting.shaper.set_profiles(uplink=scenario.up, downlink=scenario.down)
                        await asyncio.sleep(args.settle)
                        member, chair = await meeting.window(args.window)
                        up, down = meeting.shaper.uplink_stats, meeting.shaper.downlink_stats
                        times = chair.ratio / member.ratio if member.ratio else float("nan")
                        print(
                            f"{scenario.name:9} FEC {'on ' if fec else 'off'} | "
                            f"member hears chair: {100 * member.ratio:5.1f} % concealed "
                            f"({member.concealed}/{member.total}) | "
                            f"chair hears member: {100 * chair.ratio:5.1f} % concealed "
                            f"({chair.concealed}/{chair.total}) | ratio "
                            f"{times:.2f}× | "
                            f"shaper lost up {up.lost}/{up.received}, "
                            f"down {down.lost}/{down.received} | {scenario.what}",
                            flush=True,
                        )
                    finally:
                        await meeting.close()
            if args.hold:
                n += 1
                meeting = Meeting(root / f"m{n}", template, fec=True)
                try:
                    await meeting.start(pw)
                    sat = LinkProfile(delay=ONE_WAY)
                    meeting.shaper.set_profiles(uplink=sat, downlink=sat)
                    started = time.monotonic()
                    worst = 0.0
                    while (held := time.monotonic() - started) < args.hold:
                        member, _ = await meeting.window(min(30.0, args.hold - held))
                        worst = max(worst, member.ratio)
                        connected = (await state(meeting.member))["status"]["key"]
                        restarts = (await state(meeting.member))["mediaRestarts"]
                        print(
                            f"hold 600 ms RTT: {time.monotonic() - started:5.0f} s, "
                            f"{connected}, restarts {restarts}, "
                            f"concealed {100 * member.ratio:.1f} %",
                            flush=True,
                        )
                        if member.total == 0:
                            raise SystemExit("hold: no audio at the member")
                    print(
                        f"hold 600 ms RTT: {args.hold:.0f} s held, worst window {100 * worst:.1f} %"
                    )
                finally:
                    await meeting.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=30.0, help="seconds measured")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--hold", type=float, default=0.0, help="600 ms RTT hold, seconds")
    parser.add_argument("--only", nargs="*", help="scenario names (random20, bursty30)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
