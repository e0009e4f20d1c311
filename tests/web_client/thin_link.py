"""A member on a thin downlink in a meeting with four video publishers (issue #16): the steps
and figures shared by ``test_adapt_browser.py`` and ``bench/adapt.py``.

The chair and the member are Chromium pages signed in for real; the member's media crosses the
shaper (``tests/impair.py``). Four more publishers are aiortc peers that join the meeting's relay
directly (they send only: nothing of theirs is decoded, to keep the machine's load down), each
a 160×120 camera of moving noise at 15 frames a second (a few hundred kbit/s, what aiortc's
encoder makes of it), without a microphone (only the chair speaks: aiortc's Opus at some
96 kbit/s would be no member's voice).

``shaped_meeting`` is the set-up this shares with ``test_impaired_browser.py``: the chair and a
member whose media crosses the shaper, both in the meeting.
"""

from __future__ import annotations

import asyncio
import fractions
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiortc import RTCBundlePolicy, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import VideoFrame
from av.frame import Frame
from playwright.async_api import Page, ViewportSize, async_playwright

from server.media.passthrough import add_loopback_candidate, tolerate_long_round_trips
from server.media.relay import MeetingRelay
from tests.impair import LinkProfile, Shaper
from tests.server.meeting.support import Cell
from tests.web_client.test_meeting_browser import (
    COLOURS,
    launch,
    sign_in,
    slot_stats,
    stat_of,
    state,
    write_y4m,
)

WIDTH, HEIGHT, FPS = 160, 120, 15
CAP_BPS = 256_000


#: rewrites candidates so that the page's media crosses the shaper (see ``shaped_meeting``)
SHAPE_SCRIPT = """
(() => {
  const [memberPort, relayFacingPort] = [%d, %d];
  const only = (sdp, port) => {
    const cand = `a=candidate:1 1 udp 2130706431 127.0.0.1 ${port} typ host`;
    const out = [];
    let inMedia = false;
    for (const raw of sdp.split(/\\r?\\n/)) {
      const line = raw.trim();
      if (!line || /^a=(candidate:|end-of-candidates)/.test(line)) continue;
      if (line.startsWith('m=')) {
        if (inMedia) out.push(cand, 'a=end-of-candidates');
        inMedia = true;
      }
      out.push(line);
    }
    if (inMedia) out.push(cand, 'a=end-of-candidates');
    return out.join('\\r\\n') + '\\r\\n';
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      const msg = JSON.parse(data);
      if (msg.type === 'offer') {
        msg.sdp = only(msg.sdp, relayFacingPort);
        data = JSON.stringify(msg);
      }
    } catch (err) { /* not JSON */ }
    return send.call(this, data);
  };
  const srd = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = async function (desc) {
    if (desc && desc.type === 'answer') {
      const m = desc.sdp.match(/a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 (\\d+) typ host/i);
      if (m) await window.shaperRelayPort(Number(m[1]));
      desc = { type: 'answer', sdp: only(desc.sdp, memberPort) };
    }
    return srd.call(this, desc);
  };
})();
"""


@asynccontextmanager
async def shaped_meeting(
    base: str,
    cell: Cell,
    shaper: Shaper,
    tmp_path: Path,
    chromium_path: str,
    *,
    wav: Path | None = None,
    member_viewport: ViewportSize | None = None,
) -> AsyncIterator[tuple[Page, Page]]:
    """The chair's and the member's pages (Chromium, signed in for real), both admitted to
    ``cell``'s meeting; the member's media crosses ``shaper`` (``SHAPE_SCRIPT``: its offer's
    candidates go to the shaper's relay-facing port, the relay's answer to its member port, and
    the page tells the shaper where the relay listens). The browsers and the shaper are closed
    on the way out."""
    url = f"{base}/meetings/{cell.meeting_id}"

    def relay_port(port: int) -> None:
        shaper.relay_addr = ("127.0.0.1", port)

    for key in ("chair", "member"):
        write_y4m(tmp_path / f"{key}.y4m", COLOURS[key][0])
    async with async_playwright() as pw:
        chair_browser = await launch(pw, chromium_path, tmp_path / "chair.y4m", wav)
        member_browser = await launch(pw, chromium_path, tmp_path / "member.y4m", wav)
        try:
            chair = await (await chair_browser.new_context(base_url=base)).new_page()
            member_context = await member_browser.new_context(
                base_url=base, viewport=member_viewport
            )
            await member_context.expose_function("shaperRelayPort", relay_port)
            await member_context.add_init_script(
                SHAPE_SCRIPT % (shaper.member_port, shaper.relay_facing_port)
            )
            member = await member_context.new_page()
            await sign_in(chair, base, cell.people["chair"])
            await sign_in(member, base, cell.people["member"])
            await chair.goto(url)
            await chair.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
            await chair.click("#join")
            await member.goto(url)
            await member.wait_for_function("() => window.hopchibo && window.hopchibo.ready")
            await member.click("#join")
            await chair.wait_for_selector("#waiting button[data-action=admit]")
            await chair.click("#waiting button[data-action=admit]")
            await member.wait_for_function("() => window.hopchibo.state.admitted")
            yield chair, member
        finally:
            await chair_browser.close()
            await member_browser.close()
            shaper.close()


