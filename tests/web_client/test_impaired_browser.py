"""A Chromium member behind a userspace shaper (``tests/impair.py``): the path is cut for 20 s and
restored, then for 40 s (beyond the relay's 30 s consent timeout, so only a fresh connection can
help); the page recovers its media by itself, without the lobby, in one attendance interval.

The member's page gets an init script that rewrites its offer's candidates to the shaper's
relay-facing port and the relay's answer to the shaper's member port, and tells the test where
the relay listens (``thin_link.shaped_meeting``; ``docs/media.md``, "Impaired links in
tests").
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import Page

from server import appkeys
from server.storage.attendance import of_meeting
from tests.impair import GilbertElliott, LinkProfile, Shaper
from tests.server.meeting.support import Cell
from tests.web_client.test_meeting_browser import (
    server,  # noqa: F401 (the fixture)
    slot_stats,
    stat_of,
    state,
    until,
)
from tests.web_client.thin_link import shaped_meeting

pytestmark = [pytest.mark.browser, pytest.mark.timeout(200)]

CUT_SECONDS = 20.0
LONG_CUT_SECONDS = 40.0
BACK_WITHIN = 5.0

#: what the page's camera sender is doing (why it might not send)
OUTBOUND_VIDEO = """async () => {
  const out = [];
  (await window.hopchibo.peerStats()).forEach((s) => {
    const pair = s.type === 'candidate-pair' && s.nominated;
    if ((s.type === 'outbound-rtp' && s.kind === 'video') || pair) {
      out.push(JSON.stringify(s));
    }
  });
  return out;
}"""


async def _flowing(page: Page, pid: str) -> bool:
    """The chair's video and audio grow at the member across a quarter second."""
    before = await slot_stats(page)
    await asyncio.sleep(0.25)
    after = await slot_stats(page)
    for kind, field in (("video", "framesDecoded"), ("audio", "bytesReceived")):
        a, b = stat_of(before, kind, pid), stat_of(after, kind, pid)
        if a is None or b is None or b[field] <= a[field]:
            return False
    return True


async def test_member_page_recovers_after_the_path_is_cut(
    server: tuple[str, Cell, web.Application],  # noqa: F811
    tmp_path: Path,
    chromium_path: str,
) -> None:
    base, cell, app = server
    sat = LinkProfile(delay=0.05)
    shaper = await Shaper(uplink=sat, downlink=sat).start()
    async with shaped_meeting(base, cell, shaper, tmp_path, chromium_path) as (chair, member):
        chair_id = (await state(chair))["participantId"]
        member_id = (await state(member))["participantId"]
        await until("media at the member", lambda: _flowing(member, chair_id), 30)
        await asyncio.sleep(3)
        assert shaper.downlink_stats.delivered > 100, "the member's media crosses the shaper"
        log_before = len((await state(member))["log"])

        shaper.cut = True
        await asyncio.sleep(CUT_SECONDS)
        assert not await _flowing(member, chair_id)
        shaper.cut = False
        restored = time.monotonic()
        await until("media back at the member", lambda: _flowing(member, chair_id), 15)
        back_after = time.monotonic() - restored
        print(f"media back {back_after:.1f} s after a {CUT_SECONDS:.0f} s cut")
        assert back_after <= BACK_WITHIN

        after: dict[str, Any] = await state(member)
        new_log = after["log"][log_before:]
        assert "ui.status.ice_restart" in new_log, new_log
        assert "ui.status.lobby" not in new_log and "ui.status.rejoining" not in new_log
        assert after["admitted"] and after["participantId"] == member_id
        assert after["mediaRestarts"] >= 1
        await member.wait_for_function(
            "() => window.hopchibo.state.status.key === 'ui.status.connected'", timeout=5_000
        )
        assert "Đã kết nối" in (await member.text_content("#status") or "")

        # cut beyond the relay's consent timeout (30 s): the old connection is gone for good,
        # only a fresh one (the page's own restart) brings media back
        shaper.cut = True
        await asyncio.sleep(LONG_CUT_SECONDS)
        shaper.cut = False
        restored = time.monotonic()
        await until("media back after a long cut", lambda: _flowing(member, chair_id), 15)
        long_back = time.monotonic() - restored
        print(f"media back {long_back:.1f} s after a {LONG_CUT_SECONDS:.0f} s cut")
        assert long_back <= BACK_WITHIN
        assert (await state(member))["admitted"]

        # one online attendance interval for the member, still open
        async with app[appkeys.DB].session() as s:
            rows = [
                r
                for r in await of_meeting(s, cell.meeting_id)
                if r.member_id == cell.people["member"].member_id and r.way == "online"
            ]
        assert len(rows) == 1 and rows[0].left_at is None, rows


