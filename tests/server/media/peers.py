"""Real aiortc client peers for the relay tests: synthetic colour video and tone audio."""

from __future__ import annotations

import asyncio
import fractions
import math
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame
from av.frame import Frame

from server.media.passthrough import add_loopback_candidate, tolerate_long_round_trips
from server.media.relay import RelayEvent, SlotsChanged
from tests.impair import Shaper, loopback_candidate_addr, only_candidate


class Answering(Protocol):
    """What a client joins: a :class:`MeetingRelay` or a sharded one (``shards.py``)."""

    async def connect(
        self,
        participant_id: str,
        offer_sdp: str,
        *,
        audio_only: bool = False,
        screen_mid: str | None = None,
    ) -> str: ...


WIDTH, HEIGHT = 160, 120
FPS = 15
SAMPLE_RATE = 48_000
AUDIO_SAMPLES = 960  # 20 ms
TONE_HZ = 1_000


@dataclass(frozen=True, slots=True)
class Colour:
    """A flat YUV colour; decoded VP8 keeps U and V within a few steps."""

    y: int
    u: int
    v: int

    def near(self, u: int, v: int, tolerance: int = 24) -> bool:
        return abs(self.u - u) <= tolerance and abs(self.v - v) <= tolerance


RED = Colour(82, 90, 240)
GREEN = Colour(145, 54, 34)
BLUE = Colour(41, 240, 110)
GREY = Colour(128, 128, 128)
LOUD_TEST_AMPLITUDE = 16_000  # about -9 dBov


class ColourTrack(MediaStreamTrack):
    """A camera showing one flat colour at ``FPS``."""

    kind = "video"

    def __init__(self, colour: Colour) -> None:
        super().__init__()
        self._colour = colour
        self._start: float | None = None
        self._count = 0

    async def recv(self) -> Frame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            await asyncio.sleep(max(0.0, self._start + self._count / FPS - time.monotonic()))
        frame = VideoFrame(WIDTH, HEIGHT, "yuv420p")
        for plane, value in zip(
            frame.planes, (self._colour.y, self._colour.u, self._colour.v), strict=True
        ):
            plane.update(bytes([value]) * plane.buffer_size)
        frame.pts = self._count * (90_000 // FPS)
        frame.time_base = fractions.Fraction(1, 90_000)
        self._count += 1
        return frame


def _tone(amplitude: int) -> bytes:
    return b"".join(
        struct.pack("<h", round(amplitude * math.sin(2 * math.pi * TONE_HZ * i / SAMPLE_RATE)))
        for i in range(AUDIO_SAMPLES)
    )


class ToneTrack(MediaStreamTrack):
    """A microphone playing a 1 kHz sine; the amplitude sets the RFC 6464 audio level."""

    kind = "audio"

    def __init__(self, amplitude: int) -> None:
        super().__init__()
        self._samples = _tone(amplitude)
        self._start: float | None = None
        self._count = 0

    async def recv(self) -> Frame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            due = self._start + self._count * AUDIO_SAMPLES / SAMPLE_RATE
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        frame = AudioFrame(format="s16", layout="mono", samples=AUDIO_SAMPLES)
        frame.planes[0].update(self._samples)
        frame.pts = self._count * AUDIO_SAMPLES
        frame.sample_rate = SAMPLE_RATE
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        self._count += 1
        return frame


@dataclass(slots=True)
class SlotView:
    """What a client decoded on one receive slot."""

    frames: int = 0
    last_uv: tuple[int, int] | None = None
    first_frame_at: float | None = None


@dataclass(slots=True)
class Client:
    """One participant: an aiortc peer that offers per the slot protocol."""

    name: str
    colour: Colour | None
    amplitude: int | None
    audio_slots: int = 3
    video_slots: int = 4
    muted: bool = False
    """Offer to send audio and video but send nothing (a browser's ``replaceTrack(null)``)."""
    pc: RTCPeerConnection = field(init=False)
    video: list[SlotView] = field(init=False)
    audio: list[SlotView] = field(init=False)
    _tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.video = []
        self.audio = []

    @property
    def transceivers(self) -> list[RTCRtpTransceiver]:
        return self.pc.getTransceivers()

    def video_transceivers(self) -> list[RTCRtpTransceiver]:
        return [t for t in self.transceivers if t.kind == "video"]

    async def offer(self) -> str:
        mic = ToneTrack(self.amplitude) if self.amplitude is not None else None
        cam = ColourTrack(self.colour) if self.colour is not None else None
        self.pc.addTransceiver(mic or "audio", direction="sendrecv" if mic else "recvonly")
        self.pc.addTransceiver(cam or "video", direction="sendrecv" if cam else "recvonly")
        if self.muted:
            self.mute()
        for _ in range(self.audio_slots - 1):
            self.pc.addTransceiver("audio", direction="recvonly")
        for _ in range(self.video_slots - 1):
            self.pc.addTransceiver("video", direction="recvonly")
        add_loopback_candidate(self.pc)
        tolerate_long_round_trips(self.pc)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def join(
        self, relay: Answering, *, audio_only: bool = False, via: Shaper | None = None
    ) -> None:
        """Offer and take the relay's answer; ``via``: every datagram crosses that shaper."""
        offer = await self.offer()
        if via is not None:
            offer = only_candidate(offer, via.relay_facing_port)
        answer = await relay.connect(self.name, offer, audio_only=audio_only)
        if via is not None:
            via.relay_addr = loopback_candidate_addr(answer)
            answer = only_candidate(answer, via.member_port)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        for kind, views in (("audio", self.audio), ("video", self.video)):
            for transceiver in self.transceivers:
                track = transceiver.receiver.track
                if transceiver.kind == kind and track is not None:
                    view = SlotView()
                    views.append(view)
                    self._tasks.append(asyncio.create_task(_consume(track, view)))

    def mute(self) -> None:
        """What a browser client does on mute: ``replaceTrack(null)`` on its senders."""
        for transceiver in self.transceivers[:2]:
            transceiver.sender.replaceTrack(None)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.pc.close()


async def _consume(track: MediaStreamTrack, view: SlotView) -> None:
    try:
        while True:
            frame = await track.recv()
            view.frames += 1
            if view.first_frame_at is None:
                view.first_frame_at = time.monotonic()
            if isinstance(frame, VideoFrame):
                u = bytes(frame.planes[1])
                v = bytes(frame.planes[2])
                view.last_uv = (u[len(u) // 2], v[len(v) // 2])
    except MediaStreamError:
        pass


@dataclass(slots=True)
class EventLog:
    events: list[RelayEvent] = field(default_factory=list)

    def __call__(self, event: RelayEvent) -> None:
        self.events.append(event)

    def slots(self, participant_id: str) -> SlotsChanged | None:
        """The last ``SlotsChanged`` for a participant."""
        for event in reversed(self.events):
            if isinstance(event, SlotsChanged) and event.participant_id == participant_id:
                return event
        return None


async def wait_for(condition: Callable[[], bool], within: float, what: str) -> float:
    """Poll until ``condition()``; return the seconds it took. Fails the test on timeout."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > within:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.05)
    return time.monotonic() - start
