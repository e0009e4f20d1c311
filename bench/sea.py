"""Members at sea (issue #16): what a Chromium member behind a thin, lossy, long link hears, and
what the others hear of them, with audio repair off, Opus FEC only, FEC + RED, and FEC + RED +
NACK (the default: the relay asks for what the member's uplink lost), in one run.

    .venv/bin/python -m bench.sea                    # 3 links x 4 repairs, ~12 min
    .venv/bin/python -m bench.sea --only none --hold 600 --lossy-hold 300   # the long holds
    .venv/bin/python -m bench.sea --window 10 --only random20 --repair FEC+RED   # quick look

Each row starts the real server (SQLite, loopback candidate) and two Debian Chromium browsers
signed in for real: the chair, unshaped, and a member whose media crosses the userspace shaper
``tests/impair.py`` in both directions (``docs/media.md``, "Impaired links in tests"). Both
microphones play the same speech-like file (``tests/web_client/speech.py``; ``--beep`` for
Chromium's own beep, which Opus codes as music, without FEC). Concealment is getStats'
``concealedSamples / totalSamplesReceived`` over the window, at the member (hearing the chair
through the lossy downlink) and at the chair (hearing the member through the lossy uplink).
Each row prints the load average: on a shared machine the load alone conceals audio (the
``clean`` link shows how much).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
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

from server import appkeys
from server.app import create_app
from server.config import DatabaseSettings, MediaSettings, ServerSettings, load_settings
from server.media.relay import RelayStats
from tests.backends import SqliteTemplate
from tests.impair import GilbertElliott, LinkProfile, Shaper
from tests.server.meeting.support import make_cell
from tests.web_client.speech import write_speech_wav
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
from tests.web_client.thin_link import SHAPE_SCRIPT

CHROMIUM = "/usr/bin/chromium"
#: (name, Opus FEC, RED, NACK), each measured on a fresh meeting in the same run
REPAIRS = (
    ("off", False, False, False),
    ("FEC", True, False, False),
    ("FEC+RED", True, True, False),
    ("all", True, True, True),
)
ONE_WAY = 0.3  # 600 ms round trip


@dataclass(frozen=True)
class Scenario:
    name: str
    what: str
    up: LinkProfile
    down: LinkProfile


def scenarios() -> list[Scenario]:
    def sat() -> LinkProfile:
        return LinkProfile(delay=ONE_WAY)

    def random20() -> LinkProfile:
        return LinkProfile(delay=ONE_WAY, loss=0.2)

    def bursty30() -> LinkProfile:
        return LinkProfile(delay=ONE_WAY, bursty=GilbertElliott.with_mean(0.3, 3.0))

    return [
        Scenario("clean", "600 ms RTT, no loss (what the load alone costs)", sat(), sat()),
        Scenario("random20", "20 % random loss each way, 600 ms RTT", random20(), random20()),
        Scenario("bursty30", "30 % bursty loss (mean burst 3), 600 ms RTT", bursty30(), bursty30()),
    ]


@dataclass
class Heard:
    concealed: int
    total: int
    packets_lost: int
    octets: int
    seconds: float
    events: int = 0
    """Concealment events (each a run of concealed samples)."""
    held: float = float("nan")
    """Mean jitter-buffer delay of what was played over the window (s)."""

    @property
    def ratio(self) -> float:
        return self.concealed / self.total if self.total else float("nan")

    @property
    def kbps(self) -> float:
        """Audio received (RTP payloads, RED included), kbit/s."""
        return 8 * self.octets / self.seconds / 1000 if self.seconds else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def audio_of(page: Page, pid: str) -> dict[str, Any]:
    s = stat_of(await slot_stats(page), "audio", pid)
    assert s is not None, f"no audio slot for {pid}"
    return s


def heard(before: dict[str, Any], after: dict[str, Any], seconds: float) -> Heard:
    return Heard(
        after["concealedSamples"] - before["concealedSamples"],
        after["totalSamplesReceived"] - before["totalSamplesReceived"],
        after["packetsLost"] - before["packetsLost"],
        after["bytesReceived"] - before["bytesReceived"],
        seconds,
        after["concealmentEvents"] - before["concealmentEvents"],
        (after["jitterBufferDelay"] - before["jitterBufferDelay"])
        / max(1, after["jitterBufferEmittedCount"] - before["jitterBufferEmittedCount"]),
    )


class Meeting:
    """A server, the chair's browser and the member's browser behind a shaper."""

    def __init__(
        self,
        root: Path,
        template: SqliteTemplate,
        *,
        fec: bool,
        red: bool,
        nack: bool = True,
        speech: Path | None = None,
        adaptation: bool = False,
    ) -> None:
        self.speech = speech
        self.adaptation = adaptation
        self.root, self.template, self.fec, self.red = root, template, fec, red
        self.nack = nack
        # at sea from the start: the round trip is known before the loss comes (as for a ship)
        self.shaper = Shaper(uplink=LinkProfile(delay=ONE_WAY), downlink=LinkProfile(delay=ONE_WAY))
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
                loopback_candidate=True,
                reconnect_grace_seconds=5,
                opus_fec=self.fec,
                audio_red=self.red,
                audio_nack=self.nack,
                adaptation=self.adaptation,
            ),
        )
        app = create_app(settings)
        self.app = app
        self.runner = web.AppRunner(app, shutdown_timeout=5)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        cell = await make_cell(app)
        self.meeting_id = cell.meeting_id
        url = f"{base}/meetings/{cell.meeting_id}"
        await self.shaper.start()

        def relay_port(p: int) -> None:
            self.shaper.relay_addr = ("127.0.0.1", p)

        for key in ("chair", "member"):
            write_y4m(self.root / f"{key}.y4m", COLOURS[key][0])
        self.browsers = [
            await launch(pw, CHROMIUM, self.root / "chair.y4m", self.speech),
            await launch(pw, CHROMIUM, self.root / "member.y4m", self.speech),
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
        started = time.monotonic()
        await asyncio.sleep(seconds)
        m1 = await audio_of(self.member, self.chair_id)
        c1 = await audio_of(self.chair, self.member_id)
        took = time.monotonic() - started
        return heard(m0, m1, took), heard(c0, c1, took)

    def relay_stats(self) -> RelayStats:
        live = self.app[appkeys.LIVE].get(self.meeting_id)
        assert live is not None
        return live.relay.stats()

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
        speech = None if args.beep else write_speech_wav(root / "speech.wav")
        n = 0
        adapt = {"adaptation": args.adaptation == "on"}
        async with async_playwright() as pw:
            for scenario in scenarios():
                if args.only and scenario.name not in args.only:
                    continue
                for repair, fec, red, nack in REPAIRS:
                    if args.repair and repair not in args.repair:
                        continue
                    n += 1
                    meeting = Meeting(
                        root / f"m{n}",
                        template,
                        fec=fec,
                        red=red,
                        nack=nack,
                        speech=speech,
                        **adapt,
                    )
                    try:
                        await meeting.start(pw)
                        meeting.shaper.set_profiles(uplink=scenario.up, downlink=scenario.down)
                        await asyncio.sleep(args.settle)
                        member, chair = await meeting.window(args.window)
                        up, down = meeting.shaper.uplink_stats, meeting.shaper.downlink_stats
                        times = chair.ratio / member.ratio if member.ratio else float("nan")
                        speaker = meeting.relay_stats().participant(meeting.member_id)
                        print(
                            f"{scenario.name:9} {repair:8} | "
                            f"member hears chair: {100 * member.ratio:5.1f} % concealed "
                            f"({member.concealed}/{member.total}, {member.kbps:.0f} kbit/s) | "
                            f"chair hears member: {100 * chair.ratio:5.1f} % concealed "
                            f"({chair.concealed}/{chair.total}, {chair.events} events, held "
                            f"{1000 * chair.held:.0f} ms) | ratio "
                            f"{times:.2f}× | "
                            f"shaper lost up {up.lost}/{up.received}, "
                            f"down {down.lost}/{down.received} | RED to member "
                            f"{speaker.audio_redundancy}, rebuilt from member "
                            f"{speaker.recovered_audio_frames}, late {speaker.late_audio_frames}, "
                            f"hold {speaker.audio_hold_ms} ms, uplink loss "
                            f"{speaker.uplink_audio_loss:.2f} | "
                            f"load {os.getloadavg()[0]:.1f} | {scenario.what}",
                            flush=True,
                        )
                    finally:
                        await meeting.close()
            holds = (
                ("600 ms RTT", LinkProfile(delay=ONE_WAY), args.hold),
                ("600 ms RTT + 20 % loss", LinkProfile(delay=ONE_WAY, loss=0.2), args.lossy_hold),
            )
            for label, profile, seconds in holds:
                if seconds:
                    n += 1
                    meeting = Meeting(
                        root / f"m{n}", template, fec=True, red=True, speech=speech, **adapt
                    )
                    try:
                        await meeting.start(pw)
                        await hold(meeting, label, profile, seconds)
                    finally:
                        await meeting.close()


async def hold(meeting: Meeting, label: str, profile: LinkProfile, seconds: float) -> None:
    """Keep the member behind ``profile`` (both ways) for ``seconds``, reporting every 30 s."""
    meeting.shaper.set_profiles(uplink=profile, downlink=profile)
    started = time.monotonic()
    worst = 0.0
    while (held := time.monotonic() - started) < seconds:
        member, chair = await meeting.window(min(30.0, seconds - held))
        if member.total == 0 or chair.total == 0:
            raise SystemExit(f"hold {label}: no audio at {held:.0f} s")
        worst = max(worst, member.ratio)
        now: dict[str, Any] = await state(meeting.member)
        relay = meeting.relay_stats().participant(meeting.member_id)
        print(
            f"hold {label}: {time.monotonic() - started:5.0f} s, page {now['status']['key']}, "
            f"relay {relay.connection_state}, restarts {now['mediaRestarts']}, "
            f"member conceals {100 * member.ratio:.1f} %, chair {100 * chair.ratio:.1f} %",
            flush=True,
        )
    now = await state(meeting.member)
    print(
        f"hold {label}: {seconds:.0f} s held, {now['mediaRestarts']} page restarts, "
        f"worst window {100 * worst:.1f} % at the member, machine {machine()}",
        flush=True,
    )


def main() -> None:
    # why a connection ended (consent expiry, a stall of this process) goes to stderr
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("server.media.passthrough").setLevel(logging.INFO)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=30.0, help="seconds measured")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--hold", type=float, default=0.0, help="600 ms RTT hold, seconds")
    parser.add_argument(
        "--lossy-hold", type=float, default=0.0, help="600 ms RTT + 20 %% loss hold, seconds"
    )
    parser.add_argument("--only", nargs="*", help="scenario names (clean, random20, bursty30)")
    parser.add_argument(
        "--beep", action="store_true", help="Chromium's own beeping microphone, not speech"
    )
    parser.add_argument("--repair", nargs="*", help="off, FEC, FEC+RED, all (default: the four)")
    parser.add_argument(
        "--adaptation",
        choices=("on", "off"),
        default="off",
        help="per-subscriber adaptation (default off, as media.adaptation)",
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