class NoiseTrack(MediaStreamTrack):
    """A camera whose picture changes everywhere, a band at a time: VP8 cannot make it small."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._start: float | None = None
        self._count = 0
        self._luma = bytearray(os.urandom(WIDTH * HEIGHT))

    async def recv(self) -> Frame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            await asyncio.sleep(max(0.0, self._start + self._count / FPS - time.monotonic()))
        band = HEIGHT // 4
        top = (self._count % 4) * band
        self._luma[top * WIDTH : (top + band) * WIDTH] = os.urandom(band * WIDTH)
        frame = VideoFrame(WIDTH, HEIGHT, "yuv420p")
        frame.planes[0].update(bytes(self._luma))
        frame.planes[1].update(bytes([128]) * frame.planes[1].buffer_size)
        frame.planes[2].update(bytes([128]) * frame.planes[2].buffer_size)
        frame.pts = self._count * (90_000 // FPS)
        frame.time_base = fractions.Fraction(1, 90_000)
        self._count += 1
        return frame


class Publishers:
    """``n`` aiortc peers that send a noise camera to ``relay``."""

    def __init__(self, relay: MeetingRelay, n: int = 4) -> None:
        self.relay = relay
        self.ids = [f"pub{i + 1}" for i in range(n)]
        self.pcs: list[RTCPeerConnection] = []

    async def start(self) -> None:
        for pid in self.ids:
            pc = RTCPeerConnection(RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
            self.pcs.append(pc)
            pc.addTransceiver(NoiseTrack(), direction="sendonly")
            add_loopback_candidate(pc)
            tolerate_long_round_trips(pc)
            await pc.setLocalDescription(await pc.createOffer())
            answer = await self.relay.connect(pid, pc.localDescription.sdp)
            await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))

    async def flowing(self) -> bool:
        """Each publisher's camera reached the relay (30 frames)."""
        stats = self.relay.stats()
        return all(stats.participant(p).received_video_frames > 30 for p in self.ids)

    async def close(self) -> None:
        for pid in self.ids:
            await self.relay.disconnect(pid)
        for pc in self.pcs:
            await pc.close()


@dataclass(frozen=True, slots=True)
class Window:
    """What one page received over a window."""

    seconds: float
    video_frames: int
    video_bytes: int
    video_slots_fed: int
    """Video slots that decoded at least one frame."""
    concealed: int
    samples: int

    @property
    def fps(self) -> float:
        return self.video_frames / self.seconds

    @property
    def video_kbps(self) -> float:
        return 8 * self.video_bytes / self.seconds / 1000

    @property
    def concealment(self) -> float:
        return self.concealed / self.samples if self.samples else float("nan")


async def window(page: Page, audio_of: str, seconds: float) -> Window:
    """``page``'s video over all its video slots, and its audio from ``audio_of``."""
    before = await slot_stats(page)
    started = time.monotonic()
    await asyncio.sleep(seconds)
    after = await slot_stats(page)
    took = time.monotonic() - started
    return _between(before, after, audio_of, took)


def _between(
    before: list[dict[str, Any]], after: list[dict[str, Any]], audio_of: str, seconds: float
) -> Window:
    frames = size = fed = 0
    for b, a in zip(before, after, strict=True):
        if a["kind"] == "video":
            grew = a["framesDecoded"] - b["framesDecoded"]
            frames += max(0, grew)
            size += max(0, a["bytesReceived"] - b["bytesReceived"])
            fed += grew > 0
    a0, a1 = stat_of(before, "audio", audio_of), stat_of(after, "audio", audio_of)
    concealed = samples = 0
    if a0 is not None and a1 is not None:
        concealed = a1["concealedSamples"] - a0["concealedSamples"]
        samples = a1["totalSamplesReceived"] - a0["totalSamplesReceived"]
    return Window(seconds, frames, size, fed, concealed, samples)