PATH_CHANGE_WITHIN = 3.0
#: the member's video at the chair, after the path change (a gap skipped after 1 s, a keyframe)
VIDEO_WITHIN = 6.0


async def test_member_media_follows_a_path_change(
    server: tuple[str, Cell, web.Application],  # noqa: F811
    tmp_path: Path,
    chromium_path: str,
) -> None:
    """The member's transport moves to a new address (ship Wi-Fi to 4G near port, a NAT
    rebinding: ``Shaper.rebind``): media is back within 3 s, in one attendance interval.
    The member's video reaches the chair again too."""
    base, cell, app = server
    link = LinkProfile(delay=0.05)
    shaper = await Shaper(uplink=link, downlink=link).start()
    async with shaped_meeting(base, cell, shaper, tmp_path, chromium_path) as (chair, member):
        chair_id = (await state(chair))["participantId"]
        member_id = (await state(member))["participantId"]
        await until("media at the member", lambda: _flowing(member, chair_id), 30)
        await asyncio.sleep(3)

        shaper.rebind()
        moved = time.monotonic()
        await until("media back after the path change", lambda: _flowing(member, chair_id), 15)
        back_after = time.monotonic() - moved
        print(f"media back at the member {back_after:.1f} s after the path change")
        assert back_after <= PATH_CHANGE_WITHIN

        # the chair hears the member again within the same 3 s
        async def chair_hears_member() -> bool:
            before = stat_of(await slot_stats(chair), "audio", member_id)
            await asyncio.sleep(0.25)
            after = stat_of(await slot_stats(chair), "audio", member_id)
            return bool(before and after and after["bytesReceived"] > before["bytesReceived"])

        await until("the member's audio at the chair", chair_hears_member, PATH_CHANGE_WITHIN)
        after: dict[str, Any] = await state(member)
        assert after["admitted"] and after["participantId"] == member_id
        async with app[appkeys.DB].session() as s:
            rows = [
                r
                for r in await of_meeting(s, cell.meeting_id)
                if r.member_id == cell.people["member"].member_id and r.way == "online"
            ]
        assert len(rows) == 1 and rows[0].left_at is None, rows

        # the member's video at the chair: Chromium sends it throughout, but the relay's video
        # jitter buffer waited on a packet lost in the change (its NACK went to the old
        # address) until 512 packets had come; the relay now skips such a gap after 1 s
        async def chair_sees_member() -> bool:
            return await _flowing(chair, member_id)

        try:
            await until("the member's video at the chair", chair_sees_member, VIDEO_WITHIN)
        except AssertionError:
            print(await member.evaluate(OUTBOUND_VIDEO))
            live = app[appkeys.LIVE].get(cell.meeting_id)
            assert live is not None
            print(live.relay.stats().participant(member_id))
            raise
        print(f"the member's video at the chair {time.monotonic() - moved:.1f} s after")


#: issue #16's targets for what a member at sea hears: concealed samples over all received
RANDOM_LOSS_WITHIN = 0.05
BURSTY_LOSS_WITHIN = 0.10
#: the chair conceals the lossy member's voice within 2x what the member conceals of the chair,
#: or this (the member often conceals 0.0 %; measured 0.0-0.7 % at the chair on a quiet machine)
CHAIR_HEARS_FLOOR = 0.03
SETTLE_SECONDS = 5.0
WINDOW_SECONDS = 20.0
HOLD_SECONDS = 70.0


async def _audio(page: Page, pid: str) -> dict[str, Any]:
    stats = stat_of(await slot_stats(page), "audio", pid)
    assert stats is not None, f"no audio slot for {pid}"
    return stats


