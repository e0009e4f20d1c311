"""The screen line of the slot protocol, with real aiortc peers: one presenter's screen reaches
everyone else's screen slot; nobody else's screen is forwarded, whatever their client sends."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamTrack
from av.frame import Frame

from server.media.passthrough import add_loopback_candidate
from server.media.relay import MeetingRelay, RelayConfig
from tests.server.media.peers import (
    BLUE,
    GREEN,
    GREY,
    RED,
    Colour,
    ColourTrack,
    EventLog,
    SlotView,
    _consume,
    wait_for,
)

pytestmark = [pytest.mark.media, pytest.mark.timeout(60)]


@dataclass(slots=True)
class Presenter:
    """A client with a camera and a screen line: it sends ``screen`` on it (``None``: nothing,
    as a browser before ``replaceTrack(screenTrack)``) and receives the shared screen there."""

    name: str
    camera: Colour
    screen: Colour | None
    still: bool = False
    """The screen sends a frame only when asked for a keyframe (a page nobody scrolls)."""
    pc: RTCPeerConnection = field(init=False)
    screen_sender: StillScreenSender | None = None
    camera_slot: SlotView = field(default_factory=SlotView)
    screen_slot: SlotView = field(default_factory=SlotView)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def join(self, relay: MeetingRelay, *, with_screen_line: bool = True) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.pc.addTransceiver("audio", direction="recvonly")
        camera = self.pc.addTransceiver(ColourTrack(self.camera), direction="sendrecv")
        screen: RTCRtpTransceiver | None = None
        if with_screen_line:
            track: MediaStreamTrack | None = None
            if self.screen is not None:
                track = StillTrack(self.screen) if self.still else ColourTrack(self.screen)
            screen = self.pc.addTransceiver(track or "video", direction="sendrecv")
            if isinstance(track, StillTrack):
                self.screen_sender = StillScreenSender(screen.sender, track)
        add_loopback_candidate(self.pc)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        answer = await relay.connect(
            self.name,
            self.pc.localDescription.sdp,
            screen_mid=screen.mid if screen is not None else None,
        )
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        for transceiver, view in ((camera, self.camera_slot), (screen, self.screen_slot)):
            if transceiver is not None:
                self.tasks.append(asyncio.create_task(_consume(transceiver.receiver.track, view)))

    def sees(self, colour: Colour, *, on_screen: bool) -> bool:
        view = self.screen_slot if on_screen else self.camera_slot
        return view.frames > 0 and view.last_uv is not None and colour.near(*view.last_uv)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.pc.close()


class StillTrack(ColourTrack):
    """A shared screen that does not change: a frame each time :meth:`refresh` is called (when
    sharing starts, and as Chromium's screen capture refreshes on a keyframe request)."""

    def __init__(self, colour: Colour) -> None:
        super().__init__(colour)
        self._refresh = asyncio.Event()
        self._pending = 0

    def refresh(self) -> None:
        self._refresh.set()

    async def recv(self) -> Frame:
        if not self._pending:
            await self._refresh.wait()
            self._refresh.clear()
            # two frames: an aiortc receiver hands a frame on when the next one begins
            self._pending = 2
        self._pending -= 1
        return await super().recv()


class StillScreenSender:
    """The presenter's screen sender: a PLI makes the still screen send its next frame (a
    keyframe); ``lose_next`` drops the next PLI, as a lossy uplink would."""

    def __init__(self, sender: RTCRtpSender, track: StillTrack) -> None:
        self.track = track
        self.lose_next = False
        self.lost = 0
        self.answered = 0
        original = sender._send_keyframe

        def on_keyframe_request() -> None:
            if self.lose_next:
                self.lose_next = False
                self.lost += 1
                return
            self.answered += 1
            original()
            track.refresh()

        sender._send_keyframe = on_keyframe_request  # type: ignore[method-assign]


@pytest.fixture
async def relay(caplog: pytest.LogCaptureFixture) -> AsyncIterator[tuple[MeetingRelay, EventLog]]:
    caplog.set_level(logging.WARNING)
    log = EventLog()
    relay = MeetingRelay(RelayConfig(add_loopback_candidate=True, video_slots=1), on_event=log)
    yield relay, log
    await relay.close()
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not problems, problems


async def test_only_the_presenters_screen_reaches_the_screen_slots(
    relay: tuple[MeetingRelay, EventLog],
) -> None:
    r, log = relay
    a = Presenter("a", RED, screen=GREEN)
    b = Presenter("b", BLUE, screen=None)
    c = Presenter("c", GREY, screen=BLUE)  # sends a screen nobody allowed
    try:
        for client in (a, b, c):
            await client.join(r)
        r.set_pinned(["a"])  # the camera slot shows a's camera, not its screen
        r.set_screen_presenter("a")

        def screen_shown() -> bool:
            return b.sees(GREEN, on_screen=True) and c.sees(GREEN, on_screen=True)

        await wait_for(screen_shown, 20, "a's screen on b's and c's screen slots")
        await wait_for(lambda: b.sees(RED, on_screen=False), 10, "a's camera on b's camera slot")
        for name, expected in (("a", (None,)), ("b", ("a",)), ("c", ("a",))):
            event = log.slots(name)
            assert event is not None and event.screen == expected, (name, event)
        assert a.screen_slot.frames == 0  # never one's own screen
        stats = r.stats()
        assert stats.participant("c").received_screen_frames > 0  # c's client does send ...
        assert b.screen_slot.last_uv is not None and not BLUE.near(*b.screen_slot.last_uv)
        assert stats.participant("b").forwarded_screen_packets > 0

        # the presenter changes: the slot switches source at c's next keyframe
        r.set_screen_presenter("c")
        await wait_for(lambda: b.sees(BLUE, on_screen=True), 20, "c's screen on b's slot")
        await wait_for(lambda: a.sees(BLUE, on_screen=True), 20, "c's screen on a's slot")
        event = log.slots("c")
        assert event is not None and event.screen == (None,)

        r.set_screen_presenter(None)
        event = log.slots("b")
        assert event is not None and event.screen == (None,)
        frames = b.screen_slot.frames
        await asyncio.sleep(1.0)
        assert b.screen_slot.frames <= frames + 2  # at most what was in flight
    finally:
        for client in (a, b, c):
            await client.close()


async def test_clients_without_a_screen_line_and_bad_screen_mids(
    relay: tuple[MeetingRelay, EventLog],
) -> None:
    r, log = relay
    old = Presenter("old", RED, screen=None)
    try:
        await old.join(r, with_screen_line=False)
        r.set_screen_presenter("old")  # it has no screen line: nothing to forward
        event = log.slots("old")
        assert event is not None and event.screen == ()
        assert r.stats().participant("old").screen_slots == ()
        with pytest.raises(ValueError, match="screen_mid"):
            await r.connect("x", old.pc.localDescription.sdp, screen_mid="0")  # an audio line
        with pytest.raises(ValueError, match="screen_mid"):
            await r.connect("x", old.pc.localDescription.sdp, screen_mid="9")  # no such mid
    finally:
        await old.close()


async def test_a_still_screen_reaches_a_member_whose_keyframe_request_was_lost(
    relay: tuple[MeetingRelay, EventLog],
) -> None:
    """A screen that does not change sends nothing until asked; the first request for the
    viewer is lost on the way, so no frame ever comes on which the viewer's slot could ask
    again: the relay's tick asks again (``SlotTrack.ask_again``)."""
    r, _ = relay
    a = Presenter("a", RED, screen=GREEN, still=True)
    b = Presenter("b", BLUE, screen=None)
    try:
        await a.join(r)
        screen = a.screen_sender
        assert screen is not None
        await b.join(r)

        def first_frame() -> bool:
            # a starts sharing: a frame (again, until the relay's receiver has started)
            screen.track.refresh()
            return r.stats().participant("a").received_screen_frames >= 1

        await wait_for(first_frame, 10, "a's first frame at the relay")
        await asyncio.sleep(0.5)  # the relay's keyframe requests to a are spaced 0.3 s
        screen.lose_next = True
        r.set_screen_presenter("a")
        took = await wait_for(lambda: b.sees(GREEN, on_screen=True), 10, "a's still screen at b")
        assert screen.lost == 1 and screen.answered >= 1, (screen.lost, screen.answered)
        print(f"still screen shown {took:.1f} s after its first request was lost")
        assert took >= 0.9  # the retry, not the request that was lost
    finally:
        for client in (a, b):
            await client.close()
