"""The one module that reaches into aiortc's private API (aiortc 1.16.x, pinned in pyproject).

aiortc has no public way to receive or send encoded media, so a relay that does not transcode must
hook its internals. Every hook here is installed on one object (a receiver, a sender, an ICE
connection); nothing is patched process-wide. ``tests/media/test_passthrough.py`` asserts that each
private name and signature below still exists and that a real round trip works, so an aiortc
upgrade that breaks one fails loudly there.

Private API relied on, and why:

- ``RTCRtpReceiver._RTCRtpReceiver__decoder_queue`` (a ``queue.Queue`` of ``(codec, JitterFrame)``
  fed by ``_handle_rtp_packet`` on the event loop, read by the decoder thread started in
  ``receive()``): replaced before ``receive()`` by :class:`_EncodedFrameQueue`, which hands each
  re-assembled, still encoded frame to the relay on the event loop instead of decoding it. ``None``
  (the stop signal) still reaches the idle decoder thread, so ``stop()`` ends the remote track.
- ``RTCRtpReceiver._RTCRtpReceiver__started``: to refuse installing the tap too late.
- ``RTCRtpReceiver._handle_rtp_packet(packet, arrival_time_ms)``: wrapped per instance to read the
  RFC 6464 audio level (``packet.extensions.audio_level``) and the media SSRC of each packet.
- ``RTCRtpReceiver._send_rtcp_pli(media_ssrc)``: sends a PLI to the publisher.
- ``RemoteStreamTrack._queue``: where packets go when no sink is given (the track then yields
  ``av.Packet`` from ``recv()``).
- ``RTCRtpSender._handle_rtcp_packet(packet)``: wrapped per instance to see a subscriber's PLI/FIR,
  which aiortc would otherwise turn into a flag read only by its encoder.
- ``RTCIceGatherer._connection.get_component_candidates(component, addresses, timeout)``: wrapped
  per instance to add 127.0.0.1, which aioice never gathers (tests on loopback-only hosts).

The public behaviour relied on: ``RTCRtpSender`` only packetizes (``encoder.pack``) what a track's
``recv()`` returns when it is an ``av.Packet`` (pts and time_base give the RTP timestamp).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol, TypeAlias, cast

import av
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender
from aiortc.rtp import RTCP_PSFB_FIR, RTCP_PSFB_PLI, RtcpPsfbPacket
from av.stream import Stream

logger = logging.getLogger(__name__)

#: what a pass-through track's ``recv()`` returns
EncodedPacket: TypeAlias = "av.Packet[Stream]"

#: at most one PLI per publisher in this many seconds; later requests are merged into one
KEYFRAME_REQUEST_INTERVAL = 0.3

_MARK = "_hopchibo_passthrough"
_RTX_SUFFIX = "/rtx"
_H264_IDR = 5
_H264_SPS = 7


class _Codec(Protocol):
    """The fields of aiortc's ``RTCRtpCodecParameters`` that we read."""

    mimeType: str
    clockRate: int


class _JitterFrame(Protocol):
    data: bytes
    timestamp: int


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """One re-assembled, still encoded frame from a publisher.

    ``pts`` is in units of ``1/clock_rate`` and starts at 0 for each receiver (aiortc's
    ``TimestampMapper`` also unwraps the 32-bit RTP timestamp).
    """

    data: bytes
    pts: int
    clock_rate: int
    keyframe: bool

    def to_packet(self, pts: int | None = None) -> EncodedPacket:
        """An ``av.Packet`` that ``RTCRtpSender`` packetizes without encoding."""
        packet = av.Packet(self.data)
        packet.pts = self.pts if pts is None else pts
        packet.time_base = _time_base(self.clock_rate)
        return packet


FrameSink = Callable[[EncodedFrame], None]
#: (level, voice activity): level is RFC 6464's ``-dBov``, 0 (loudest) to 127 (silence)
AudioLevelSink = Callable[[int, bool], None]


def _time_base(clock_rate: int) -> Fraction:
    return Fraction(1, clock_rate)


