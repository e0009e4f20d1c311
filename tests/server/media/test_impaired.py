"""The relay with a member behind an impaired link (``tests/impair.py``): real aiortc peers.

A geostationary satellite link is ~300 ms each way. aioice's own consent checks give up on such a
link after ~30 s ("Consent to send expired"); the relay's (and these peers') replace them.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from server.media.passthrough import CONSENT_TIMEOUT, ConsentFreshness, tolerate_long_round_trips
from server.media.relay import MeetingRelay, PeerStateChanged, RelayConfig
from tests.impair import GilbertElliott, LinkProfile, Shaper
from tests.server.media.peers import BLUE, LOUD_TEST_AMPLITUDE, RED, Client, EventLog, wait_for

pytestmark = [pytest.mark.media]

#: well past the ~30-35 s after which aioice's own consent checks drop a 600 ms-RTT link
HOLD_SECONDS = 50.0


def _states(events: EventLog, pid: str) -> list[str]:
    return [
        e.state
        for e in events.events
        if isinstance(e, PeerStateChanged) and e.participant_id == pid
    ]


@pytest.mark.timeout(120)
async def test_member_behind_a_satellite_round_trip_stays_connected() -> None:
    events = EventLog()
    relay = MeetingRelay(RelayConfig(add_loopback_candidate=True), on_event=events)
    chair = Client("chair", RED, LOUD_TEST_AMPLITUDE)
    member = Client("member", BLUE, LOUD_TEST_AMPLITUDE)
    sat = LinkProfile(delay=0.3)
    shaper = await Shaper(uplink=sat, downlink=sat).start()
    try:
        await chair.join(relay)
        await member.join(relay, via=shaper)
        await wait_for(lambda: "connected" in _states(events, "member"), 20, "member connected")
        await wait_for(lambda: member.video[0].frames > 0, 20, "member decodes the chair")
        # Opus FEC and DTX answered on every audio m-line (3 slots)
        assert member.pc.remoteDescription.sdp.count("useinbandfec=1;usedtx=1") == 3
        start = time.monotonic()
        while time.monotonic() - start < HOLD_SECONDS:
            await asyncio.sleep(1)
            assert _states(events, "member")[-1] == "connected", _states(events, "member")
        frames = member.video[0].frames
        audio = member.audio[0].frames
        await asyncio.sleep(2)
        assert member.video[0].frames > frames, "video still flows to the member"
        assert member.audio[0].frames > audio, "audio still flows to the member"
        assert member.pc.connectionState == "connected"
        stats = relay.stats().participant("chair")
        assert stats.received_audio_frames > 0
        # the relay's consent checks measured the link
        relay_side = _relay_consent(relay, "member")
        assert relay_side.answers >= 5
        assert relay_side.srtt is not None and 0.55 < relay_side.srtt < 0.9
        assert shaper.uplink_stats.delivered > 1000
    finally:
        await member.close()
        await chair.close()
        await relay.close()
        shaper.close()


@pytest.mark.timeout(150)
async def test_consent_survives_loss_bursts_and_expires_on_a_cut() -> None:
    """30 % bursty loss at a 600 ms RTT keeps consent; a path cut for longer than 30 s ends it
    (RFC 7675), and only then."""
    events = EventLog()
    relay = MeetingRelay(RelayConfig(add_loopback_candidate=True), on_event=events)
    member = Client("member", BLUE, LOUD_TEST_AMPLITUDE)
    chair = Client("chair", RED, LOUD_TEST_AMPLITUDE)

    def lossy() -> LinkProfile:
        return LinkProfile(delay=0.3, bursty=GilbertElliott.with_mean(0.3, burst=4))

    def long() -> LinkProfile:
        return LinkProfile(delay=0.3)

    # connect over the long path first (what is under test is consent, not the handshake, whose
    # retransmission backoff through 30 % bursts can take longer than a test should wait)
    shaper = await Shaper(uplink=long(), downlink=long(), seed=7).start()
    try:
        await chair.join(relay)
        await member.join(relay, via=shaper)
        await wait_for(lambda: "connected" in _states(events, "member"), 30, "member connected")
        shaper.set_profiles(lossy(), lossy())
        await asyncio.sleep(25)
        assert _states(events, "member")[-1] == "connected"
        consent = _relay_consent(relay, "member")
        assert consent.answers >= 3
        shaper.cut = True
        cut_at = time.monotonic()
        await wait_for(
            lambda: _states(events, "member")[-1] != "connected",
            CONSENT_TIMEOUT + 12,
            "the relay gives up on a dead path",
        )
        # consent was last confirmed up to one round (≤ 6 s) before the cut
        assert time.monotonic() - cut_at >= CONSENT_TIMEOUT - 7
        assert consent.expired
    finally:
        await member.close()
        await chair.close()
        await relay.close()
        shaper.close()


def _relay_consent(relay: MeetingRelay, pid: str) -> ConsentFreshness:
    pc = relay._participants[pid].peer.pc  # the test looks inside the relay on purpose
    assert pc is not None
    (freshness,) = tolerate_long_round_trips(pc)  # idempotent: returns the installed one
    return freshness


@pytest.mark.timeout(90)
@pytest.mark.parametrize("nack", [False, True], ids=["without_nack", "with_nack"])
async def test_audio_forwarded_as_it_arrives_from_a_lossy_uplink(nack: bool) -> None:
    """20 % loss on the publisher's uplink: the relay forwards about 80 % of its audio packets
    as they come (aiortc's jitter buffer, which drops what is queued behind a gap, forwarded
    ~29 %); asking for the lost ones again (NACK, ``repair.py``) brings most of the rest, late,
    and the chair is told to hold the member's audio for them."""
    events = EventLog()
    relay = MeetingRelay(RelayConfig(add_loopback_candidate=True, audio_nack=nack), events)
    chair = Client("chair", None, None)
    member = Client("member", None, LOUD_TEST_AMPLITUDE)
    shaper = await Shaper(uplink=LinkProfile(delay=0.05, loss=0.2), seed=3).start()
    try:
        await chair.join(relay)
        await member.join(relay, via=shaper)
        await wait_for(
            lambda: relay.stats().participant("chair").audio_slots[0] == "member", 20, "slot"
        )
        await wait_for(lambda: chair.audio[0].frames > 0, 20, "the chair hears the member")
        await asyncio.sleep(15)
        sent = _packets_sent(await member.pc.getTransceivers()[0].sender.getStats())
        forwarded = relay.stats().participant("chair").forwarded_audio_packets
        stats = relay.stats().participant("member")
        print(
            f"20 % uplink loss, NACK {'on' if nack else 'off'}: {forwarded} of {sent} audio "
            f"packets forwarded ({stats.late_audio_frames} late of {stats.nacked_audio_packets} "
            f"asked again); uplink loss {stats.uplink_audio_loss:.2f}, hold "
            f"{stats.audio_hold_ms} ms"
        )
        if nack:
            # a retransmission crosses the lossy leg too: about 0.8 of what is asked comes
            assert stats.late_audio_frames >= 0.6 * stats.nacked_audio_packets > 0
            assert forwarded >= 0.92 * sent
            assert 0.1 <= stats.uplink_audio_loss <= 0.3
            assert stats.audio_hold_ms >= 200  # 100 ms round trip and the margin
            told = events.slots("chair")
            assert told is not None and told.audio[0] == "member"
            assert told.audio_hold[0] == stats.audio_hold_ms
        else:
            assert 0.7 * sent <= forwarded <= 0.9 * sent
            assert stats.late_audio_frames == stats.nacked_audio_packets == 0
            assert stats.audio_hold_ms == 0
            told = events.slots("chair")
            assert told is not None and not any(told.audio_hold)
    finally:
        await member.close()
        await chair.close()
        await relay.close()
        shaper.close()


def _packets_sent(report: Any) -> int:
    total = 0
    for stats in report.values():
        if getattr(stats, "type", "") == "outbound-rtp":
            total += int(stats.packetsSent)
    return total
