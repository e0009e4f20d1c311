"""MeetingRelay with real aiortc peers on loopback (no mocks)."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiortc import RTCSessionDescription

from server.media.relay import (
    ActiveSpeakers,
    MeetingRelay,
    PeerStateChanged,
    RelayConfig,
    SlotsChanged,
)
from tests.server.media.peers import BLUE, GREEN, RED, Client, Colour, EventLog, wait_for
from tests.server.media.test_offer import FIREFOX_OFFER, SAFARI_OFFER

pytestmark = [pytest.mark.media, pytest.mark.timeout(30)]

LOUD = 16_000  # about -9 dBov
SPEECH = 300  # about -44 dBov: speech, but quieter


class Meeting:
    def __init__(self, config: RelayConfig) -> None:
        self.log = EventLog()
        self.relay = MeetingRelay(config, on_event=self.log)
        self.config = config
        self.clients: dict[str, Client] = {}

    async def join(
        self,
        name: str,
        colour: Colour | None,
        amplitude: int | None,
        *,
        audio_only: bool = False,
    ) -> Client:
        client = Client(
            name,
            colour,
            amplitude,
            audio_slots=self.config.audio_slots,
            video_slots=self.config.video_slots,
        )
        self.clients[name] = client
        await client.join(self.relay, audio_only=audio_only)
        return client

    async def close(self) -> None:
        await self.relay.close()
        await asyncio.gather(*(c.close() for c in self.clients.values()))


@pytest.fixture
async def meeting_factory(caplog: pytest.LogCaptureFixture) -> AsyncIterator[list[Meeting]]:
    caplog.set_level(logging.WARNING)
    meetings: list[Meeting] = []
    yield meetings
    for meeting in meetings:
        await meeting.close()
    # subscribers' VP8 decoders never saw a frame they could not decode (no delta frame before
    # a keyframe after a source switch), and the relay logged no errors
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not problems, problems


def new_meeting(meetings: list[Meeting], **config: int) -> Meeting:
    meeting = Meeting(RelayConfig(add_loopback_candidate=True, **config))  # type: ignore[arg-type]
    meetings.append(meeting)
    return meeting


COLOURS = {"a": RED, "b": GREEN, "c": BLUE}


def shows(client: Client, slot: int, publisher: str) -> bool:
    view = client.video[slot]
    return view.frames > 0 and view.last_uv is not None and COLOURS[publisher].near(*view.last_uv)


async def test_each_subscriber_decodes_the_others_on_the_announced_slots(
    meeting_factory: list[Meeting],
) -> None:
    m = new_meeting(meeting_factory)
    for name in ("a", "b", "c"):
        await m.join(name, COLOURS[name], SPEECH)

    def all_see_colours() -> bool:
        for name, client in m.clients.items():
            event = m.log.slots(name)
            if event is None:
                return False
            sources = [s for s in event.video if s is not None]
            if sorted(sources) != sorted(set(COLOURS) - {name}):
                return False
            for slot, source in enumerate(event.video):
                if source is not None and not shows(client, slot, source):
                    return False
        return True

    await wait_for(all_see_colours, 15, "every subscriber decoding the others' colours")

    def all_hear_the_others() -> bool:
        for name, client in m.clients.items():
            event = m.log.slots(name)
            assert event is not None
            assert name not in event.audio
            heard = [client.audio[i].frames for i, s in enumerate(event.audio) if s is not None]
            assert len(heard) == 2
            if not all(n > 0 for n in heard):
                return False
        return True

    await wait_for(all_hear_the_others, 5, "every subscriber hearing the other two")
    for name, client in m.clients.items():
        event = m.log.slots(name)
        assert event is not None
        assert name not in event.video
        # slots without a source stay silent
        assert all(client.video[i].frames == 0 for i, s in enumerate(event.video) if s is None)
    stats = m.relay.stats()
    assert stats.forwarded_streams == 3 * 4
    assert all(p.forwarded_video_packets > 0 for p in stats.participants)
    assert any(isinstance(e, PeerStateChanged) and e.state == "connected" for e in m.log.events)


async def test_late_joiner_gets_a_keyframe_quickly_and_plis_are_coalesced(
    meeting_factory: list[Meeting],
) -> None:
    from server.media.passthrough import on_keyframe_request

    m = new_meeting(meeting_factory, video_slots=2, audio_slots=2)
    a = await m.join("a", RED, SPEECH)
    plis_at_a: list[float] = []
    loop = asyncio.get_running_loop()
    on_keyframe_request(a.transceivers[1].sender, lambda: plis_at_a.append(loop.time()))
    b = await m.join("b", GREEN, SPEECH)
    await wait_for(lambda: shows(b, 0, "a"), 10, "b decoding a")
    # aiortc's VP8 encoder makes a keyframe every 3000 frames: without a forwarded PLI a late
    # joiner would wait minutes
    await asyncio.sleep(1.0)
    c = await m.join("c", BLUE, SPEECH)
    joined = loop.time()
    slot = m.log.slots("c")
    assert slot is not None and "a" in slot.video
    took = await wait_for(lambda: shows(c, slot.video.index("a"), "a"), 5, "c decoding a")
    assert took < 1.5  # 0.16 s on the development machine
    assert any(t >= joined - 0.1 for t in plis_at_a), "the late join caused no PLI at a"

    # a burst of subscriber PLIs (what browsers send on loss) reaches a coalesced
    before = m.relay.stats().participant("a")
    received_before = len(plis_at_a)
    for subscriber in (b, c):
        event = m.log.slots(subscriber.name)
        assert event is not None
        receiver = subscriber.video_transceivers()[event.video.index("a")].receiver
        (source,) = receiver.getSynchronizationSources()
        for _ in range(10):
            await receiver._send_rtcp_pli(source.source)
    await wait_for(
        lambda: (
            m.relay.stats().participant("a").keyframe_requests_to_publisher
            >= before.keyframe_requests_to_publisher + 20
        ),
        5,
        "the relay seeing 20 subscriber PLIs",
    )
    await asyncio.sleep(0.7)
    after = m.relay.stats().participant("a")
    upstream = after.plis_to_publisher - before.plis_to_publisher
    assert 1 <= upstream <= 3, upstream
    assert sum(p.keyframe_requests_received for p in m.relay.stats().participants) >= 20
    assert 1 <= len(plis_at_a) - received_before <= 3
    gaps = [t2 - t1 for t1, t2 in itertools.pairwise(plis_at_a)]
    assert all(g > 0.25 for g in gaps), gaps


async def test_disconnect_stops_forwarding_and_emits_slots_changed(
    meeting_factory: list[Meeting],
) -> None:
    m = new_meeting(meeting_factory, video_slots=2, audio_slots=2)
    a = await m.join("a", RED, SPEECH)
    await m.join("b", GREEN, SPEECH)
    await m.join("c", BLUE, SPEECH)
    event = m.log.slots("a")
    assert event is not None
    c_slot = event.video.index("c")
    await wait_for(lambda: shows(a, c_slot, "c"), 10, "a decoding c")
    count = len(m.log.events)

    await m.relay.disconnect("c")

    after = m.log.slots("a")
    assert after is not None and "c" not in after.video and "c" not in after.audio
    assert after.video[c_slot] is None
    assert any(
        isinstance(e, SlotsChanged) and e.participant_id == "b" for e in m.log.events[count:]
    )
    assert "c" not in [p.participant_id for p in m.relay.stats().participants]
    frozen = a.video[c_slot].frames
    await asyncio.sleep(1.0)
    assert a.video[c_slot].frames <= frozen + 2  # at most what was in flight
    assert shows(a, after.video.index("b"), "b")
    await m.relay.disconnect("c")  # idempotent


async def test_audio_only_subscriber_gets_no_video(meeting_factory: list[Meeting]) -> None:
    m = new_meeting(meeting_factory, video_slots=2, audio_slots=2)
    a = await m.join("a", RED, SPEECH)
    await m.join("b", GREEN, SPEECH)
    c = await m.join("c", None, SPEECH, audio_only=True)
    await wait_for(lambda: shows(a, 0, "b"), 10, "a decoding b")
    await wait_for(lambda: all(v.frames > 10 for v in c.audio), 10, "c hearing a and b")
    event = m.log.slots("c")
    assert event is not None and event.video == (None, None)
    assert sorted(s for s in event.audio if s) == ["a", "b"]
    assert all(v.frames == 0 for v in c.video)
    assert m.relay.stats().participant("c").forwarded_video_packets == 0

    m.relay.set_audio_only("c", False)
    await wait_for(lambda: shows(c, 0, "a") or shows(c, 0, "b"), 5, "c decoding video")


async def test_chair_mute_is_enforced_in_the_relay(meeting_factory: list[Meeting]) -> None:
    m = new_meeting(meeting_factory, video_slots=1, audio_slots=1)
    a = await m.join("a", RED, SPEECH)
    await m.join("b", GREEN, SPEECH)
    await wait_for(lambda: a.audio[0].frames > 10, 10, "a hearing b")
    m.relay.set_publisher_muted("b", "audio", True)  # b's client keeps sending
    await wait_for(
        lambda: m.log.slots("a") == SlotsChanged("a", video=("b",), audio=(None,)),
        5,
        "b's audio taken off a's slot",
    )
    before = m.relay.stats().participant("a").forwarded_audio_packets
    await asyncio.sleep(0.5)
    assert m.relay.stats().participant("a").forwarded_audio_packets == before
    assert m.relay.stats().participant("b").received_audio_frames > 0
    m.relay.set_publisher_muted("b", "audio", False)
    await wait_for(
        lambda: m.relay.stats().participant("a").forwarded_audio_packets > before,
        5,
        "b heard again",
    )


async def test_muted_publisher_does_not_stall_others(meeting_factory: list[Meeting]) -> None:
    m = new_meeting(meeting_factory, video_slots=1, audio_slots=2)
    a = await m.join("a", RED, SPEECH)
    silent = Client("s", BLUE, SPEECH, audio_slots=2, video_slots=1, muted=True)
    m.clients["s"] = silent
    await silent.join(m.relay)
    b = await m.join("b", GREEN, SPEECH)
    await wait_for(lambda: shows(b, 0, "a"), 10, "b decoding a")
    # a's one video slot: by join order it would be s, whose camera sends nothing; b's camera
    # works, so b takes the slot once the relay has seen b's video
    await wait_for(lambda: shows(a, 0, "b"), 10, "a decoding b")
    assert m.log.slots("a") == SlotsChanged("a", video=("b",), audio=("s", "b"))
    await wait_for(lambda: shows(silent, 0, "a"), 10, "s decoding a")
    frames = (a.video[0].frames, b.video[0].frames)
    await asyncio.sleep(1.0)
    assert a.video[0].frames > frames[0] and b.video[0].frames > frames[1]
    stats = m.relay.stats().participant("s")
    assert stats.received_video_frames == 0 and stats.received_audio_frames == 0
    assert stats.forwarded_video_packets > 0


async def test_active_speaker_is_the_louder_publisher(meeting_factory: list[Meeting]) -> None:
    m = new_meeting(meeting_factory, video_slots=1, audio_slots=1)
    # join order alone would put the quieter b first
    await m.join("b", GREEN, SPEECH)
    await m.join("a", RED, LOUD)
    c = await m.join("c", BLUE, None)

    def loud_wins() -> bool:
        speakers = [e for e in m.log.events if isinstance(e, ActiveSpeakers)]
        event = m.log.slots("c")
        return (
            bool(speakers)
            and speakers[-1].participant_ids[:1] == ("a",)
            and event is not None
            and event.audio == ("a",)
            and event.video == ("a",)
        )

    await wait_for(loud_wins, 10, "a becoming the active speaker for c")
    await wait_for(lambda: shows(c, 0, "a"), 5, "c decoding the active speaker")
    assert m.relay.stats().active_speakers[0] == "a"
    # the loudest speaker never hears themselves: a gets b
    event_a = m.log.slots("a")
    assert event_a is not None and event_a.audio == ("b",)

    # pinning (chair, room camera) beats the active speaker for video, not for audio
    m.relay.set_pinned(["b"])
    event = m.log.slots("c")
    assert event is not None and event.video == ("b",) and event.audio == ("a",)
    await wait_for(lambda: shows(c, 0, "b"), 5, "c decoding the pinned b")


async def test_reconnect_keeps_slots_and_media(meeting_factory: list[Meeting]) -> None:
    m = new_meeting(meeting_factory, video_slots=2, audio_slots=2)
    a = await m.join("a", RED, SPEECH)
    await m.join("b", GREEN, SPEECH)
    await m.join("c", BLUE, SPEECH)
    await wait_for(lambda: shows(a, 0, "b") and shows(a, 1, "c"), 10, "a decoding b and c")
    # pinning c makes the preferred order (c, b); a's slots stay (b, c) as they are stable
    m.relay.set_pinned(["c"])
    before = m.log.slots("a")
    assert before is not None and before.video == ("b", "c")

    # ICE restart / renegotiation: the client makes a new peer connection and offers again
    await a.close()
    again = Client("a", RED, SPEECH, audio_slots=2, video_slots=2)
    m.clients["a"] = again
    events_before = len(m.log.events)
    await again.join(m.relay)
    after = m.log.slots("a")
    assert before is not None and after is not None and after.video == before.video
    await wait_for(lambda: shows(again, 0, "b"), 10, "a decoding b again")
    b = m.clients["b"]
    b_slot = m.log.slots("b")
    assert b_slot is not None
    await wait_for(
        lambda: shows(b, b_slot.video.index("a"), "a"), 10, "b decoding the reconnected a"
    )
    # the old connection may report its closing (the client closed it) before the new offer;
    # once the new one is up, the retired one is silent
    states = [
        e.state
        for e in m.log.events[events_before:]
        if isinstance(e, PeerStateChanged) and e.participant_id == "a"
    ]
    assert states[-2:] == ["connecting", "connected"], states
    assert "closed" not in states[states.index("connecting") :], states
    assert m.relay.stats().participant("a").connection_state == "connected"


async def test_answer_forces_vp8_and_opus_and_caps_slots(meeting_factory: list[Meeting]) -> None:
    m = new_meeting(meeting_factory, video_slots=1, audio_slots=1)
    await m.join("a", RED, SPEECH)
    await m.join("b", GREEN, SPEECH)
    # a client offering more slots than announced
    greedy = Client("g", None, None, audio_slots=3, video_slots=3)
    m.clients["g"] = greedy
    offer = await greedy.offer()
    assert "H264" in offer  # aiortc offers VP8 and H.264
    answer = await m.relay.connect("g", offer)
    rtpmaps = {line.split()[1].split("/")[0] for line in answer.splitlines() if "rtpmap" in line}
    assert rtpmaps == {"opus", "VP8", "rtx"}, rtpmaps
    # complete the negotiation: aiortc logs an unretrieved task error for a peer connection
    # closed while it is still connecting
    await greedy.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    await wait_for(lambda: greedy.pc.connectionState == "connected", 10, "g connected")
    event = m.log.slots("g")
    assert event is not None
    assert len(event.video) == 3 and sum(s is not None for s in event.video) == 1
    assert len(event.audio) == 3 and sum(s is not None for s in event.audio) == 1


def drop_rtp(client: Client, every: int) -> list[int]:
    """Lose every ``every``-th RTP datagram arriving at ``client`` (a lossy satellite link on
    the relay's side of the member), at its sockets, before SRTP. Returns the drop counter."""
    dropped = [0]
    seen = itertools.count(1)
    transport = client.transceivers[0].receiver.transport.transport
    protocols: list[Any] = transport._connection._protocols
    for protocol in protocols:
        original = protocol.datagram_received

        def datagram_received(
            data: bytes, addr: tuple[str, int], _original: Any = original
        ) -> None:
            is_rtp = len(data) > 12 and 128 <= data[0] < 192 and not 192 <= data[1] <= 223
            if is_rtp and next(seen) % every == 0:
                dropped[0] += 1
                return
            _original(data, addr)

        protocol.datagram_received = datagram_received
    return dropped


async def test_a_lossy_subscriber_link_is_repaired_by_retransmission(
    meeting_factory: list[Meeting],
) -> None:
    """A member whose link loses one RTP packet in eight keeps decoding the picture: their
    client's NACKs reach the relay, which resends the packets from its history over RTX."""
    m = new_meeting(meeting_factory, video_slots=1, audio_slots=1)
    await m.join("a", RED, SPEECH)
    far = Client("far", None, None, audio_slots=1, video_slots=1)
    m.clients["far"] = far
    await far.join(m.relay)
    dropped = drop_rtp(far, 8)
    await wait_for(lambda: far.video[0].frames >= 45, 20, "3 s of video over the lossy link")
    assert shows(far, 0, "a")
    stats = m.relay.stats().participant("far")
    assert dropped[0] > 20
    assert stats.lost_packets_reported > 0
    # most losses were repaired by retransmission, not by asking the publisher for keyframes
    assert stats.keyframe_requests_received < dropped[0] / 4


@pytest.mark.parametrize("browser", ["firefox-esr", "safari"])
async def test_relay_answers_firefox_and_safari_offers(browser: str) -> None:
    """Firefox's bundle-only m-lines (port 0) are slots, not rejections; Safari's H.264-first
    list still gets VP8. The offers' candidates lead nowhere: only the answer is checked."""
    offer = FIREFOX_OFFER if browser == "firefox-esr" else SAFARI_OFFER
    log = EventLog()
    relay = MeetingRelay(RelayConfig(add_loopback_candidate=True), on_event=log)
    try:
        answer = await relay.connect("b", offer)
    finally:
        await relay.close()
    sections = answer.split("m=")[1:]
    assert [s.split()[0] for s in sections] == ["audio", "video", "audio", "video"]
    assert all(s.split()[1] != "0" for s in sections), "an m-line was rejected"
    rtpmaps = {line.split()[1].split("/")[0] for line in answer.splitlines() if "rtpmap" in line}
    # RED (RFC 2198) where the browser offers it around Opus (Safari, Chromium; not Firefox),
    # listed first: a browser sends RED only when the answer prefers it
    red = browser == "safari"
    assert rtpmaps == {"opus", "VP8", "rtx"} | ({"red"} if red else set()), rtpmaps
    audio_formats = [s.splitlines()[0].split()[3:] for s in sections if s.startswith("audio")]
    for formats in audio_formats:
        assert formats[0] == ("63" if red else "109"), formats
    if red:
        assert answer.count("a=fmtp:63 111/111") == 2
    assert "useinbandfec=1" in answer
    event = log.slots("b")
    assert event is not None
    assert len(event.audio) == 2 and len(event.video) == 2