@dataclass(frozen=True, slots=True)
class ThinLinkResult:
    member_before: Window
    chair_before: Window
    member_capped: Window
    chair_capped: Window
    links_seen: tuple[str, ...]
    """What the member page said of its link while capped (``slots.link``)."""
    notice: str
    """The member page's notice text while capped (empty: none shown)."""
    back_after: float | None
    """Seconds from lifting the cap until the member decoded as many frames a second as
    before (90 %) over all its video slots; ``None``: not within the time allowed."""
    relay_line: str

    @property
    def chair_ratio(self) -> float:
        return self.chair_capped.fps / self.chair_before.fps if self.chair_before.fps else 0.0


async def thin_link(
    chair: Page,
    member: Page,
    relay: MeetingRelay,
    shaper: Shaper,
    *,
    window_seconds: float = 20.0,
    settle_seconds: float = 10.0,
    recover_within: float = 30.0,
    while_capped: Callable[[], Awaitable[None]] | None = None,
) -> ThinLinkResult:
    """Baseline, then the member's downlink capped at 256 kbit/s, then the cap lifted."""
    chair_id = (await state(chair))["participantId"]
    member_id = (await state(member))["participantId"]
    before = relay.stats()
    before_line = ", ".join(
        f"{who} {before.participant(pid).link} "
        f"{before.participant(pid).sent_bps / 1000:.0f} kbit/s sent"
        for who, pid in (("member", member_id), ("chair", chair_id))
    )
    member_before, chair_before = await asyncio.gather(
        window(member, chair_id, window_seconds), window(chair, member_id, window_seconds)
    )
    shaper.set_profiles(uplink=LinkProfile(), downlink=LinkProfile(rate_bps=CAP_BPS))
    links: set[str] = set()
    deadline = time.monotonic() + settle_seconds
    while time.monotonic() < deadline:
        links.add(str((await state(member)).get("link", "full")))
        await asyncio.sleep(0.5)

    async def watch() -> None:
        while True:
            links.add(str((await state(member)).get("link", "full")))
            await asyncio.sleep(0.5)

    watcher = asyncio.create_task(watch())
    try:
        member_capped, chair_capped = await asyncio.gather(
            window(member, chair_id, window_seconds), window(chair, member_id, window_seconds)
        )
    finally:
        watcher.cancel()
    notice = (await member.text_content("#link") or "").strip()
    if await member.is_hidden("#link"):
        notice = ""
    if while_capped is not None:
        await while_capped()
    stats = relay.stats().participant(member_id)
    estimate = "off" if stats.downlink_bps is None else f"{stats.downlink_bps / 1000:.0f} kbit/s"
    relay_line = (
        f"relay before the cap: {before_line}; relay to the member while capped: link "
        f"{stats.link}, estimate {estimate}, sent "
        f"{stats.sent_bps / 1000:.0f} kbit/s, video frames left out {stats.thinned_video_frames}, "
        f"RED repeats {stats.audio_redundancy}; shaper queue drops "
        f"{shaper.downlink_stats.queue_drops}"
    )
    shaper.set_profiles(uplink=LinkProfile(), downlink=LinkProfile())
    lifted = time.monotonic()
    back_after: float | None = None
    previous = await slot_stats(member)
    previous_at = time.monotonic()
    while time.monotonic() - lifted < recover_within:
        await asyncio.sleep(1.0)
        now = await slot_stats(member)
        now_at = time.monotonic()
        w = _between(previous, now, chair_id, now_at - previous_at)
        previous, previous_at = now, now_at
        if w.fps >= 0.9 * member_before.fps and w.video_slots_fed >= member_before.video_slots_fed:
            back_after = previous_at - lifted
            break
    return ThinLinkResult(
        member_before,
        chair_before,
        member_capped,
        chair_capped,
        tuple(sorted(links)),
        notice,
        back_after,
        relay_line,
    )


def describe(label: str, r: ThinLinkResult) -> str:
    back = "not within the time allowed" if r.back_after is None else f"{r.back_after:.1f} s"
    return (
        f"{label}: member before {r.member_before.fps:.1f} fps on "
        f"{r.member_before.video_slots_fed} slots ({r.member_before.video_kbps:.0f} kbit/s), "
        f"capped {r.member_capped.fps:.1f} fps on {r.member_capped.video_slots_fed} slots "
        f"({r.member_capped.video_kbps:.0f} kbit/s); member conceals the chair "
        f"{100 * r.member_before.concealment:.1f} % before, "
        f"{100 * r.member_capped.concealment:.1f} % capped; chair receives "
        f"{r.chair_before.fps:.1f} fps before, {r.chair_capped.fps:.1f} capped "
        f"({100 * r.chair_ratio:.0f} %); page said {', '.join(r.links_seen)} "
        f"({r.notice or 'no notice'}); full video again {back} after the cap lifted. "
        f"{r.relay_line}"
    )
