"""The one module that reaches into aiortc's private API (aiortc 1.16.x, pinned in pyproject).

aiortc has no public way to receive or send encoded media, so a relay that does not transcode must
hook its internals. Every hook here is installed on one object (a receiver, a sender, an ICE
connection); nothing is patched process-wide. ``tests/server/media/test_passthrough.py`` asserts
that each private name and signature below still exists and that a real round trip works, so an
aiortc upgrade that breaks one fails loudly there.

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
  which aiortc would otherwise turn into a flag read only by its encoder, and its NACKs (the lost
  packets are put back into the sender's history so that aiortc's own ``_retransmit`` answers).
- :class:`RtpWriter`, the send side, which replaces aiortc's per-packet loop for a relay slot:
  ``RTCRtpSender._run_rtp(codec)`` is wrapped per instance to learn the negotiated codec and that
  the sender has started; the sender's ``_ssrc``, ``_RTCRtpSender__mid`` and
  ``_RTCRtpSender__rtp_header_extensions_map`` (its ``set()`` builds the header extensions, as in
  aiortc) are read; ``_RTCRtpSender__rtp_history`` (NACK answers) and the counters behind its RTCP
  sender reports (``__ntp_timestamp``, ``__rtp_timestamp``, ``__packet_count``,
  ``__octet_count``) are written; ``RTCDtlsTransport._tx_srtp`` and ``_state`` give the SRTP
  session and whether it is connected; ``RTCIceTransport._connection._nominated[1]`` is aioice's
  selected pair, whose ``protocol.transport.sendto(data, remote_addr)`` is exactly what aioice's
  ``StunProtocol.send_data`` does (for UDP and TURN alike).
- ``aiortc.codecs.vpx.Vp8Encoder._packetize(buffer, picture_id)``: VP8 payloads as aiortc cuts
  them.
- ``RTCIceGatherer._connection.get_component_candidates(component, addresses, timeout)``: wrapped
  per instance to add 127.0.0.1, which aioice never gathers (tests on loopback-only hosts).

The public behaviour relied on: ``RTCRtpSender`` only packetizes (``encoder.pack``) what a track's
``recv()`` returns when it is an ``av.Packet`` (pts and time_base give the RTP timestamp).

Why the relay does not let aiortc's sender loop send: per RTP packet it builds an ``RtpPacket``,
reads the clock through ``datetime``, and awaits four coroutines down to ``sendto``; per frame it
wakes a task per subscriber slot. In the 60-member benchmark that was about three quarters of the
relay's CPU. :class:`RtpWriter` sends what aiortc's sender would (its extension block is built
by the sender's own map; the tests check marker bits, sequence numbers, timestamps and extensions
as a real aiortc peer receives them) from the publisher's frame callback: one header pack, one
SRTP protect and one ``sendto`` per packet. Each writer cuts VP8 with its own picture ids, as
aiortc's per-sender encoder did, so a subscriber never sees them jump when its slot changes
publisher.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import queue
import random
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol, TypeAlias, cast

import av
from aioice import stun
from aiortc import RTCPeerConnection, RTCRtpCodecParameters, RTCRtpReceiver, RTCRtpSender
from aiortc.codecs.vpx import Vp8Encoder
from aiortc.rtcdtlstransport import State as DtlsState
from aiortc.rtp import (
    RTCP_PSFB_APP,
    RTCP_PSFB_FIR,
    RTCP_PSFB_PLI,
    RTCP_RTPFB_NACK,
    RTP_HISTORY_SIZE,
    HeaderExtensions,
    RtcpPsfbPacket,
    RtcpRrPacket,
    RtcpRtpfbPacket,
    RtcpSrPacket,
    RtpPacket,
    pack_remb_fci,
    unpack_remb_fci,
    wrap_rtx,
)
from av.stream import Stream

from server.media.pacer import Pacer
from server.media.reassembly import FrameOnMarkerBuffer, vp8_temporal_layer
from server.media.red import MAX_DISTANCE, LossEstimate, build_red, parse_red
from server.media.repair import (
    LATE_LIMIT_SECONDS,
    QUIET_NACK_AFTER,
    QUIET_NACK_AGAIN,
    QUIET_NACKS,
    UplinkGaps,
)

logger = logging.getLogger(__name__)

#: what a pass-through track's ``recv()`` returns
EncodedPacket: TypeAlias = "av.Packet[Stream]"

#: at most one PLI per publisher in this many seconds; later requests are merged into one
KEYFRAME_REQUEST_INTERVAL = 0.3

_MARK = "_hopchibo_passthrough"
_RTX_SUFFIX = "/rtx"
#: temporal layers remembered per video receiver (by RTP timestamp, the newest)
_LAYER_MEMORY = 64
#: RTP timestamps of the audio frames forwarded last, remembered so that a late frame is forwarded
#: once (2.5 s of 20 ms frames: more than ``LATE_LIMIT_SECONDS``)
_AUDIO_MEMORY = 128
#: a video receiver that got packets but no frame for this long skips the gap it waits on
VIDEO_STALL_SECONDS = 1.0
_STALL_PACKETS = 5
_BACKGROUND: set[asyncio.Task[Any]] = set()
#: SRTP's authentication tag (AES-CM with HMAC-SHA1-80)
_SRTP_TAG = 10
#: a paced subscriber's NACKed video packets are sent again only while its pacer has less than
#: this waiting (s): later, the frame is past saving and the link is full
RETRANSMIT_BACKLOG = 0.2
#: bytes of padding in one padding-only RTP packet (its last byte counts them: at most 255)
MAX_PADDING = 255
_RTP_PADDING_BIT = 0x20
#: sequence numbers of recent padding kept, to tell a NACKed probe from lost media
PADDING_KEPT = 1024
#: a probe stops once at least this many of its padding packets were NACKed (and a larger
#: share than its link loses anyway: ``begin_probe``)
PROBE_NACKS_TO_STOP = 2
#: a lossy subscriber's audio packet is sent again when no frame followed it for this long (s),
#: up to this many times, from this RED distance on (``RtpWriter._quiet``)
QUIET_AFTER = 0.03
QUIET_RESENDS = 2
QUIET_RESEND_FROM = 2
_H264_IDR = 5
_H264_SPS = 7


class _Codec(Protocol):
    """The fields of aiortc's ``RTCRtpCodecParameters`` that we read."""

    mimeType: str
    clockRate: int
    payloadType: int


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
    temporal_layer: int | None = None
    """VP8 temporal layer (TID of the payload descriptor) of a layered publisher (L1T3), else
    ``None``."""
    late: bool = False
    """An audio frame older than one already forwarded: the publisher's retransmission of a
    packet its leg lost (``repair.py``). Sent to subscribers with its own timestamp; not
    recorded, not piped."""

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
        red_payload_type: int | None = None,
        nack_audio: bool = False,
    ) -> None:
        self._receiver = receiver
        self._on_frame = on_frame
        self._on_audio_level = on_audio_level
        self._rtx_payload_types: frozenset[int] = frozenset()
        self._vp8_payload_types: frozenset[int] = frozenset()
        #: audio payload types (Opus, and RED around it) forwarded packet by packet, not
        #: through the jitter buffer; RED's entry is its Opus codec
        self._audio_codecs: dict[int, _Codec] = {}
        self._red_payload_type = red_payload_type
        self._opus_payload_type: int | None = None
        #: (pts, 32-bit RTP timestamp) of the newest audio frame forwarded
        self._audio_last: tuple[int, int] | None = None
        #: RTP timestamps of the last audio frames forwarded (a set, and its order)
        self._audio_sent: set[int] = set()
        self._audio_sent_order: deque[int] = deque()
        self._nack_audio = nack_audio
        self.gaps = UplinkGaps()
        """The audio packets the publisher's leg lost (``repair.py``)."""
        self._gaps_ssrc: int | None = None
        self.nacked = 0
        """Audio packets asked for again (RTCP NACK)."""
        self.late_frames = 0
        """Audio frames forwarded late: retransmissions of what the publisher's leg lost."""
        self.lossy = False
        """The publisher's uplink loses audio (the relay's ``RepairHold``): a pause is taken
        for a lost packet and its next one asked for (``QUIET_NACK_AFTER``)."""
        self._quiet_nack: asyncio.TimerHandle | None = None
        #: SSRC of the last non-RTX packet: where PLIs are addressed
        self.media_ssrc: int | None = None
        self.frames = 0
        self.rtp_packets = 0
        self.plis_sent = 0
        #: audio frames rebuilt from a later RED packet's repeat (the publisher's leg lost them)
        self.recovered_frames = 0
        #: VP8 temporal layer by RTP timestamp of the latest video packets (layered publishers)
        self._layers: dict[int, int] = {}
        self.remb_bounds: tuple[int, int | None] | None = None
        """(floor, ceiling) for the REMB aiortc's estimator sends the publisher (bit/s)."""
        self.remb_sent: int | None = None
        """The last REMB sent to the publisher, after the bounds."""
        self._last_frame_at = 0.0
        self._packets_since_frame = 0
        self.skipped_gaps = 0
        """Times the video jitter buffer was moved past a packet that never came."""

    async def request_keyframe(self) -> bool:
        """Send a PLI now (prefer :class:`KeyframeRequester`). False if no media SSRC is known."""
        if self.media_ssrc is None:
            return False
        send: Callable[[int], Awaitable[None]] = self._receiver._send_rtcp_pli
        await send(self.media_ssrc)
        self.plis_sent += 1
        return True

    def _deliver(self, codec: _Codec, jitter_frame: _JitterFrame) -> None:
        if self._on_frame is not None and str(codec.mimeType).lower().startswith("audio/"):
            return  # audio went out packet by packet (_deliver_audio_packet)
        self._last_frame_at = time.monotonic()
        self._packets_since_frame = 0
        data = bytes(jitter_frame.data)
        layer = None
        if self._layers:
            origin = self._receiver._RTCRtpReceiver__timestamp_mapper._origin
            if origin is not None:
                layer = self._layers.get((jitter_frame.timestamp + origin) & 0xFFFFFFFF)
        frame = EncodedFrame(
            data=data,
            pts=jitter_frame.timestamp,
            clock_rate=codec.clockRate,
            keyframe=is_keyframe(codec.mimeType, data),
            temporal_layer=layer,
        )
        self.frames += 1
        if self._on_frame is not None:
            self._on_frame(frame)
            return
        track = self._receiver.track
        if track is not None:
            track._queue.put_nowait(frame.to_packet())

    def _deliver_audio_packet(self, codec: _Codec, packet: Any) -> None:
        """Forward audio as it arrives: aiortc's 16-packet audio jitter buffer drops what is
        queued behind a gap, so on a lossy uplink it lost far more than the link did. Repair
        (FEC, concealment) is the subscribers' job, except that a RED packet's repeats of
        frames the publisher's leg lost are forwarded first, oldest first, and that what the
        repeats cannot rebuild is asked for again (NACK) and forwarded when it comes, marked
        ``late`` (``repair.py``). A frame forwarded already, or older than
        ``LATE_LIMIT_SECONDS`` behind the newest, is dropped; timestamps are unwrapped as
        aiortc's ``TimestampMapper`` does."""
        timestamp: int = packet.timestamp
        payload = bytes(packet.payload)
        repeats = 0
        if packet.payload_type == self._red_payload_type:
            try:
                blocks = parse_red(payload)
            except ValueError:
                return
            frames = [
                ((timestamp - b.timestamp_offset) & 0xFFFFFFFF, b.data, b.timestamp_offset > 0)
                for b in blocks
                if b.payload_type == self._opus_payload_type
            ]
            repeats = len(frames) - 1
        else:
            frames = [(timestamp, payload, False)]
        self._nack_gaps(packet, repeats)
        assert self._on_frame is not None
        late_limit = LATE_LIMIT_SECONDS * codec.clockRate
        sent = self._audio_sent
        for frame_timestamp, data, repeat in frames:
            last = self._audio_last
            late = False
            if last is None:
                pts = 0
            else:
                # the signed 32-bit distance from the newest frame forwarded
                pts = last[0] + ((frame_timestamp - last[1] + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)
                if pts <= last[0]:
                    if frame_timestamp in sent or last[0] - pts > late_limit:
                        continue
                    late = True
            if not data:
                continue
            if not late:
                self._audio_last = (pts, frame_timestamp)
            sent.add(frame_timestamp)
            order = self._audio_sent_order
            order.append(frame_timestamp)
            if len(order) > _AUDIO_MEMORY:
                sent.discard(order.popleft())
            self.frames += 1
            self.recovered_frames += repeat
            self.late_frames += late
            self._on_frame(
                EncodedFrame(
                    data=data, pts=pts, clock_rate=codec.clockRate, keyframe=True, late=late
                )
            )

    def _nack_gaps(self, packet: Any, repeats: int) -> None:
        """Note the packet's sequence number; NACK the packets missing before it that its RED
        repeats (``repeats`` earlier frames, one packet each) do not bring back."""
        ssrc: int = packet.ssrc
        if ssrc != self._gaps_ssrc:
            self._gaps_ssrc = ssrc
            self.gaps = UplinkGaps()
        lost = self.gaps.observe(packet.sequence_number, repeats)
        if not self._nack_audio:
            return
        if self._quiet_nack is not None:
            self._quiet_nack.cancel()
            self._quiet_nack = None
        if self.lossy and self.gaps.newest == packet.sequence_number:
            self._quiet_nack = asyncio.get_running_loop().call_later(
                QUIET_NACK_AFTER,
                self._nack_quiet,
                ssrc,
                (packet.sequence_number + 1) & 0xFFFF,
                QUIET_NACKS,
            )
        if lost:
            self._send_nack(ssrc, lost)

    def _nack_quiet(self, ssrc: int, sequence: int, left: int) -> None:
        """No audio packet since ``QUIET_NACK_AFTER``: ask for the next one, which may have been
        lost (``repair.py``); ``left`` times in all."""
        self._quiet_nack = None
        self._send_nack(ssrc, [sequence])
        if left > 1:
            self._quiet_nack = asyncio.get_running_loop().call_later(
                QUIET_NACK_AGAIN, self._nack_quiet, ssrc, sequence, left - 1
            )

    def _send_nack(self, ssrc: int, lost: list[int]) -> None:
        self.nacked += len(lost)
        send: Callable[[int, list[int]], Coroutine[Any, Any, None]] = self._receiver._send_rtcp_nack
        task = asyncio.get_running_loop().create_task(send(ssrc, lost))
        _BACKGROUND.add(task)
        task.add_done_callback(_BACKGROUND.discard)

    def _skip_gap(self) -> None:
        """Video packets keep coming but no frame for ``VIDEO_STALL_SECONDS``: aiortc's jitter
        buffer waits for a packet that never came (its one NACK was lost: a path
        change sends the relay's RTCP to the old address) and would wait 512 packets, half a
        minute of a small picture. Move past the gap and ask for a keyframe."""
        self._last_frame_at = time.monotonic()
        buffer = self._receiver._RTCRtpReceiver__jitter_buffer
        origin = buffer._origin
        capacity = buffer.capacity
        packets = buffer._packets
        if origin is None:
            return
        # the first gap after the origin, and the first packet after it
        gap = 0
        while gap < capacity and packets[(origin + gap) % capacity] is not None:
            gap += 1
        count = gap
        while count < capacity and packets[(origin + count) % capacity] is None:
            count += 1
        if gap == capacity or count == capacity:
            return
        buffer.remove(count)
        self.skipped_gaps += 1
        # a lossy member's publisher skips about once a second: the first is said, the rest
        # are counted (``skipped_gaps``) and logged at debug level
        logger.log(
            logging.INFO if self.skipped_gaps == 1 else logging.DEBUG,
            "video receiver skipped %d packets at %s (a gap at %d; %d gaps so far)",
            count,
            origin,
            gap,
            self.skipped_gaps,
        )
        task = asyncio.get_running_loop().create_task(self.request_keyframe())
        _BACKGROUND.add(task)
        task.add_done_callback(_BACKGROUND.discard)

    def _install(self) -> None:
        receiver = self._receiver
        original_receive: Callable[[Any], Coroutine[Any, Any, None]] = receiver.receive
        original_rtp: Callable[..., Coroutine[Any, Any, None]] = receiver._handle_rtp_packet
        original_rtcp: Callable[[Any], Coroutine[Any, Any, None]] = receiver._send_rtcp

        async def send_rtcp(packet: Any) -> None:
            bounds = self.remb_bounds
            if (
                bounds is not None
                and isinstance(packet, RtcpPsfbPacket)
                and packet.fmt == RTCP_PSFB_APP
            ):
                bitrate, ssrcs = unpack_remb_fci(packet.fci)
                floor, ceiling = bounds
                bitrate = max(floor, bitrate if ceiling is None else min(bitrate, ceiling))
                self.remb_sent = bitrate
                packet = RtcpPsfbPacket(
                    fmt=RTCP_PSFB_APP,
                    ssrc=packet.ssrc,
                    media_ssrc=packet.media_ssrc,
                    fci=pack_remb_fci(bitrate, ssrcs),
                )
            await original_rtcp(packet)

        async def receive(parameters: Any) -> None:
            self._rtx_payload_types = frozenset(
                codec.payloadType
                for codec in parameters.codecs
                if str(codec.mimeType).lower().endswith(_RTX_SUFFIX)
            )
            self._vp8_payload_types = frozenset(
                codec.payloadType
                for codec in parameters.codecs
                if str(codec.mimeType).lower() == "video/vp8"
            )
            if self._on_frame is not None:
                self._audio_codecs = {
                    codec.payloadType: codec
                    for codec in parameters.codecs
                    if str(codec.mimeType).lower() == "audio/opus"
                }
                red = self._red_payload_type
                if red is not None and self._audio_codecs and red not in self._audio_codecs:
                    # aiortc knows no RED: declared here, its packets reach this receiver and
                    # count in its RTCP receiver reports (the publisher's FEC follows those)
                    opus = next(iter(self._audio_codecs.values()))
                    self._opus_payload_type = int(opus.payloadType)
                    self._audio_codecs[red] = opus
                    parameters.codecs = [
                        *parameters.codecs,
                        RTCRtpCodecParameters(
                            mimeType="audio/red", clockRate=48000, channels=2, payloadType=red
                        ),
                    ]
            await original_receive(parameters)

        async def handle_rtp_packet(packet: Any, arrival_time_ms: int) -> None:
            self.rtp_packets += 1
            if packet.payload_type not in self._rtx_payload_types:
                self.media_ssrc = packet.ssrc
                if self._vp8_payload_types and packet.payload_type in self._vp8_payload_types:
                    layer = vp8_temporal_layer(packet.payload)
                    if layer is not None:
                        layers = self._layers
                        if len(layers) >= _LAYER_MEMORY:
                            del layers[next(iter(layers))]
                        layers[packet.timestamp] = layer
            if self._on_audio_level is not None:
                level = packet.extensions.audio_level
                if level is not None:
                    vad, dbov = level
                    self._on_audio_level(int(dbov), bool(vad))
            await original_rtp(packet, arrival_time_ms=arrival_time_ms)  # stats, RTCP
            if packet.payload_type in self._vp8_payload_types:
                self._packets_since_frame += 1
                if (
                    self._packets_since_frame >= _STALL_PACKETS
                    and time.monotonic() - self._last_frame_at > VIDEO_STALL_SECONDS
                ):
                    self._skip_gap()
            audio_codec = self._audio_codecs.get(packet.payload_type)
            if audio_codec is not None and receiver._enabled:
                self._deliver_audio_packet(audio_codec, packet)

        receiver._RTCRtpReceiver__decoder_queue = _EncodedFrameQueue(self._deliver)
        if receiver._RTCRtpReceiver__kind == "video":
            old_buffer = receiver._RTCRtpReceiver__jitter_buffer
            receiver._RTCRtpReceiver__jitter_buffer = FrameOnMarkerBuffer(
                capacity=old_buffer.capacity, is_video=True
            )
        receiver.receive = receive
        receiver._handle_rtp_packet = handle_rtp_packet
        receiver._send_rtcp = send_rtcp
        setattr(receiver, _MARK, self)


def tap_receiver(
    receiver: RTCRtpReceiver,
    *,
    on_frame: FrameSink | None = None,
    on_audio_level: AudioLevelSink | None = None,
    red_payload_type: int | None = None,
    nack_audio: bool = False,
) -> ReceiverTap:
    """Make ``receiver`` pass encoded frames through instead of decoding them.

    ``red_payload_type``: the negotiated RED payload type around Opus (audio, with
    ``on_frame``); RED packets are unpacked and their repeats fill the gaps they cover.
    ``nack_audio``: ask for the audio packets the publisher's leg lost (NACK) and forward them
    late when they come (``repair.py``).

    Must be called after ``setRemoteDescription`` created the receiver and before the peer
    connection starts it (i.e. before ICE/DTLS complete; calling it before ``setLocalDescription``
    is always in time). Idempotent: a second call returns the first tap unchanged.
    """
    existing = getattr(receiver, _MARK, None)
    if isinstance(existing, ReceiverTap):
        return existing
    if receiver._RTCRtpReceiver__started:  # type: ignore[attr-defined]
        raise RuntimeError("tap_receiver() must be called before the receiver starts")
    tap = ReceiverTap(receiver, on_frame, on_audio_level, red_payload_type, nack_audio)
    tap._install()
    return tap


@dataclass(slots=True)
class _SenderHooks:
    """Callbacks run on a sender's incoming RTCP before aiortc handles it."""

    keyframe: Callable[[], None] | None = None
    nack: Callable[[list[int]], None] | None = None
    report: Callable[[int], None] | None = None
    """Receiver reports about the sender's own SSRC: their ``fraction lost`` (8 bits)."""
    remb: Callable[[int], None] | None = None
    """A REMB naming the sender's SSRC: the subscriber's estimate of its downlink (bit/s)."""


def _sender_hooks(sender: RTCRtpSender) -> _SenderHooks:
    """The hooks of ``sender``, installing its ``_handle_rtcp_packet`` wrapper on first use."""
    target: Any = sender
    hooks = getattr(target, _MARK, None)
    if isinstance(hooks, _SenderHooks):
        return hooks
    hooks = _SenderHooks()
    forward: Callable[[Any], Coroutine[Any, Any, None]] = target._handle_rtcp_packet

    async def handle_rtcp_packet(packet: Any) -> None:
        try:
            if isinstance(packet, RtcpPsfbPacket) and packet.fmt in (RTCP_PSFB_PLI, RTCP_PSFB_FIR):
                if hooks.keyframe is not None:
                    hooks.keyframe()
            elif (
                isinstance(packet, RtcpRtpfbPacket)
                and packet.fmt == RTCP_RTPFB_NACK
                and hooks.nack is not None
            ):
                hooks.nack(list(packet.lost))
            elif (
                isinstance(packet, RtcpPsfbPacket)
                and packet.fmt == RTCP_PSFB_APP
                and hooks.remb is not None
            ):
                bitrate, ssrcs = unpack_remb_fci(packet.fci)
                if target._ssrc in ssrcs:
                    hooks.remb(int(bitrate))
            elif isinstance(packet, (RtcpRrPacket, RtcpSrPacket)) and hooks.report is not None:
                for report in packet.reports:
                    if report.ssrc == target._ssrc:
                        hooks.report(int(report.fraction_lost))
        except Exception:
            logger.exception("RTCP hook failed")
        await forward(packet)

    target._handle_rtcp_packet = handle_rtcp_packet
    setattr(target, _MARK, hooks)
    return hooks


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call ``callback`` whenever the remote end of ``sender`` sends a PLI or FIR for it.

    aiortc still sets its own force-keyframe flag, which is harmless: packets are not encoded.
    Installing twice on one sender replaces the callback.
    """
    _sender_hooks(sender).keyframe = callback


#: seconds from the NTP epoch (1900) to the Unix epoch (1970)
_NTP_UNIX_OFFSET = 2_208_988_800
_RTP_HEADER = struct.Struct("!BBHII")
_RTP_VERSION_2 = 0x80
_RTP_EXTENSION_BIT = 0x10
_RTP_MARKER = 0x80
_ABS_SEND_TIME_PROBE = 0xFFFFFF
_FORWARDED_CODECS = ("audio/opus", "video/vp8")


def rtp_header_template(extensions_map: Any, mid: str | None) -> tuple[bytes, bytes, bool]:
    """The header extension block aiortc's sender writes, split around its abs-send-time value.

    Returns ``(head, tail, has_abs_send_time)``: the block is ``head + abs_send_time (3 bytes) +
    tail`` if ``has_abs_send_time``, else ``head`` alone (``b""``: no extension at all). Built
    with the sender's own ``HeaderExtensionsMap.set()`` twice (abs-send-time 0 and 0xFFFFFF), so
    the ids, their order, one- or two-byte form and padding are exactly aiortc's.
    """

    def block(abs_send_time: int) -> bytes:
        values = HeaderExtensions()
        values.mid = mid
        values.abs_send_time = abs_send_time
        profile, value = cast(tuple[int, bytes], extensions_map.set(values))
        if not value:
            return b""
        return struct.pack("!HH", profile, len(value) >> 2) + value

    zero, probe = block(0), block(_ABS_SEND_TIME_PROBE)
    if zero == probe:
        return zero, b"", False
    at = next(i for i, (a, b) in enumerate(zip(zero, probe, strict=True)) if a != b)
    return zero[:at], zero[at + 3 :], True


class SendResult(enum.Enum):
    """What :meth:`RtpWriter.write` did with a frame."""

    SENT = "sent"
    FAILED = "failed"
    """Not sent this time (not started yet, or an error sending it); later frames may go."""
    GONE = "gone"
    """The connection is closed or failed: nothing will ever be sent on it again."""


_DEAD_DTLS = frozenset({DtlsState.CLOSED, DtlsState.FAILED})


def _ntp_now() -> int:
    """The wall clock as a 64-bit NTP timestamp (what aiortc's ``clock.current_ntp_time`` gives,
    without building a ``datetime``)."""
    return int((time.time() + _NTP_UNIX_OFFSET) * 4_294_967_296.0)


class RtpWriter:
    """Sends encoded frames on one ``RTCRtpSender``'s RTP stream, synchronously.

    Replaces aiortc's per-packet sender loop for a relay slot (see the module docstring): the
    sender's task still starts and parks on its track (which yields nothing), its RTCP task still
    sends reports from the counters this writer keeps up to date, and NACKs are answered by
    aiortc's own retransmission (RTX when negotiated) from packets this writer remembers.

    Create it before the peer connection connects; ``on_ready`` is called once, on the event loop,
    when the sender has started (DTLS is up and the codec is known). Until then
    :meth:`write` returns ``FAILED`` and sends nothing; once the connection is closed or failed it
    returns ``GONE``. Like aiortc's per-sender encoder, each writer numbers VP8 pictures itself.

    With ``red_payload_type`` (the subscriber negotiated RED around Opus on this m-line) each
    audio packet repeats the last :attr:`red_distance` frames sent (RFC 2198): one, or up to
    ``MAX_DISTANCE`` as the subscriber's receiver reports show loss (``red.LossEstimate``).
    """

    def __init__(
        self,
        sender: RTCRtpSender,
        on_ready: Callable[[], None] | None = None,
        red_payload_type: int | None = None,
    ) -> None:
        self._sender: Any = sender
        self._on_ready = on_ready
        self._ready = False
        self._video = False
        self._first_byte = _RTP_VERSION_2
        self._payload_type = 0
        self._red_payload_type = red_payload_type
        #: (RTP timestamp, Opus frame) of the last frames sent, oldest first (RED repeats)
        self._recent: deque[tuple[int, bytes]] = deque(maxlen=MAX_DISTANCE)
        self.loss = LossEstimate()
        """The subscriber's loss on this stream, from its receiver reports."""
        self.red_limit = MAX_DISTANCE
        #: the last audio datagram to a lossy subscriber and its pending resends (``_quiet``)
        self._quiet_handle: asyncio.TimerHandle | None = None
        self.quiet_resends = 0
        """Audio datagrams sent again because the stream went quiet after them."""
        """At most this many repeats, whatever the loss: a subscriber whose downlink is full
        (the relay's adaptation) loses more, not less, when its audio grows fivefold."""
        self._ssrc = 0
        self._mid: str | None = None
        self._ext_head = b""
        self._ext_tail = b""
        self._has_abs_send_time = False
        # the lower half, as aiortc does: an early wrap would desynchronise the SRTP rollover
        # counter of a receiver that missed the first packets
        self._sequence = random.getrandbits(15)
        self._timestamp_origin = random.getrandbits(32)
        self._picture_id = random.getrandbits(15)
        self._history: list[tuple[int, int, int, int, bytes] | None] = [None] * RTP_HISTORY_SIZE
        self._dtls: Any = None
        self._nominated: dict[int, Any] = {}
        self.packets = 0
        self.octets = 0
        self.retransmit_requests = 0
        self.retransmitted = 0
        """Packets sent again through the pacer (a paced subscriber's NACKs)."""
        self.retransmits_skipped = 0
        """NACKed packets not sent again: the pacer was behind."""
        self.probe_octets = 0
        self.probe_packets = 0
        """Padding sent to probe the downlink (:meth:`pad`)."""
        self.probe_nacks = 0
        """Padding packets the subscriber NACKed: probes its link did not carry."""
        self._padding: dict[int, int] = {}
        """Sequence numbers of recent padding, and their timestamps."""
        self._probe_nacked = 0
        self._probe_padding = 0
        self._probe_stop_share = 0.0
        self._last_timestamp = self._timestamp_origin
        #: the latest receiver report's ``fraction lost`` (8 bits) and how many came
        self.fraction_lost = 0
        self.reports = 0
        #: the latest REMB naming this stream (bit/s), and when (monotonic)
        self.remb_bps: int | None = None
        self.remb_at = 0.0
        self._failure_logged = False
        self.pacer: Pacer | None = None
        """Paces this stream's packets when it is video (the subscriber's, ``pacer.py``)."""
        self._install()

    @property
    def ready(self) -> bool:
        return self._ready

    @property
    def red_distance(self) -> int:
        """Earlier audio frames each packet repeats (0: RED not negotiated, or video)."""
        if self._red_payload_type is None or self._video:
            return 0
        return min(self.loss.distance, self.red_limit)

    def _install(self) -> None:
        sender = self._sender
        original_run: Callable[[Any], Coroutine[Any, Any, None]] = sender._run_rtp

        async def run_rtp(codec: Any) -> None:
            try:
                self._bind(codec)
            except Exception:
                logger.exception("cannot forward on this sender; it stays silent")
            await original_run(codec)

        sender._run_rtp = run_rtp
        hooks = _sender_hooks(sender)
        hooks.nack = self._on_nack
        hooks.report = self._on_report
        hooks.remb = self._on_remb

    def _bind(self, codec: Any) -> None:
        mime = str(codec.mimeType).lower()
        if mime not in _FORWARDED_CODECS:
            raise ValueError(f"negotiated {codec.mimeType}, which the relay does not forward")
        sender = self._sender
        self._video = mime == "video/vp8"
        self._payload_type = int(codec.payloadType)
        self._ssrc = int(sender._ssrc)
        self._mid = sender._RTCRtpSender__mid
        self._ext_head, self._ext_tail, self._has_abs_send_time = rtp_header_template(
            sender._RTCRtpSender__rtp_header_extensions_map, self._mid
        )
        self._first_byte = _RTP_VERSION_2 | (_RTP_EXTENSION_BIT if self._ext_head else 0)
        self._dtls = sender.transport
        self._nominated = self._dtls.transport._connection._nominated
        self._ready = True
        if self._on_ready is not None:
            self._on_ready()

    def write(self, frame: EncodedFrame, pts: int) -> SendResult:
        """Send ``frame`` with RTP timestamp ``pts`` (in the frame's clock)."""
        if not self._ready:
            return SendResult.FAILED
        state = self._dtls._state
        if state is not DtlsState.CONNECTED:
            if state in _DEAD_DTLS:
                return SendResult.GONE
            if not self._failure_logged:
                self._failure_logged = True
                logger.warning("not forwarding to SSRC %s: DTLS is %s", self._ssrc, state.name)
            return SendResult.FAILED
        pair = self._nominated.get(1)
        if pair is None:  # aioice clears it when the connection closes (consent lost)
            return SendResult.GONE
        timestamp = (self._timestamp_origin + pts) & 0xFFFFFFFF
        payload_type = self._payload_type
        pacer = self.pacer if self._video else None
        if pacer is not None and not pacer.accepts_frame():
            return SendResult.FAILED  # too late behind what waits: the slot awaits a keyframe
        if self._video:
            payloads: Sequence[bytes] = Vp8Encoder._packetize(frame.data, self._picture_id)
            self._picture_id = (self._picture_id + 1) & 0x7FFF
        elif self._red_payload_type is not None and frame.late:  # its repeats went long ago
            payloads = (build_red(payload_type, frame.data),)
            payload_type = self._red_payload_type
        elif self._red_payload_type is not None:  # RED: the last frames again, then this one
            distance = min(self.loss.distance, self.red_limit)
            recent = list(self._recent)[-distance:] if distance else []
            payloads = (
                build_red(
                    payload_type,
                    frame.data,
                    [((timestamp - ts) & 0xFFFFFFFF, data) for ts, data in recent],
                ),
            )
            payload_type = self._red_payload_type
            self._recent.append((timestamp, frame.data))
        else:
            payloads = (frame.data,)  # Opus: one packet a frame
        sendto = pair.protocol.transport.sendto
        addr = pair.remote_addr
        protect = self._dtls._tx_srtp.protect
        ntp = _ntp_now()
        extension = self._extension(ntp)
        first, ssrc = self._first_byte, self._ssrc
        sequence = self._sequence
        history = self._history
        pack = _RTP_HEADER.pack
        last = len(payloads) - 1
        octets = 0
        late = frame.late
        resend = not self._video and not late and self.red_distance >= QUIET_RESEND_FROM
        if self._quiet_handle is not None and not late:
            self._quiet_handle.cancel()
            self._quiet_handle = None
        try:
            for i, payload in enumerate(payloads):
                marker = _RTP_MARKER if i == last else 0
                header = pack(first, marker | payload_type, sequence, timestamp, ssrc)
                if pacer is None:
                    datagram = protect(header + extension + payload)
                    sendto(datagram, addr)
                    if resend:
                        self._quiet_handle = asyncio.get_running_loop().call_later(
                            QUIET_AFTER, self._quiet, datagram, QUIET_RESENDS
                        )
                else:
                    pacer.send(
                        sendto,
                        self._builder(protect, header, payload),
                        len(header) + len(extension) + len(payload) + _SRTP_TAG,
                        addr,
                    )
                history[sequence % RTP_HISTORY_SIZE] = (
                    sequence,
                    timestamp,
                    marker,
                    payload_type,
                    payload,
                )
                sequence = (sequence + 1) & 0xFFFF
                octets += len(payload)
        except Exception:
            # one broken subscriber must not stop the fan-out to the others (the caller loops)
            self._sequence = sequence
            if not self._failure_logged:
                self._failure_logged = True
                logger.exception("forwarding to SSRC %s failed; later failures not logged", ssrc)
            return SendResult.FAILED
        self._sequence = sequence
        self.packets += len(payloads)
        self.octets += octets
        # what aiortc's RTCP task puts in the sender reports (a late frame's timestamp is not
        # the stream's time now)
        sender = self._sender
        if not late:
            sender._RTCRtpSender__ntp_timestamp = ntp
            sender._RTCRtpSender__rtp_timestamp = timestamp
            self._last_timestamp = timestamp
        sender._RTCRtpSender__packet_count += len(payloads)
        sender._RTCRtpSender__octet_count += octets
        return SendResult.SENT

    @property
    def video(self) -> bool:
        return self._video

    def _extension(self, ntp: int) -> bytes:
        """The header extension block, its abs-send-time from ``ntp``."""
        if self._has_abs_send_time:
            return self._ext_head + ((ntp >> 14) & 0xFFFFFF).to_bytes(3, "big") + self._ext_tail
        return self._ext_head

    def _builder(
        self, protect: Callable[[bytes], bytes], header: bytes, payload: bytes
    ) -> Callable[[], bytes]:
        """The datagram of a paced packet, its abs-send-time taken when it leaves."""

        def build() -> bytes:
            if self._has_abs_send_time:
                now = ((_ntp_now() >> 14) & 0xFFFFFF).to_bytes(3, "big")
                datagram = protect(header + self._ext_head + now + self._ext_tail + payload)
            else:
                datagram = protect(header + self._ext_head + payload)
            return datagram

        return build

    def _quiet(self, datagram: bytes, left: int) -> None:
        """No audio frame followed ``datagram`` for ``QUIET_AFTER``: the publisher paused (Opus
        DTX sends one frame every 400 ms in silence), so no later packet will repeat this one
        (RED reaches 341 ms back at most). Send the same bytes again, ``left`` times in all: a
        receiver that has them drops the copy (SRTP replay check); the same ciphertext is sent,
        never a new one under the same sequence number."""
        self._quiet_handle = None
        pair = self._nominated.get(1)
        if pair is None or self._dtls._state is not DtlsState.CONNECTED:
            return
        try:
            pair.protocol.transport.sendto(datagram, pair.remote_addr)
        except Exception:  # the next write reports a broken path
            return
        self.quiet_resends += 1
        if left > 1:
            self._quiet_handle = asyncio.get_running_loop().call_later(
                QUIET_AFTER, self._quiet, datagram, left - 1
            )

    def _on_report(self, fraction_lost: int) -> None:
        self.loss.update(fraction_lost)
        self.fraction_lost = fraction_lost
        self.reports += 1

    def _on_remb(self, bitrate: int) -> None:
        self.remb_bps = bitrate
        self.remb_at = time.monotonic()

    def _on_nack(self, lost: list[int]) -> None:
        """Answer a subscriber's NACK. Paced (its downlink is reduced), the packets are sent
        again through the pacer and counted in what this stream sent, and only while the pacer
        is not behind (``RETRANSMIT_BACKLOG``): aiortc's answers would leave at once and
        uncounted, and on a capped link they were what overflowed it (``docs/performance.md``).
        Otherwise they are put back into aiortc's history, as its loop would have left them,
        so that its ``_retransmit`` answers (RTX if negotiated)."""
        history: dict[int, RtpPacket] = self._sender._RTCRtpSender__rtp_history
        pacer = self.pacer if self._video else None
        paced = pacer is not None and pacer.rate_bps is not None
        for sequence in lost:
            padding_timestamp = self._padding.pop(sequence, None)
            if padding_timestamp is not None:  # probe the link dropped
                self._probe_nacked += 1
                self.probe_nacks += 1
                # answered all the same, empty, once: a receiver that assembles frames by
                # sequence number (aiortc's) would otherwise wait on the gap (measured: its
                # video stalled behind a lost padding packet). Paced like the media's answers:
                # unpaced, repeated NACKs of an overflowed probe were answered by 900 tiny
                # datagrams in one second into the full link (measured)
                answer = (sequence, padding_timestamp, 0, self._payload_type, b"")
                if paced:
                    self._resend_paced(cast(Pacer, pacer), answer)
                    continue
            else:
                self.retransmit_requests += 1
                kept = self._history[sequence % RTP_HISTORY_SIZE]
                if kept is None or kept[0] != sequence:
                    continue
                if paced:
                    self._resend_paced(cast(Pacer, pacer), kept)
                    continue
                answer = kept
            packet = self._packet(answer)
            packet.extensions.mid = self._mid
            if self._has_abs_send_time:
                packet.extensions.abs_send_time = (_ntp_now() >> 14) & 0xFFFFFF
            history[sequence % RTP_HISTORY_SIZE] = packet

    def _packet(self, kept: tuple[int, int, int, int, bytes]) -> RtpPacket:
        """A kept packet (``_history``) as aiortc's ``RtpPacket``, to send again."""
        sequence, timestamp, marker, payload_type, payload = kept
        return RtpPacket(
            payload_type=payload_type,
            marker=1 if marker else 0,
            sequence_number=sequence,
            timestamp=timestamp,
            ssrc=self._ssrc,
            payload=payload,
        )

    def _resend_paced(self, pacer: Pacer, kept: tuple[int, int, int, int, bytes]) -> None:
        """Send a kept packet again through the pacer, as aiortc would (RTX when negotiated:
        a retransmission under the media's own SSRC would count as received in the
        subscriber's reports and hide the very loss the adaptation reads)."""
        if pacer.backlog() > RETRANSMIT_BACKLOG or self._dtls._state is not DtlsState.CONNECTED:
            self.retransmits_skipped += 1
            return
        pair = self._nominated.get(1)
        if pair is None:
            return
        sender = self._sender
        packet = self._packet(kept)
        rtx_payload_type: int | None = sender._RTCRtpSender__rtx_payload_type
        if rtx_payload_type is not None:
            packet = wrap_rtx(
                packet,
                payload_type=rtx_payload_type,
                sequence_number=sender._RTCRtpSender__rtx_sequence_number,
                ssrc=sender._rtx_ssrc,
            )
            sender._RTCRtpSender__rtx_sequence_number = (
                sender._RTCRtpSender__rtx_sequence_number + 1
            ) & 0xFFFF
        packet.extensions.mid = self._mid
        extensions = sender._RTCRtpSender__rtp_header_extensions_map
        protect = self._dtls._tx_srtp.protect

        def build() -> bytes:
            if self._has_abs_send_time:
                packet.extensions.abs_send_time = (_ntp_now() >> 14) & 0xFFFFFF
            return cast(bytes, protect(packet.serialize(extensions)))

        size = _RTP_HEADER.size + len(packet.payload) + len(self._extension(0)) + _SRTP_TAG
        pacer.send(pair.protocol.transport.sendto, build, size, pair.remote_addr)
        self.retransmitted += 1
        self.packets += 1
        self.octets += len(kept[4])

    def begin_probe(self, stop_share: float = 0.0) -> None:
        """A new probe starts (``probe.py``): padding may be sent until more than
        ``stop_share`` of it (and at least ``PROBE_NACKS_TO_STOP`` packets) is NACKed: a link
        that loses some of everything (a ship's radio) does not stop every probe."""
        self._probe_stop_share = stop_share
        self._probe_padding = 0
        self._probe_nacked = 0

    def pad(self, octets: int) -> int:
        """Send about ``octets`` of probe as padding-only RTP packets on this video stream
        (RFC 3550, 5.1: ``MAX_PADDING`` bytes each, under the stream's next sequence numbers
        and its last timestamp). The receiver counts them in its reports and NACKs the ones
        the link drops, which is how an overflowing probe is seen at once; it decodes
        nothing from them. Returns the bytes sent: none on an audio stream, before the stream
        started, or once this probe's padding was NACKed (:meth:`begin_probe`)."""
        nacked = self._probe_nacked
        if (
            not self._video
            or not self._ready
            or (
                nacked >= PROBE_NACKS_TO_STOP
                and nacked > self._probe_stop_share * self._probe_padding
            )
        ):
            return 0
        pair = self._nominated.get(1)
        if pair is None or self._dtls._state is not DtlsState.CONNECTED:
            return 0
        sendto, addr = pair.protocol.transport.sendto, pair.remote_addr
        protect = self._dtls._tx_srtp.protect
        extension = self._extension(_ntp_now())
        padding = bytes(MAX_PADDING - 1) + bytes([MAX_PADDING])
        timestamp = self._last_timestamp
        sent = count = 0
        sequence = self._sequence
        with contextlib.suppress(Exception):  # a broken path: the next write reports it
            while sent < octets:
                header = _RTP_HEADER.pack(
                    self._first_byte | _RTP_PADDING_BIT, self._payload_type, sequence,
                    timestamp, self._ssrc,
                )  # fmt: skip
                datagram = protect(header + extension + padding)
                sendto(datagram, addr)
                self._padding[sequence] = timestamp
                if len(self._padding) > PADDING_KEPT:
                    del self._padding[next(iter(self._padding))]
                sequence = (sequence + 1) & 0xFFFF
                sent += len(datagram)
                count += 1
        self._sequence = sequence
        self.probe_octets += sent
        self.probe_packets += count
        self._probe_padding += count
        self._sender._RTCRtpSender__packet_count += count
        return sent


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


#: RFC 7675 section 5.1: consent expires this long after the last successful check
CONSENT_TIMEOUT = 30.0
#: a consent round starts every interval (randomised by ±20 %, as RFC 7675 asks)
CONSENT_INTERVAL = 5.0
#: bounds of the resend interval inside a round; between them it is 2 × the smoothed RTT
CONSENT_MIN_RTO = 0.5
CONSENT_MAX_RTO = 3.0
#: a wait overrunning by more than this is a stall of this process, not silence of the peer
CONSENT_STALL = 2.0
#: a check older than this no longer proves consent when its answer comes
_CONSENT_CHECK_MAX_AGE = 15.0


class ConsentFreshness:
    """Consent freshness (RFC 7675) that holds on long, lossy links, for one aioice connection.

    aioice's own ``Connection.query_consent`` sends one check every ~5 s with no retransmission
    and a 0.5 s timeout, and gives up after 6 failures: at a 600 ms round trip every check
    "fails" and the connection closes after ~30 s ("Consent to send expired"), even on a clean
    geostationary link. Here a round sends a check at once and another every RTO (2 × the
    smoothed RTT, 0.5–3 s) until one is answered; consent expires only when no check has been
    answered for ``CONSENT_TIMEOUT`` (30 s, RFC 7675), so loss bursts shorter than that cost
    nothing. Each resend is a new STUN transaction, so every answer is an unambiguous RTT sample.

    Private aioice API: ``Connection.query_consent`` (replaced per instance: ``connect()`` starts
    it as ``self.query_consent()`` and ``close()`` cancels ``_query_consent_task``),
    ``Connection._nominated``, ``remote_password``, ``build_request(pair, nominate)``, and
    ``StunProtocol.transactions`` (responses are handed to ``transactions[id].response_received``).
    """

    def __init__(self, connection: Any, clock: Callable[[], float] = time.monotonic) -> None:
        self._connection = connection
        self._clock = clock
        self.srtt: float | None = None
        self.rtt: float | None = None
        """The latest round trip measured (seconds): a changed path shows at once, where the
        smoothed one (a check every 5 s or so) takes a minute."""
        self.last_success: float | None = None
        self.checks_sent = 0
        self.answers = 0
        self.stalls = 0
        self.expired = False
        self._answered = asyncio.Event()
        self._pending: dict[bytes, tuple[Any, Any, float]] = {}

    @property
    def rto(self) -> float:
        if self.srtt is None:
            return CONSENT_MIN_RTO
        return min(CONSENT_MAX_RTO, max(CONSENT_MIN_RTO, 2 * self.srtt))

    async def run(self) -> None:
        """Replaces ``Connection.query_consent`` (runs until cancelled or consent expires)."""
        self.last_success = self._clock()
        try:
            while True:
                round_end = self._clock() + CONSENT_INTERVAL * (0.8 + 0.4 * random.random())
                self._answered.clear()
                while not self._answered.is_set() and self._clock() < round_end:
                    self._send_checks()
                    wait = min(self.rto, max(0.0, round_end - self._clock()))
                    started = self._clock()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._answered.wait(), wait)
                    self._forgive_stall(started, wait)
                    if self._is_expired():
                        return await self._expire()
                started, wait = self._clock(), max(0.0, round_end - self._clock())
                await asyncio.sleep(wait)
                self._forgive_stall(started, wait)
                if self._is_expired():
                    return await self._expire()
        finally:
            self._forget_all()

    def _forgive_stall(self, started: float, wait: float) -> None:
        """A wait that overran by seconds means this process did not run (a loaded host): no
        check could be sent or answered meanwhile, so that time does not count against the
        peer. Consent expires after 30 s of this process running without an answer."""
        overrun = self._clock() - started - wait
        if overrun > CONSENT_STALL and self.last_success is not None:
            self.last_success += overrun
            self.stalls += 1
            logger.warning("event loop stalled %.1f s: consent deadline moved as much", overrun)

    def _is_expired(self) -> bool:
        assert self.last_success is not None
        return self._clock() - self.last_success > CONSENT_TIMEOUT

    async def _expire(self) -> None:
        self.expired = True
        logger.info("ICE consent expired: no check answered for %.0f s", CONSENT_TIMEOUT)
        self._forget_all()
        self._connection._query_consent_task = None
        await self._connection.close()

    def _send_checks(self) -> None:
        connection = self._connection
        now = self._clock()
        for tid, (protocol, _, sent_at) in list(self._pending.items()):
            if now - sent_at > _CONSENT_CHECK_MAX_AGE:
                self._forget(tid, protocol)
        key = str(connection.remote_password).encode("utf8")
        for pair in list(connection._nominated.values()):
            request = connection.build_request(pair, nominate=False)
            request.add_message_integrity(key)
            tid = request.transaction_id
            protocol = pair.protocol
            protocol.transactions[tid] = _ConsentCheck(self, tid, key)
            self._pending[tid] = (protocol, pair, now)
            try:
                protocol.send_stun(request, pair.remote_addr)
                self.checks_sent += 1
            except Exception:  # a closed socket: the round's next send, or expiry, follows
                self._forget(tid, protocol)

    def _answer(self, tid: bytes, message: Any, addr: tuple[str, int], key: bytes) -> None:
        entry = self._pending.get(tid)
        if entry is None:
            return
        protocol, pair, sent_at = entry
        if not message.check_message_integrity(key):
            return  # not from our peer: keep waiting (RFC 8489 section 9.2.5)
        self._forget(tid, protocol)
        if message.message_class is not stun.Class.RESPONSE or addr != pair.remote_addr:
            return
        now = self._clock()
        sample = now - sent_at
        self.srtt = sample if self.srtt is None else 0.875 * self.srtt + 0.125 * sample
        self.rtt = sample
        self.last_success = now
        self.answers += 1
        self._answered.set()

    def _forget(self, tid: bytes, protocol: Any) -> None:
        self._pending.pop(tid, None)
        transactions: dict[bytes, Any] = protocol.transactions
        if isinstance(transactions.get(tid), _ConsentCheck):
            del transactions[tid]

    def _forget_all(self) -> None:
        for tid, (protocol, _, _) in list(self._pending.items()):
            self._forget(tid, protocol)