async def _audio_flows(page: Page, pid: str) -> bool:
    before = await _audio(page, pid)
    await asyncio.sleep(0.5)
    return bool((await _audio(page, pid))["bytesReceived"] > before["bytesReceived"])


async def _concealed(page: Page, pid: str, seconds: float) -> float:
    """``concealedSamples / totalSamplesReceived`` of ``pid``'s audio at ``page`` over the next
    ``seconds``."""
    before = await _audio(page, pid)
    await asyncio.sleep(seconds)
    after = await _audio(page, pid)
    total: int = after["totalSamplesReceived"] - before["totalSamplesReceived"]
    assert total > 0.5 * 48_000 * seconds, f"{total} samples in {seconds} s"
    concealed: int = after["concealedSamples"] - before["concealedSamples"]
    return concealed / total


#: the loss the relay's RTCP receiver reports tell the member's audio sender (its Opus encoder
#: sizes its FEC by it)
REPORTED_LOSS = """async () => {
  const out = [];
  (await window.hopchibo.peerStats()).forEach((s) => {
    if (s.type === 'remote-inbound-rtp' && s.kind === 'audio') {
      out.push([s.fractionLost, s.packetsLost]);
    }
  });
  return out;
}"""


async def _reported_loss(page: Page, seconds: float) -> list[float]:
    """The loss each new receiver report of the relay told ``page``'s audio sender over the next
    ``seconds``, sampled every half second; a report read twice (same fraction, same cumulative
    count) counts once."""
    seen: list[float] = []
    last: object = None
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        now = await page.evaluate(REPORTED_LOSS)
        if now and now != last:
            seen.append(max(v for v, _ in now))
            last = now
        await asyncio.sleep(0.5)
    return seen


TRANSPORT_STATES = """async () => {
  const out = [];
  (await window.hopchibo.peerStats()).forEach((s) => {
    if (s.type === 'transport') out.push([s.iceState, s.dtlsState]);
  });
  return out;
}"""