def is_keyframe(mime_type: str, data: bytes) -> bool:
    """Whether a depayloaded frame starts a new picture sequence. Audio frames always do.

    VP8: bit 0 of the first payload byte is the inverse key-frame flag (RFC 6386 section 9.1).
    H.264 (Annex B as aiortc depayloads it): an IDR slice or an SPS is present.
    """
    kind, _, name = mime_type.lower().partition("/")
    if kind == "audio":
        return True
    if not data:
        return False
    if name == "vp8":
        return data[0] & 0x01 == 0
    if name == "h264":
        pos = data.find(b"\x00\x00\x01")
        while pos != -1 and pos + 3 < len(data):
            if data[pos + 3] & 0x1F in (_H264_IDR, _H264_SPS):
                return True
            pos = data.find(b"\x00\x00\x01", pos + 3)
        return False
    return False


class _EncodedFrameQueue(queue.Queue[object]):
    """Stands in for the receiver's decoder queue: delivers frames instead of queueing them.

    ``put`` is called by ``RTCRtpReceiver._handle_rtp_packet`` on the event loop thread; ``None``
    is the stop signal and goes to the real queue, where the idle decoder thread waits for it.
    """

    def __init__(self, deliver: Callable[[_Codec, _JitterFrame], None]) -> None:
        super().__init__()
        self._deliver = deliver

    def put(self, item: object, block: bool = True, timeout: float | None = None) -> None:
        if item is None:
            super().put(None, block, timeout)
            return
        codec, frame = cast(tuple[_Codec, _JitterFrame], item)
        try:
            self._deliver(codec, frame)
        except Exception:
            # an exception here would end aiortc's DTLS transport for the whole peer connection
            logger.exception("dropping a frame the relay failed to forward")


class ReceiverTap:
    """Encoded frames, audio levels and keyframe requests for one ``RTCRtpReceiver``.

    Use :func:`tap_receiver`. Without ``on_frame`` the receiver's remote track yields ``av.Packet``
    from ``recv()``; with it, frames go to ``on_frame`` on the event loop and the track yields
    nothing (the relay fans out from the callback, without a queue per publisher).
    """

    def __init__(
        self,
        receiver: Any,
        on_frame: FrameSink | None,
        on_audio_level: AudioLevelSink | None,
    ) -> None:
        self._receiver = receiver
        self._on_frame = on_frame
        self._on_audio_level = on_audio_level
        self._rtx_payload_types: frozenset[int] = frozenset()
        #: SSRC of the last non-RTX packet: where PLIs are addressed
        self.media_ssrc: int | None = None
        self.frames = 0
        self.rtp_packets = 0
        self.plis_sent = 0

    async def request_keyframe(self) -> bool:
        """Send a PLI now (prefer :class:`KeyframeRequester`). False if no media SSRC is known."""
        if self.media_ssrc is None:
            return False
        send: Callable[[int], Awaitable[None]] = self._receiver._send_rtcp_pli
        await send(self.media_ssrc)
        self.plis_sent += 1
        return True

    def _deliver(self, codec: _Codec, jitter_frame: _JitterFrame) -> None:
        data = bytes(jitter_frame.data)
        frame = EncodedFrame(
            data=data,
            pts=jitter_frame.timestamp,
            clock_rate=codec.clockRate,
            keyframe=is_keyframe(codec.mimeType, data),
        )
        self.frames += 1
        if self._on_frame is not None:
            self._on_frame(frame)
            return
        track = self._receiver.track
        if track is not None:
            track._queue.put_nowait(frame.to_packet())

    def _install(self) -> None:
        receiver = self._receiver
        original_receive: Callable[[Any], Coroutine[Any, Any, None]] = receiver.receive
        original_rtp: Callable[..., Coroutine[Any, Any, None]] = receiver._handle_rtp_packet

        async def receive(parameters: Any) -> None:
            self._rtx_payload_types = frozenset(
                codec.payloadType
                for codec in parameters.codecs
                if str(codec.mimeType).lower().endswith(_RTX_SUFFIX)
            )
            await original_receive(parameters)

        async def handle_rtp_packet(packet: Any, arrival_time_ms: int) -> None:
            self.rtp_packets += 1
            if packet.payload_type not in self._rtx_payload_types:
                self.media_ssrc = packet.ssrc
            if self._on_audio_level is not None:
                level = packet.extensions.audio_level
                if level is not None:
                    vad, dbov = level
                    self._on_audio_level(int(dbov), bool(vad))
            await original_rtp(packet, arrival_time_ms=arrival_time_ms)

        receiver._RTCRtpReceiver__decoder_queue = _EncodedFrameQueue(self._deliver)
        receiver.receive = receive
        receiver._handle_rtp_packet = handle_rtp_packet
        setattr(receiver, _MARK, self)