class _ConsentCheck:
    """Stands in for ``aioice.stun.Transaction`` in ``StunProtocol.transactions``."""

    __slots__ = ("_freshness", "_key", "_tid")

    def __init__(self, freshness: ConsentFreshness, tid: bytes, key: bytes) -> None:
        self._freshness = freshness
        self._tid = tid
        self._key = key

    def response_received(self, message: Any, addr: tuple[str, int]) -> None:
        self._freshness._answer(self._tid, message, (addr[0], addr[1]), self._key)


def tolerate_long_round_trips(pc: RTCPeerConnection) -> list[ConsentFreshness]:
    """Replace aioice's consent checks on every ICE transport of ``pc`` with
    :class:`ConsentFreshness`. Call after the transceivers exist and before the connection
    connects (before ``setLocalDescription`` is always in time). Idempotent."""
    out: list[ConsentFreshness] = []
    for connection in _ice_connections(pc):
        existing = getattr(connection, _CONSENT_MARK, None)
        if isinstance(existing, ConsentFreshness):
            out.append(existing)
            continue
        freshness = ConsentFreshness(connection)
        connection.query_consent = freshness.run
        setattr(connection, _CONSENT_MARK, freshness)
        out.append(freshness)
    return out


_CONSENT_MARK = "_hopchibo_consent"


def _ice_connections(pc: RTCPeerConnection) -> list[Any]:
    """aioice connections of ``pc``'s ICE transports (one per transport, bundled or not)."""
    seen: dict[int, Any] = {}
    for transceiver in pc.getTransceivers():
        connection = transceiver.receiver.transport.transport.iceGatherer._connection
        seen.setdefault(id(connection), connection)
    sctp: Any = pc.sctp
    if sctp is not None:
        connection = sctp.transport.transport.iceGatherer._connection
        seen.setdefault(id(connection), connection)
    return list(seen.values())