@pytest.mark.timeout(420)  # ~100 s on a quiet machine; 270 s was seen at load 50
async def test_member_at_sea_hears_and_is_heard_through_loss(
    server: tuple[str, Cell, web.Application],  # noqa: F811
    tmp_path: Path,
    chromium_path: str,
    speech_wav: Path,
) -> None:
    """A Chromium member behind a geostationary link (300 ms each way) speaking with the chair
    (both play speech-like audio): at 20 % random loss each way the member conceals ≤ 5 % of
    the chair's audio, at 30 % bursty loss ≤ 10 %, and the chair conceals the member's voice
    within 2 × what the member conceals (or 3 %). The relay repeats earlier frames to the member
    (RED) as its reports show loss, rebuilds the member's lost frames from its RED, asks for
    the rest again (NACK) and has the chair hold the member's audio a round trip for them, and
    tells the member's encoder the loss it sees.
    The link stays up throughout (over a minute at 600 ms RTT; aioice alone dropped it at
    30-35 s) without a page restart. bench/sea.py gives the same figures with FEC/RED off."""
    base, cell, app = server
    sat = LinkProfile(delay=0.3)
    shaper = await Shaper(uplink=sat, downlink=sat, seed=16).start()
    async with shaped_meeting(base, cell, shaper, tmp_path, chromium_path, wav=speech_wav) as pages:
        chair, member = pages
        behind_since = time.monotonic()
        chair_id = (await state(chair))["participantId"]
        member_id = (await state(member))["participantId"]

        async def both_hear() -> bool:
            a = stat_of(await slot_stats(member), "audio", chair_id)
            b = stat_of(await slot_stats(chair), "audio", member_id)
            return bool(a and b and a["totalSamplesReceived"] and b["totalSamplesReceived"])

        await until("audio both ways over the satellite link", both_hear, 40)
        live = app[appkeys.LIVE].get(cell.meeting_id)
        assert live is not None

        random20 = LinkProfile(delay=0.3, loss=0.2)
        shaper.set_profiles(uplink=random20, downlink=random20)
        await asyncio.sleep(SETTLE_SECONDS)
        member_hears, chair_hears, reported = await asyncio.gather(
            _concealed(member, chair_id, WINDOW_SECONDS),
            _concealed(chair, member_id, WINDOW_SECONDS),
            _reported_loss(member, WINDOW_SECONDS),
        )
        relay = live.relay.stats()
        hold = await member.evaluate("window.hopchibo.audioHold()")
        chair_hold = await chair.evaluate("window.hopchibo.audioHold()")
        speaker = relay.participant(member_id)
        print(
            f"the member's uplink: {speaker.nacked_audio_packets} audio packets asked again, "
            f"{speaker.late_audio_frames} forwarded late; loss measured "
            f"{speaker.uplink_audio_loss:.2f}, hold {speaker.audio_hold_ms} ms; the chair holds "
            f"(ms) {chair_hold}"
        )
        print(
            f"20 % random loss: member conceals {100 * member_hears:.1f} %, chair "
            f"{100 * chair_hears:.1f} %; RED repeats to the member "
            f"{relay.participant(member_id).audio_redundancy}, member frames rebuilt "
            f"{relay.participant(member_id).recovered_audio_frames}, sent again after a pause "
            f"{relay.participant(member_id).quiet_audio_resends}; loss the relay "
            f"reports to the member's sender {reported}; audio held (ms) {hold}"
        )
        # the page holds audio for the repeats once it sees the loss (Chromium honours the hint)
        assert hold and all(h == 120 for h in hold), hold
        # and the member is told: the link shown as poor (the loss of the last seconds)
        shown = (await state(member))["quality"]
        assert shown["quality"] == "poor" and shown["loss"] >= 8, shown
        assert member_hears <= RANDOM_LOSS_WITHIN
        # the member's lost packets are asked for again and come a round trip late; the chair
        # holds the member's audio that long (and only the member's), so the chair hears the
        # member about as well as the member hears the chair (issue #16: within 2x; a floor
        # for the windows in which the member conceals nothing at all)
        assert chair_hears <= max(2 * member_hears, CHAIR_HEARS_FLOOR)
        assert speaker.late_audio_frames > 0 and speaker.audio_hold_ms >= 600
        member_slot = (await state(chair))["slots"]["audio"].index(member_id)
        assert chair_hold[member_slot] == speaker.audio_hold_ms
        assert all(h is None for i, h in enumerate(chair_hold) if i != member_slot), chair_hold
        assert relay.participant(member_id).audio_redundancy >= 3
        assert relay.participant(member_id).recovered_audio_frames > 0
        # the chair's pauses (DTX: a frame every 400 ms) are sent again: no repeat reaches them
        assert relay.participant(member_id).quiet_audio_resends > 0
        # each report covers one RTCP interval (a second or so of speech, fewer packets in its
        # pauses), so a single report can read 5 % at 20 % loss: the middle of the window's is
        # the relay's account of the link
        assert len(reported) >= 5 and 0.08 <= statistics.median(reported) <= 0.4, reported

        bursty = LinkProfile(delay=0.3, bursty=GilbertElliott.with_mean(0.3, 3.0))
        shaper.set_profiles(uplink=bursty, downlink=bursty)
        await asyncio.sleep(SETTLE_SECONDS)
        member_hears = await _concealed(member, chair_id, WINDOW_SECONDS)
        print(f"30 % bursty loss: member conceals {100 * member_hears:.1f} %")
        assert member_hears <= BURSTY_LOSS_WITHIN

        # twice the 30-35 s after which aioice alone dropped a 600 ms RTT link
        shaper.set_profiles(uplink=random20, downlink=random20)
        await asyncio.sleep(max(0.0, HOLD_SECONDS - (time.monotonic() - behind_since)))
        await until(
            "the chair's audio still at the member", lambda: _audio_flows(member, chair_id), 5
        )
        held = time.monotonic() - behind_since
        print(f"connected behind 600 ms RTT for {held:.0f} s")
        after: dict[str, Any] = await state(member)
        assert after["mediaRestarts"] == 0 and "ui.status.ice_restart" not in after["log"]
        assert after["status"]["key"] == "ui.status.connected"
        assert await member.evaluate(TRANSPORT_STATES) == [["connected", "connected"]]