def tap_receiver(
    receiver: RTCRtpReceiver,
    *,
    on_frame: FrameSink | None = None,
    on_audio_level: AudioLevelSink | None = None,
) -> ReceiverTap:
    """Make ``receiver`` pass encoded frames through instead of decoding them.

    Must be called after ``setRemoteDescription`` created the receiver and before the peer
    connection starts it (i.e. before ICE/DTLS complete; calling it before ``setLocalDescription``
    is always in time). Idempotent: a second call returns the first tap unchanged.
    """
    existing = getattr(receiver, _MARK, None)
    if isinstance(existing, ReceiverTap):
        return existing
    if receiver._RTCRtpReceiver__started:  # type: ignore[attr-defined]
        raise RuntimeError("tap_receiver() must be called before the receiver starts")
    tap = ReceiverTap(receiver, on_frame, on_audio_level)
    tap._install()
    return tap


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call ``callback`` whenever the remote end of ``sender`` sends a PLI or FIR for it.

    aiortc still sets its own force-keyframe flag, which is harmless: packets are not encoded.
    Installing twice on one sender replaces the callback.
    """
    target: Any = sender
    original = getattr(target, _MARK, None)
    if original is None:
        original = target._handle_rtcp_packet
        setattr(target, _MARK, original)
    forward: Callable[[Any], Coroutine[Any, Any, None]] = original

    async def handle_rtcp_packet(packet: Any) -> None:
        if isinstance(packet, RtcpPsfbPacket) and packet.fmt in (RTCP_PSFB_PLI, RTCP_PSFB_FIR):
            try:
                callback()
            except Exception:
                logger.exception("keyframe request callback failed")
        await forward(packet)

    target._handle_rtcp_packet = handle_rtcp_packet


class KeyframeRequester:
    """Coalesces keyframe requests for one publisher: at most one PLI per ``interval`` seconds.

    A request inside the interval is not lost: one PLI is scheduled for the end of the interval,
    and any further requests until then ride on it.
    """

    def __init__(
        self,
        send: Callable[[], Awaitable[bool]],
        interval: float = KEYFRAME_REQUEST_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._interval = interval
        self._clock = clock
        self._last: float | None = None
        self._pending: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.requested = 0
        self.sent = 0

    def request(self) -> None:
        """Ask for a keyframe (call on the event loop)."""
        self.requested += 1
        if self._pending is not None:
            return
        now = self._clock()
        wait = 0.0 if self._last is None else self._last + self._interval - now
        if wait <= 0:
            self._fire()
        else:
            self._pending = asyncio.get_running_loop().call_later(wait, self._fire)

    def _fire(self) -> None:
        self._pending = None
        self._last = self._clock()
        task = asyncio.get_running_loop().create_task(self._run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self) -> None:
        try:
            if await self._send():
                self.sent += 1
        except ConnectionError:
            pass
        except Exception:
            logger.exception("sending a PLI failed")

    def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        for task in self._tasks:
            task.cancel()


def add_loopback_candidate(pc: RTCPeerConnection) -> None:
    """Also gather a host candidate on 127.0.0.1 for every ICE transport of ``pc``.

    aioice leaves 127.0.0.1 out of its host addresses. For tests on hosts with loopback only;
    never a production default. Call after the transceivers exist and before
    ``setLocalDescription`` (which gathers). Idempotent.
    """
    gatherers: list[Any] = []
    for transceiver in pc.getTransceivers():
        gatherers.append(transceiver.receiver.transport.transport.iceGatherer)
    sctp: Any = pc.sctp
    if sctp is not None:
        gatherers.append(sctp.transport.transport.iceGatherer)
    for gatherer in gatherers:
        connection: Any = gatherer._connection
        if getattr(connection, _MARK, False):
            continue
        original: Callable[..., Coroutine[Any, Any, list[Any]]] = (
            connection.get_component_candidates
        )

        async def get_component_candidates(
            component: int,
            addresses: list[str],
            timeout: int = 5,  # noqa: ASYNC109 (aioice's signature)
            _original: Callable[..., Coroutine[Any, Any, list[Any]]] = original,
        ) -> list[Any]:
            if "127.0.0.1" not in addresses:
                addresses = [*addresses, "127.0.0.1"]
            return await _original(component=component, addresses=addresses, timeout=timeout)

        connection.get_component_candidates = get_component_candidates
        setattr(connection, _MARK, True)
