"""The selective forwarding unit for one meeting: encoded media in, encoded media out.

Each participant has one peer connection to the relay, always offered by the client (the slot
protocol, ``docs/media.md``): its first sending audio and video m-lines are what it publishes,
and every m-line on which it receives is a fixed *slot* fed by a relay-owned :class:`SlotTrack`.
People coming and going change which publisher feeds which slot, never the SDP. Frames are
forwarded without decoding (``passthrough.py``); the choice of sources is ``selection.py``.

A client may also offer a *screen line* (its mid in the ``offer`` message): a second video source
of kind ``screen`` it sends while sharing its screen, and one more slot on which it receives the
screen being shared. Only the one presenter the room allows
(:meth:`MeetingRelay.set_screen_presenter`) is forwarded; other clients' screen frames are dropped
here, whatever their page does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpCodecCapability,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.sdp import candidate_from_sdp

from server.media.adapt import (
    FULL_PLAN,
    HEADROOM_DOWN,
    PROBE_SECONDS,
    PROBE_STOP_MARGIN,
    Adaptation,
    FrameRate,
    Level,
    Plan,
    SourceRate,
)
from server.media.ice import IceServer
from server.media.offer import (
    OPUS_FMTP,
    Kind,
    MediaLine,
    OfferLayout,
    parse_offer_layout,
    with_audio_redundancy,
    with_opus_parameters,
)
from server.media.pacer import Pacer
from server.media.passthrough import (
    ConsentFreshness,
    EncodedFrame,
    KeyframeRequester,
    ReceiverTap,
    RtpWriter,
    add_loopback_candidate,
    on_keyframe_request,
    tap_receiver,
    tolerate_long_round_trips,
)
from server.media.probe import ProbeFill
from server.media.red import MAX_DISTANCE
from server.media.repair import RepairHold
from server.media.selection import (
    TICK_SECONDS,
    SpeakerDetector,
    assign_slots,
    desired_sources,
    video_candidates,
)
from server.media.slot import SlotTrack

logger = logging.getLogger(__name__)

#: a publisher whose camera sent nothing for this long is ranked after those whose camera works
STALE_VIDEO_SECONDS = 3.0
#: the one codec per kind on both legs (no transcoding, so publishers and subscribers must agree)
FORCED_CODECS: dict[Kind, str] = {"audio": "audio/opus", "video": "video/vp8"}
#: a publisher's sources: its microphone, its camera and its shared screen (a VP8 video too)
SourceKind = Literal["audio", "video", "screen"]
#: how often each subscriber's downlink is estimated and its plan chosen (``adapt.py``)
ADAPT_SECONDS = 1.0
#: bytes on the wire per RTP packet besides its payload: IPv4/UDP, RTP header and extensions,
#: SRTP tag
PACKET_OVERHEAD = 60
#: a subscriber's video is paced (``pacer.py``) while its plan is reduced or its downlink
#: estimate is below this, at its estimate less its audio, never below ``MIN_PACE_BPS``
PACE_BELOW_BPS = 3_000_000
MIN_PACE_BPS = 50_000
#: the REMB the relay sends a publisher's camera never asks for less than this: aiortc's own
#: estimate fell to a few kbit/s around a path change and starved Chromium's video
#: (docs/media.md); REMB only bounds the publisher from above, its own loss-based control
#: still rules its uplink
PUBLISHER_FLOOR_BPS = 300_000
#: smoothing of the publishers' measured video bitrates (weight of the newest second)
RATE_WEIGHT = 0.3
#: a subscriber's audio rate is taken as its recent peak, decaying by this factor a second
AUDIO_PEAK_DECAY = 0.85


@dataclass(frozen=True, slots=True)
class RelayConfig:
    video_slots: int = 4
    """Videos each subscriber receives (pinned chair/room camera + active speakers)."""
    audio_slots: int = 3
    """Loudest speakers' audio forwarded."""
    add_loopback_candidate: bool = False
    """Tests on loopback-only hosts: aioice drops 127.0.0.1, add it."""
    ice_servers: tuple[IceServer, ...] = ()
    """STUN/TURN for the relay's own peer connections."""
    opus_fec: bool = True
    """Answer Opus with in-band FEC (``useinbandfec=1``); off only to measure what it buys."""
    audio_red: bool = True
    """Negotiate RED (RFC 2198) around Opus with clients that offer it (Chromium, Safari): the
    relay rebuilds what a publisher's leg lost from its repeats and repeats frames to each
    subscriber as its loss calls for. Off only to measure what it buys."""
    adaptation: bool = True
    """Send each subscriber what its downlink carries (``adapt.py``): fewer videos, a lower
    frame rate, audio only. Off only to measure what it buys."""
    audio_nack: bool = True
    """Ask publishers for the audio packets their leg lost and forward them late, with a hold
    at the subscribers (``repair.py``). Off only to measure what it buys."""

    def __post_init__(self) -> None:
        if self.video_slots < 0 or self.audio_slots < 0:
            raise ValueError("slot counts must not be negative")


@dataclass(frozen=True, slots=True)
class SlotsChanged:
    """Which publisher feeds each receive slot, in the order of that kind's receiving m-lines."""

    participant_id: str
    video: tuple[str | None, ...]
    audio: tuple[str | None, ...]
    screen: tuple[str | None, ...] = ()
    """The screen slot (none when the client offered no screen line): the presenter or None."""
    link: str = Level.FULL.value
    """What the relay's adaptation leaves of the video: ``full``, ``fewer_videos``,
    ``low_frame_rate`` or ``audio_only`` (``adapt.Level``)."""
    audio_hold: tuple[int, ...] = ()
    """Per audio slot, how long to hold its audio (ms; 0: the browser's choice): its publisher's
    uplink loses packets and their retransmissions come a round trip late (``repair.py``).
    Empty when no slot is held."""


@dataclass(frozen=True, slots=True)
class ActiveSpeakers:
    participant_ids: tuple[str, ...]
    """Speaking now, dominant first."""


@dataclass(frozen=True, slots=True)
class PeerStateChanged:
    participant_id: str
    state: str
    """``RTCPeerConnection.connectionState``: new, connecting, connected, failed, closed."""


RelayEvent = SlotsChanged | ActiveSpeakers | PeerStateChanged

#: ``(publisher id, kind, frame)`` for every frame a publisher sends that is not muted
FrameListener = Callable[[str, Kind, EncodedFrame], None]
#: ``(publisher id, kind, frame, audio level)`` for every forwarded frame of a publisher served
#: here (not of remote ones): what the pipe carries to the other relay workers (``pipe.py``)
PipeListener = Callable[[str, "SourceKind", EncodedFrame, int | None], None]
#: asks the worker serving a remote publisher for a keyframe of its ``video`` or ``screen``
RemoteKeyframe = Callable[[str, "SourceKind"], None]


@dataclass(frozen=True, slots=True)
class ParticipantStats:
    participant_id: str
    connection_state: str
    audio_only: bool
    publishes_audio: bool
    publishes_video: bool
    received_audio_frames: int
    """Encoded frames received from this participant (one per RTP packet for Opus)."""
    received_video_frames: int
    forwarded_audio_packets: int
    """Encoded frames sent to this participant (one RTP packet each for Opus)."""
    forwarded_video_packets: int
    dropped_packets: int
    """Frames not forwarded to this participant: queue overflow, waiting for a keyframe."""
    keyframe_requests_received: int
    """PLI/FIR this participant's client sent the relay."""
    lost_packets_reported: int
    """RTP packets this participant's client reported lost (NACK); the relay resends those it
    still holds (the last 128 per stream)."""
    keyframe_requests_to_publisher: int
    """Keyframes asked of this participant as a publisher, before coalescing."""
    plis_to_publisher: int
    """PLIs actually sent to this participant (at most one per 300 ms)."""
    video_slots: tuple[str | None, ...]
    audio_slots: tuple[str | None, ...]
    recovered_audio_frames: int = 0
    """Audio frames from this publisher that its leg lost, rebuilt from its RED repeats."""
    audio_redundancy: int = 0
    """Earlier frames repeated in each audio packet to this subscriber (RED), at most over its
    audio slots; 0 without RED."""
    quiet_audio_resends: int = 0
    """Audio packets sent to this subscriber again because its publisher paused after them
    (DTX), on its current connection (``RtpWriter._quiet``)."""
    received_screen_frames: int = 0
    """Encoded frames of this participant's shared screen (forwarded only while presenting)."""
    forwarded_screen_packets: int = 0
    """Screen frames sent to this participant on its screen slot."""
    screen_slots: tuple[str | None, ...] = ()
    link: str = Level.FULL.value
    """The adaptation's level for this subscriber (``SlotsChanged.link``)."""
    downlink_bps: float | None = None
    """The adaptation's estimate of this subscriber's downlink (``None``: adaptation off)."""
    sent_bps: float = 0.0
    """What the relay sent this subscriber over the last second (RTP, with headers)."""
    thinned_video_frames: int = 0
    """Video frames left out for this subscriber's lower frame rate."""
    nacked_audio_packets: int = 0
    """This publisher's audio packets its leg lost that the relay asked for again (NACK), on
    its current connection."""
    late_audio_frames: int = 0
    """Of those, frames that came and were forwarded late (``repair.py``)."""
    uplink_audio_loss: float = 0.0
    """This publisher's audio loss on its way to the relay, as measured (before repair)."""
    audio_hold_ms: int = 0
    """How long subscribers are told to hold this publisher's audio (``SlotsChanged``)."""
    probe_bytes: int = 0
    """Sent to probe this subscriber's downlink (``probe.py``), on its current connection."""
    probes: tuple[int, int] = (0, 0)
    """Probes of this subscriber's downlink, and of them how many overflowed it."""
    retransmitted_video_packets: int = 0
    """Video packets this subscriber NACKed, sent again through its pacer while reduced."""

    @property
    def forwarded_streams(self) -> int:
        return sum(s is not None for s in self.video_slots + self.audio_slots + self.screen_slots)


@dataclass(frozen=True, slots=True)
class RelayStats:
    participants: tuple[ParticipantStats, ...]
    active_speakers: tuple[str, ...]

    @property
    def forwarded_streams(self) -> int:
        return sum(p.forwarded_streams for p in self.participants)

    @property
    def forwarded_packets(self) -> int:
        return sum(p.forwarded_audio_packets + p.forwarded_video_packets for p in self.participants)

    def participant(self, participant_id: str) -> ParticipantStats:
        for p in self.participants:
            if p.participant_id == participant_id:
                return p
        raise KeyError(participant_id)


class UnknownParticipantError(KeyError):
    pass


@dataclass(eq=False, slots=True)
class _Peer:
    """One peer connection of a participant (a new one per renegotiation); for a publisher
    served by another relay worker (``add_remote_publisher``), none: ``pc`` is ``None``."""

    pc: RTCPeerConnection | None
    audio_slots: tuple[SlotTrack, ...]
    video_slots: tuple[SlotTrack, ...]
    audio_tap: ReceiverTap | None = None
    video_tap: ReceiverTap | None = None
    screen_tap: ReceiverTap | None = None
    """The client's screen line, on which it sends its screen while sharing."""
    screen_slots: tuple[SlotTrack, ...] = ()
    """The slot on which it receives the shared screen (none, or one)."""
    writers: list[RtpWriter] = field(default_factory=list)
    pacer: Pacer = field(default_factory=Pacer)
    """Paces the video sent on this peer connection while its downlink is reduced."""
    probe: ProbeFill = field(default_factory=ProbeFill)
    """Probes its downlink while its video is reduced (``probe.py``)."""
    retired: bool = False
    """Replaced by renegotiation or disconnected: its events and frames are ignored."""
    remote_kinds: frozenset[SourceKind] = frozenset()
    """What a remote publisher sends through the pipe (its taps are on another worker)."""
    consent: list[ConsentFreshness] = field(default_factory=list)
    """The consent checks of its ICE connection, which measure the round trip."""

    @property
    def rtt(self) -> float | None:
        """The round trip to the client (seconds), ``None`` before it is measured: the larger of
        the smoothed one and the latest (a path that just grew longer counts at once)."""
        for check in self.consent:
            if check.srtt is not None and check.rtt is not None:
                return max(check.srtt, check.rtt)
        return None

    def publishes(self, kind: SourceKind) -> bool:
        if kind in self.remote_kinds:
            return True
        tap = {"audio": self.audio_tap, "video": self.video_tap, "screen": self.screen_tap}[kind]
        return tap is not None

    def slots(self, kind: SourceKind) -> tuple[SlotTrack, ...]:
        if kind == "screen":
            return self.screen_slots
        return self.audio_slots if kind == "audio" else self.video_slots


@dataclass(eq=False, slots=True)
class _Participant:
    id: str
    peer: _Peer
    audio_only: bool
    keyframes: KeyframeRequester | None = None
    screen_keyframes: KeyframeRequester | None = None
    #: kinds the chair has muted: packets received are dropped, never forwarded
    muted: set[Kind] = field(default_factory=set)
    received: dict[SourceKind, int] = field(
        default_factory=lambda: {"audio": 0, "video": 0, "screen": 0}
    )
    last_video_at: float | None = None
    keyframe_requests_received: int = 0
    # counters of closed peers (renegotiation), so stats survive
    forwarded_base: dict[SourceKind, int] = field(
        default_factory=lambda: {"audio": 0, "video": 0, "screen": 0}
    )
    dropped_base: int = 0
    lost_base: int = 0
    recovered_base: int = 0
    thinned_base: int = 0
    emitted: SlotsChanged | None = None
    adaptation: Adaptation = field(default_factory=Adaptation)
    audio_peak: float = 0.0
    """The audio sent to this subscriber (bit/s), its recent peak (``AUDIO_PEAK_DECAY``)."""
    counted: list[tuple[int, int, int, int, int, int]] = field(default_factory=list)
    """Per writer of ``counted_peer``: (octets, packets, receiver reports, probe octets, probe
    packets, probe packets NACKed) at the last tick."""
    counted_peer: _Peer | None = None
    sent_bps: float = 0.0
    last_keyframe_ask: float = 0.0
    #: the publisher's own video, as measured (``_VideoRate``)
    video_rate: _VideoRate = field(default_factory=lambda: _VideoRate())
    remote: bool = False
    """Served by another relay worker: only its media comes here, through the pipe."""
    level: int | None = None
    """The newest RFC 6464 audio level of this publisher (piped along with its audio)."""
    repair: RepairHold = field(default_factory=RepairHold)
    """How long subscribers hold this publisher's audio for its retransmissions."""


@dataclass(slots=True)
class _VideoRate:
    """A publisher's camera bitrate as the relay receives it: all of it, its base temporal
    layer, and its keyframes' size."""

    octets: int = 0
    base_octets: int = 0
    layered: int = 0
    full_bps: float = 0.0
    base_bps: float | None = None
    keyframe_bits: float = 0.0

    def add(self, frame: EncodedFrame) -> None:
        size = len(frame.data) + PACKET_OVERHEAD * (1 + len(frame.data) // 1200)
        self.octets += size
        if frame.keyframe:
            bits = 8.0 * size
            self.keyframe_bits = (
                bits if not self.keyframe_bits else 0.5 * (self.keyframe_bits + bits)
            )
        if frame.temporal_layer is not None:
            self.layered += 1
            if frame.temporal_layer == 0 or frame.keyframe:
                self.base_octets += size

    def tick(self, seconds: float) -> SourceRate:
        w = RATE_WEIGHT
        self.full_bps = (1 - w) * self.full_bps + w * 8 * self.octets / seconds
        if self.layered:
            base = 8 * self.base_octets / seconds
            self.base_bps = base if self.base_bps is None else (1 - w) * self.base_bps + w * base
        else:
            self.base_bps = None
        self.octets = self.base_octets = self.layered = 0
        return self.source_rate

    @property
    def source_rate(self) -> SourceRate:
        return SourceRate(self.full_bps, self.base_bps, self.keyframe_bits)


class MeetingRelay:
    """Forwards encoded audio and video between the participants of one meeting.

    Runs on one event loop; not thread-safe. ``on_event`` is called synchronously on the loop
    and must not block; exceptions from it are logged and swallowed.
    """

    def __init__(
        self, config: RelayConfig, on_event: Callable[[RelayEvent], None] | None = None
    ) -> None:
        self._config = config
        self._on_event = on_event
        self._participants: dict[str, _Participant] = {}  # insertion order = join order
        self._feeds: dict[tuple[str, SourceKind], set[SlotTrack]] = {}
        self._pinned: tuple[str, ...] = ()
        self._presenter: str | None = None
        self._speakers = SpeakerDetector()
        self._locks: dict[str, asyncio.Lock] = {}
        self._ticker: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self._closed = False
        self._listeners: list[FrameListener] = []
        self._pipe_out: PipeListener | None = None

    # ---------------------------------------------------------------- public API

    async def connect(
        self,
        participant_id: str,
        offer_sdp: str,
        *,
        audio_only: bool = False,
        screen_mid: str | None = None,
    ) -> str:
        """Answer a client's offer (with all candidates: aiortc does not trickle).

        ``screen_mid``: the mid of the client's screen line, if it offered one.
        Calling again for a connected participant renegotiates (ICE restart included) on a fresh
        peer connection and keeps the participant's join order and slot sources.
        Raises ``ValueError`` for an offer the slot protocol cannot use.
        """
        if self._closed:
            raise RuntimeError("relay is closed")
        layout = parse_offer_layout(offer_sdp, screen_mid)
        lock = self._locks.setdefault(participant_id, asyncio.Lock())
        async with lock:
            peer = await self._open_peer(participant_id, layout, offer_sdp)
            if self._closed:  # closed while we negotiated
                await peer.pc.close()
                raise RuntimeError("relay is closed")
            old = self._participants.get(participant_id)
            if old is not None and old.remote:  # moved here from another worker
                self._drop(old)
                old = None
            if old is None:
                participant = _Participant(participant_id, peer, audio_only)
                participant.keyframes = KeyframeRequester(self._pli_sender(participant, "video"))
                participant.screen_keyframes = KeyframeRequester(
                    self._pli_sender(participant, "screen")
                )
                self._participants[participant_id] = participant
            else:
                participant = old
                self._retire_peer(participant, inherit_to=peer)
                participant.peer = peer
                participant.audio_only = audio_only
                participant.emitted = None
                self._pace_new_peer(participant)
                # the estimate is kept: a fresh connection on the same thin link must not
                # flood it (a better path is found within seconds: the estimate climbs)
            self._ensure_ticker()
            self._reselect()
            assert peer.pc is not None
            local: RTCSessionDescription = peer.pc.localDescription
            return str(local.sdp)

    async def add_ice_candidate(
        self,
        participant_id: str,
        candidate: str,
        sdp_mid: str | None,
        sdp_mline_index: int | None,
    ) -> None:
        """A trickled remote candidate (``a=candidate:`` value); an empty string ends them.

        A candidate aiortc cannot use raises ``ValueError`` (aiortc itself asserts or raises
        ``IndexError``/``KeyError`` on malformed input)."""
        pc = self._get(participant_id).peer.pc
        if pc is None:
            raise UnknownParticipantError(participant_id)
        text = candidate.strip().removeprefix("a=").removeprefix("candidate:")
        if not text:
            await pc.addIceCandidate(None)
            return
        try:
            parsed = candidate_from_sdp(text)
            parsed.sdpMid = sdp_mid
            parsed.sdpMLineIndex = sdp_mline_index
            await pc.addIceCandidate(parsed)
        except (AssertionError, IndexError, KeyError) as exc:
            raise ValueError(f"unusable ICE candidate: {exc!r}") from None

    def set_audio_only(self, participant_id: str, on: bool) -> None:
        """Thin link: forward no video to this participant (their own camera is still relayed)."""
        participant = self._get(participant_id)
        if participant.audio_only != on:
            participant.audio_only = on
            self._reselect()

    def set_publisher_muted(self, participant_id: str, kind: Kind, muted: bool) -> None:
        """Enforce a chair's mute in the relay: ``kind`` from this publisher is not forwarded,
        whatever its client keeps sending."""
        participant = self._get(participant_id)
        if (kind in participant.muted) != muted:
            if muted:
                participant.muted.add(kind)
            else:
                participant.muted.discard(kind)
            self._reselect()

    def set_screen_presenter(self, participant_id: str | None) -> None:
        """The one participant whose shared screen is forwarded (the room decides who may
        share), or ``None``. Everyone else's screen frames are dropped."""
        if participant_id != self._presenter:
            self._presenter = participant_id
            self._reselect()

    @property
    def screen_presenter(self) -> str | None:
        return self._presenter

    def set_pinned(self, participant_ids: Sequence[str]) -> None:
        """Videos forwarded to everyone before any speaker (chair, room camera), in order."""
        pinned = tuple(dict.fromkeys(participant_ids))
        if pinned != self._pinned:
            self._pinned = pinned
            self._reselect()

    async def disconnect(self, participant_id: str) -> None:
        """Close the participant's peer connection and stop forwarding them. Idempotent."""
        if participant_id not in self._participants and participant_id not in self._locks:
            return
        lock = self._locks.setdefault(participant_id, asyncio.Lock())
        async with lock:
            participant = self._participants.get(participant_id)
            if participant is None or participant.remote:
                return
            self._drop(participant)
            self._reselect()
        self._locks.pop(participant_id, None)
        await self._drain_closing()

    async def close(self) -> None:
        """Close every peer connection. The relay cannot be used afterwards."""
        self._closed = True
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        for participant in list(self._participants.values()):
            self._retire_peer(participant, inherit_to=None)
            _close_keyframes(participant)
        self._participants.clear()
        self._feeds.clear()
        await self._drain_closing()

    # ---------------------------------------------------------------- relay workers

    def set_pipe_listener(self, listener: PipeListener | None) -> None:
        """Hand every forwarded frame of a publisher served here (screen included, while it
        presents) to ``listener``, with the publisher's newest audio level: the pipe."""
        self._pipe_out = listener

    def add_remote_publisher(
        self,
        participant_id: str,
        kinds: Sequence[SourceKind],
        muted: Sequence[Kind],
        request_keyframe: RemoteKeyframe,
    ) -> None:
        """A participant served by another relay worker: its frames come through the pipe
        (:meth:`push_remote_frame`), keyframe requests for it go back with
        ``request_keyframe``. Called again, updates what it publishes and its mutes. A
        participant served here is left alone (it moved here; the pipe lags)."""
        existing = self._participants.get(participant_id)
        if existing is not None and not existing.remote:
            return
        if existing is None:
            participant = _Participant(participant_id, _Peer(None, (), ()), False, remote=True)
            participant.keyframes = KeyframeRequester(
                _remote_sender(request_keyframe, participant_id, "video")
            )
            participant.screen_keyframes = KeyframeRequester(
                _remote_sender(request_keyframe, participant_id, "screen")
            )
            self._participants[participant_id] = participant
        else:
            participant = existing
        participant.peer.remote_kinds = frozenset(kinds)
        participant.muted = set(muted)
        self._ensure_ticker()
        self._reselect()

    def remove_remote_publisher(self, participant_id: str) -> None:
        """The other worker no longer serves it (left, moved, or the worker is gone)."""
        participant = self._participants.get(participant_id)
        if participant is not None and participant.remote:
            self._drop(participant)
            self._reselect()

    def push_remote_frame(
        self, participant_id: str, kind: SourceKind, frame: EncodedFrame, level: int | None
    ) -> None:
        """A frame of a remote publisher, from the pipe: forwarded as if received here."""
        participant = self._participants.get(participant_id)
        if participant is None or not participant.remote:
            return
        if kind == "audio" and level is not None:
            self._speakers.observe(participant_id, level)
        self._forward(participant, kind, frame)

    def served_here(self) -> tuple[str, ...]:
        """Participants with a peer connection to this relay (not remote publishers)."""
        return tuple(pid for pid, p in self._participants.items() if not p.remote)

    def is_remote(self, participant_id: str) -> bool:
        participant = self._participants.get(participant_id)
        return participant is not None and participant.remote

    def published(self, participant_id: str) -> tuple[tuple[SourceKind, ...], tuple[Kind, ...]]:
        """What a participant served here publishes, and the kinds the chair muted."""
        participant = self._get(participant_id)
        kinds: tuple[SourceKind, ...] = ("audio", "video", "screen")
        return (
            tuple(k for k in kinds if participant.peer.publishes(k)),
            tuple(sorted(participant.muted)),
        )

    def add_frame_listener(self, listener: FrameListener) -> Callable[[], None]:
        """Also hand every unmuted frame from a publisher to ``listener`` (the recorder), on the
        event loop; it must not block. Returns the function that removes it (idempotent)."""
        self._listeners.append(listener)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return remove

    @property
    def pinned(self) -> tuple[str, ...]:
        """The pinned participants (``set_pinned``), in order."""
        return self._pinned

    @property
    def active_speakers(self) -> tuple[str, ...]:
        """Speaking now, dominant first."""
        return self._speakers.active

    def publishers(self, kind: Kind) -> tuple[str, ...]:
        """Participants publishing ``kind`` and not muted for it, in join order; for video only
        cameras that sent a frame in the last ``STALE_VIDEO_SECONDS``."""
        now = time.monotonic()
        if kind == "audio":
            return tuple(
                pid
                for pid, p in self._participants.items()
                if "audio" not in p.muted and p.peer.publishes("audio")
            )
        return tuple(
            pid
            for pid, p in self._participants.items()
            if "video" not in p.muted
            and p.peer.publishes("video")
            and p.last_video_at is not None
            and now - p.last_video_at <= STALE_VIDEO_SECONDS
        )

    def request_keyframe(self, publisher_id: str) -> None:
        """Ask a publisher for a keyframe (coalesced with every other request: one PLI per
        300 ms at most). Unknown publishers are ignored."""
        self._request_keyframe(publisher_id)

    def request_screen_keyframe(self, publisher_id: str) -> None:
        """As :meth:`request_keyframe`, for the publisher's shared screen."""
        self._request_screen_keyframe(publisher_id)

    def stats(self) -> RelayStats:
        return RelayStats(
            participants=tuple(
                self._participant_stats(p) for p in self._participants.values() if not p.remote
            ),
            active_speakers=self._speakers.active,
        )

    # ---------------------------------------------------------------- peers

    async def _open_peer(self, participant_id: str, layout: OfferLayout, offer_sdp: str) -> _Peer:
        pc = RTCPeerConnection(
            RTCConfiguration(
                iceServers=[_rtc_ice_server(s) for s in self._config.ice_servers],
                bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,
            )
        )
        try:
            return await self._negotiate(pc, participant_id, layout, offer_sdp)
        except BaseException:
            await pc.close()
            raise

    async def _negotiate(
        self, pc: RTCPeerConnection, participant_id: str, layout: OfferLayout, offer_sdp: str
    ) -> _Peer:
        # Transceivers created before setRemoteDescription are matched to the offer's m-lines in
        # order, per kind; creating them here is what lets us restrict their codecs.
        transceivers = []
        for line in layout.media:
            assert line.kind is not None
            transceiver = pc.addTransceiver(line.kind, direction="sendrecv")
            transceiver.setCodecPreferences(_codec_preferences(line.kind))
            transceivers.append(transceiver)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))

        slots: dict[Kind, list[SlotTrack]] = {"audio": [], "video": []}
        peer = _Peer(pc, (), ())
        # RED around Opus where the client offers it (Chromium, Safari; not Firefox)
        red: dict[int, int] = {
            line.index: line.red_payload_type
            for line in layout.media
            if self._config.audio_red and line.red_payload_type is not None
        }
        for line, transceiver in zip(layout.media, transceivers, strict=True):
            kind = line.kind
            assert kind is not None
            if line.screen:
                self._screen_line(participant_id, peer, transceiver, line)
                continue
            if line is layout.published(kind):
                tap = tap_receiver(
                    transceiver.receiver,
                    on_frame=self._frame_sink(participant_id, kind, peer),
                    on_audio_level=(
                        self._level_sink(participant_id, peer) if kind == "audio" else None
                    ),
                    red_payload_type=red.get(line.index) if kind == "audio" else None,
                    nack_audio=kind == "audio" and self._config.audio_nack,
                )
                if kind == "audio":
                    peer.audio_tap = tap
                else:
                    peer.video_tap = tap
            if line.client_receives:
                slot = SlotTrack(kind, self._request_keyframe)
                transceiver.sender.replaceTrack(slot)
                peer.writers.append(
                    _attach_writer(
                        transceiver.sender,
                        slot,
                        red.get(line.index) if kind == "audio" else None,
                        peer.pacer if kind == "video" else None,
                    )
                )
                if kind == "video":
                    on_keyframe_request(
                        transceiver.sender, self._keyframe_request_sink(participant_id, slot)
                    )
                slots[kind].append(slot)
            else:
                transceiver.direction = "recvonly"
        peer.audio_slots = tuple(slots["audio"])
        peer.video_slots = tuple(slots["video"])

        @pc.on("connectionstatechange")
        def _state_changed() -> None:
            if not peer.retired:
                self._emit(PeerStateChanged(participant_id, str(pc.connectionState)))

        if self._config.add_loopback_candidate:
            add_loopback_candidate(pc)
        # satellite links: aioice's consent checks fail at a 600 ms round trip (docs/media.md)
        peer.consent = tolerate_long_round_trips(pc)
        answer: RTCSessionDescription = await pc.createAnswer()
        # Opus FEC and DTX on both legs: aiortc answers Opus without parameters; RED first
        sdp = with_opus_parameters(
            answer.sdp,
            OPUS_FMTP if self._config.opus_fec else {**OPUS_FMTP, "useinbandfec": "0"},
        )
        await pc.setLocalDescription(
            RTCSessionDescription(sdp=with_audio_redundancy(sdp, red), type="answer")
        )
        return peer

    def _screen_line(
        self,
        participant_id: str,
        peer: _Peer,
        transceiver: RTCRtpTransceiver,
        line: MediaLine,
    ) -> None:
        """The client's screen line: its screen as a source, and the screen slot it receives."""
        if line.client_sends:
            peer.screen_tap = tap_receiver(
                transceiver.receiver, on_frame=self._frame_sink(participant_id, "screen", peer)
            )
        if line.client_receives:
            slot = SlotTrack("video", self._request_screen_keyframe)
            transceiver.sender.replaceTrack(slot)
            peer.writers.append(_attach_writer(transceiver.sender, slot, pacer=peer.pacer))
            on_keyframe_request(
                transceiver.sender, self._keyframe_request_sink(participant_id, slot)
            )
            peer.screen_slots = (slot,)
        else:
            transceiver.direction = "recvonly"

    def _retire_peer(self, participant: _Participant, inherit_to: _Peer | None) -> None:
        """Detach a participant's current peer from all feeds and close it in the background.

        With ``inherit_to``, the new peer's slots start from the old slots' sources.
        """
        old = participant.peer
        old.retired = True
        old.pacer.close()
        old.probe.stop()
        kinds: tuple[SourceKind, ...] = ("audio", "video", "screen")
        for kind in kinds:
            old_slots = old.slots(kind)
            sources = [slot.source for slot in old_slots]
            for slot in old_slots:
                participant.forwarded_base[kind] += slot.forwarded
                participant.dropped_base += slot.dropped
                participant.thinned_base += slot.thinned
                self._set_source(slot, None, kind)
                slot.stop()
            if inherit_to is not None:
                for source, new_slot in zip(sources, inherit_to.slots(kind), strict=False):
                    if source is not None:
                        self._set_source(new_slot, source, kind)
        participant.lost_base += sum(w.retransmit_requests for w in old.writers)
        if old.audio_tap is not None:
            participant.recovered_base += old.audio_tap.recovered_frames
        if old.pc is None:
            return
        task = asyncio.get_running_loop().create_task(old.pc.close())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _drop(self, participant: _Participant) -> None:
        """Forget a participant (its peer closes in the background); no reselection."""
        self._participants.pop(participant.id, None)
        self._retire_peer(participant, inherit_to=None)
        _close_keyframes(participant)
        self._speakers.forget(participant.id)

    async def _drain_closing(self) -> None:
        if self._closing:
            await asyncio.gather(*list(self._closing), return_exceptions=True)

    # ---------------------------------------------------------------- media path

    def _frame_sink(
        self, participant_id: str, kind: SourceKind, peer: _Peer
    ) -> Callable[[EncodedFrame], None]:
        def on_frame(frame: EncodedFrame) -> None:
            participant = self._participants.get(participant_id)
            if participant is None or participant.peer is not peer:
                return  # a retired peer connection still delivering
            if not self._forward(participant, kind, frame) or self._pipe_out is None or frame.late:
                return
            if kind == "screen" and participant_id != self._presenter:
                return
            try:
                self._pipe_out(participant_id, kind, frame, participant.level)
            except Exception:
                logger.exception("piping a frame failed")

        return on_frame

    def _forward(self, participant: _Participant, kind: SourceKind, frame: EncodedFrame) -> bool:
        """Feed a publisher's frame to the slots it feeds and to the listeners; False when it
        is dropped (muted)."""
        participant_id = participant.id
        key = (participant_id, kind)
        participant.received[kind] += 1
        if kind == "screen":  # fed only while presenting (``_reselect``); not recorded
            for slot in self._feeds.get(key, ()):
                slot.push(participant_id, frame)
            return True
        if kind in participant.muted:
            return False
        if kind == "video":
            participant.last_video_at = time.monotonic()
            participant.video_rate.add(frame)
        for slot in self._feeds.get(key, ()):
            slot.push(participant_id, frame)
        if frame.late:  # a recording's frames are in order
            return True
        for listener in tuple(self._listeners):
            try:
                listener(participant_id, kind, frame)
            except Exception:
                logger.exception("frame listener failed")
        return True

    def _level_sink(self, participant_id: str, peer: _Peer) -> Callable[[int, bool], None]:
        observe = self._speakers.observe

        def on_level(level: int, _vad: bool) -> None:
            participant = self._participants.get(participant_id)
            if participant is not None and participant.peer is peer:
                participant.level = level
                observe(participant_id, level)

        return on_level

    def _keyframe_request_sink(self, participant_id: str, slot: SlotTrack) -> Callable[[], None]:
        def on_request() -> None:
            participant = self._participants.get(participant_id)
            if participant is not None:
                participant.keyframe_requests_received += 1
            slot.request_keyframe()

        return on_request

    def _request_keyframe(self, publisher_id: str) -> None:
        publisher = self._participants.get(publisher_id)
        if publisher is not None and publisher.keyframes is not None:
            publisher.keyframes.request()

    def _request_screen_keyframe(self, publisher_id: str) -> None:
        publisher = self._participants.get(publisher_id)
        if publisher is not None and publisher.screen_keyframes is not None:
            publisher.screen_keyframes.request()

    def _pli_sender(
        self, participant: _Participant, kind: Literal["video", "screen"]
    ) -> Callable[[], Awaitable[bool]]:
        async def send() -> bool:
            peer = participant.peer
            tap = peer.video_tap if kind == "video" else peer.screen_tap
            return False if tap is None else await tap.request_keyframe()

        return send

    def _set_source(
        self, slot: SlotTrack, source: str | None, kind: SourceKind | None = None
    ) -> None:
        if kind is None:
            kind = "video" if slot.kind == "video" else "audio"
        if slot.source is not None:
            feeds = self._feeds.get((slot.source, kind))
            if feeds is not None:
                feeds.discard(slot)
                if not feeds:
                    del self._feeds[(slot.source, kind)]
        slot.set_source(source)
        if source is not None:
            self._feeds.setdefault((source, kind), set()).add(slot)

    # ---------------------------------------------------------------- selection

    def _ensure_ticker(self) -> None:
        if self._ticker is None:
            self._ticker = asyncio.get_running_loop().create_task(self._tick_loop())

    async def _tick_loop(self) -> None:
        adapted = time.monotonic()
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                now = time.monotonic()
                before = self._speakers.active
                after = self._speakers.update(now)
                if after != before:
                    self._emit(ActiveSpeakers(after))
                if now - adapted >= ADAPT_SECONDS:
                    self._adapt(now, now - adapted)
                    self._hold_for_repairs()
                    adapted = now
                self._reselect()
                self._ask_again()
            except Exception:
                logger.exception("slot selection failed")

    def _ask_again(self) -> None:
        """Repeat the keyframe requests nobody answered (``SlotTrack.ask_again``): a still
        shared screen sends no frame on which a waiting slot could ask again."""
        for participant in self._participants.values():
            peer = participant.peer
            for slot in peer.video_slots + peer.screen_slots:
                slot.ask_again()

    def _hold_for_repairs(self) -> None:
        """Each publisher's hold from its uplink's audio loss and round trip (``repair.py``);
        applied to the subscribers' ``slots`` by :meth:`_reselect`."""
        nack = self._config.audio_nack
        for p in self._participants.values():
            tap = p.peer.audio_tap
            if tap is not None:  # without NACKs, measured but never held
                p.repair.update(
                    tap.gaps.expected,
                    tap.gaps.missed,
                    p.peer.rtt if nack else None,
                    asked=tap.nacked,
                    answered=tap.late_frames,
                )
                tap.lossy = p.repair.hold_ms > 0

    def _adapt(self, now: float, seconds: float) -> None:
        """Measure what each publisher's camera sends and what each subscriber's downlink
        carries; choose each subscriber's plan (``adapt.py``), applied by :meth:`_reselect`."""
        rates = {pid: p.video_rate.tick(seconds) for pid, p in self._participants.items()}
        self._bound_publishers()
        video_order = self._video_order(now)
        for p in self._participants.values():
            if p.remote:  # its downlink is measured by the worker serving it
                continue
            peer = p.peer
            writers = peer.writers
            counts = [
                (w.octets, w.packets, w.reports, w.probe_octets, w.probe_packets, w.probe_nacks)
                for w in writers
            ]
            previous, p.counted = p.counted, counts
            if p.counted_peer is not peer or len(previous) != len(counts):
                p.counted_peer = peer  # a new connection: counted from the next tick
                self._pace_new_peer(p)
                continue
            sent = audio = probed = padded = nacked = 0
            weighted = weight = 0.0
            remb: tuple[float, int] | None = None
            for w, now_counts, then_counts in zip(writers, counts, previous, strict=True):
                octets, packets, reports, probe, padding, nacks = now_counts
                octets0, packets0, reports0, probe0, padding0, nacks0 = then_counts
                size = octets - octets0 + PACKET_OVERHEAD * (packets - packets0)
                sent += size + probe - probe0  # the probe's padding: datagram sizes already
                probed += probe - probe0
                padded += padding - padding0
                nacked += nacks - nacks0
                if not w.video:
                    audio += size
                # the subscriber's reports count the padding too
                counted = packets - packets0 + padding - padding0
                if reports > reports0 and counted:
                    weighted += w.fraction_lost / 256 * counted
                    weight += counted
                if w.remb_bps is not None and (remb is None or w.remb_at > remb[0]):
                    remb = (w.remb_at, w.remb_bps)
            p.sent_bps = 8 * sent / seconds
            # what the subscriber's audio takes: its peak of the last seconds, not the last
            # second alone (a pause in speech read as room for a video, measured: the plan
            # then flipped to a camera and back every few seconds on a 256 kbit/s link)
            p.audio_peak = max(8 * audio / seconds, AUDIO_PEAK_DECAY * p.audio_peak)
            if not self._config.adaptation:
                continue
            video_count = min(len(peer.video_slots), self._config.video_slots)
            wanted = [] if p.audio_only else desired_sources(video_order, p.id, video_count)
            plan = p.adaptation.update(
                now,
                sent_bps=p.sent_bps,
                loss=weighted / weight if weight else None,
                audio_bps=p.audio_peak,
                sources=[rates[pid] for pid in wanted if pid in rates],
                max_slots=video_count,
                packets=int(weight) or None,
                probe_loss=(nacked, padded),
                rtt=peer.rtt or 0.0,
            )
            estimate = p.adaptation.estimator.estimate
            # RED repeats only as many frames as the downlink has room for
            copies = 1 + max((w.red_distance for w in writers), default=0)
            single = 8 * audio / seconds / copies
            limit = int(estimate * HEADROOM_DOWN / single) - 1 if single > 0 else MAX_DISTANCE
            for w in writers:
                w.red_limit = max(0, min(MAX_DISTANCE, limit))
            peer.pacer.set_rate(
                max(MIN_PACE_BPS, estimate * HEADROOM_DOWN - p.audio_peak)
                if plan.level is not Level.FULL or estimate < PACE_BELOW_BPS
                else None
            )
            probe_bps = p.adaptation.estimator.probe_bps
            logger.debug(
                "adapt %s: sent %.0f kbit/s (audio %.0f), loss %s, REMB %s, estimate %.0f kbit/s,"
                " probe %s, plan %s",
                p.id,
                p.sent_bps / 1000,
                8 * audio / seconds / 1000,
                "-" if not weight else f"{weighted / weight:.2f}",
                "-" if remb is None else f"{remb[1] / 1000:.0f}",
                estimate / 1000,
                "-" if probe_bps is None else f"{probe_bps / 1000:.0f}",
                plan,
            )
            prober = next((w for w in writers if w.video and w.ready), None)
            if probe_bps is not None and prober is not None:
                media = 8 * (sent - probed) / seconds
                prober.begin_probe(p.adaptation.estimator.link_loss + PROBE_STOP_MARGIN)
                peer.probe.start(prober.pad, probe_bps - media, PROBE_SECONDS)
            if (
                plan.frame_rate is FrameRate.KEYFRAMES
                and plan.video_slots
                and now - p.last_keyframe_ask >= plan.keyframe_period
            ):
                p.last_keyframe_ask = now
                for slot in peer.video_slots:
                    slot.request_keyframe()

    def _bound_publishers(self) -> None:
        """Bound each camera's REMB: at least ``PUBLISHER_FLOOR_BPS``; with adaptation, at
        most what the best of its subscribers' downlinks can take of video."""
        for pid, p in self._participants.items():
            ceiling: int | None = None
            if self._config.adaptation:
                others = [
                    q.adaptation.estimator.estimate * HEADROOM_DOWN
                    for qid, q in self._participants.items()
                    if qid != pid and not q.audio_only and not q.remote
                ]
                if others:
                    ceiling = max(PUBLISHER_FLOOR_BPS, int(max(others)))
            for tap in (p.peer.video_tap, p.peer.screen_tap):
                if tap is not None:
                    tap.remb_bounds = (PUBLISHER_FLOOR_BPS, ceiling)

    def _pace_new_peer(self, p: _Participant) -> None:
        """A fresh connection of a subscriber whose plan is reduced is paced at once (its
        estimate is kept: the page reconnects on the same thin link)."""
        if self._config.adaptation and p.adaptation.plan.level is not Level.FULL:
            estimate = p.adaptation.estimator.estimate
            p.peer.pacer.set_rate(max(MIN_PACE_BPS, estimate * HEADROOM_DOWN))

    def _plan(self, participant: _Participant) -> Plan:
        return participant.adaptation.plan if self._config.adaptation else FULL_PLAN

    def _video_order(self, now: float) -> list[str]:
        ranking = self._speakers.ranking(list(self._participants))
        video_publishers = {
            pid
            for pid, p in self._participants.items()
            if p.peer.publishes("video") and "video" not in p.muted
        }
        stale = {
            pid
            for pid in video_publishers
            if (seen := self._participants[pid].last_video_at) is None
            or now - seen > STALE_VIDEO_SECONDS
        }
        return video_candidates(self._pinned, ranking, video_publishers, stale)

    def _reselect(self) -> None:
        """Re-assign every subscriber's slots and emit ``SlotsChanged`` where they changed."""
        now = time.monotonic()
        ranking = self._speakers.ranking(list(self._participants))
        audio_publishers = {
            pid
            for pid, p in self._participants.items()
            if p.peer.publishes("audio") and "audio" not in p.muted
        }
        audio_order = [pid for pid in ranking if pid in audio_publishers]
        video_order = self._video_order(now)
        shown = self._participants.get(self._presenter or "")
        presenter = shown.id if shown is not None and shown.peer.publishes("screen") else None
        for participant in self._participants.values():
            if participant.remote:  # its slots are chosen by the worker serving it
                continue
            peer = participant.peer
            # a client offering more slots than announced gets the announced number filled
            audio_count = min(len(peer.audio_slots), self._config.audio_slots)
            video_count = min(len(peer.video_slots), self._config.video_slots)
            self._apply(peer.audio_slots, desired_sources(audio_order, participant.id, audio_count))
            plan = self._plan(participant)
            video_wanted = (
                []
                if participant.audio_only
                else desired_sources(
                    video_order, participant.id, min(video_count, plan.video_slots)
                )
            )
            self._apply(peer.video_slots, video_wanted)
            for slot in peer.video_slots:
                slot.set_frame_rate(plan.frame_rate if plan.video_slots else FrameRate.FULL)
            screen_wanted = (
                []
                if participant.audio_only
                or plan.level is Level.AUDIO_ONLY
                or presenter in (None, participant.id)
                else [presenter]
            )
            self._apply(peer.screen_slots, screen_wanted, "screen")
            hold = tuple(self._hold_of(s.source) for s in peer.audio_slots)
            event = SlotsChanged(
                participant.id,
                video=tuple(s.source for s in peer.video_slots),
                audio=tuple(s.source for s in peer.audio_slots),
                screen=tuple(s.source for s in peer.screen_slots),
                link=plan.level.value,
                audio_hold=hold if any(hold) else (),
            )
            if event != participant.emitted:
                participant.emitted = event
                self._emit(event)

    def _hold_of(self, source: str | None) -> int:
        publisher = self._participants.get(source) if source is not None else None
        return publisher.repair.hold_ms if publisher is not None else 0

    def _apply(
        self, slots: Sequence[SlotTrack], desired: Sequence[str], kind: SourceKind | None = None
    ) -> None:
        for slot, source in zip(
            slots, assign_slots([s.source for s in slots], desired), strict=True
        ):
            if slot.source != source:
                self._set_source(slot, source, kind)

    # ---------------------------------------------------------------- helpers

    def _get(self, participant_id: str) -> _Participant:
        participant = self._participants.get(participant_id)
        if participant is None:
            raise UnknownParticipantError(participant_id)
        return participant

    def _emit(self, event: RelayEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:
            logger.exception("relay event handler failed on %r", event)

    def _participant_stats(self, p: _Participant) -> ParticipantStats:
        peer = p.peer
        keyframes = p.keyframes
        return ParticipantStats(
            participant_id=p.id,
            connection_state=str(peer.pc.connectionState) if peer.pc else "remote",
            audio_only=p.audio_only,
            publishes_audio=peer.audio_tap is not None,
            publishes_video=peer.video_tap is not None,
            received_audio_frames=p.received["audio"],
            received_video_frames=p.received["video"],
            forwarded_audio_packets=p.forwarded_base["audio"]
            + sum(s.forwarded for s in peer.audio_slots),
            forwarded_video_packets=p.forwarded_base["video"]
            + sum(s.forwarded for s in peer.video_slots),
            dropped_packets=p.dropped_base
            + sum(s.dropped for s in peer.audio_slots + peer.video_slots + peer.screen_slots),
            keyframe_requests_received=p.keyframe_requests_received,
            lost_packets_reported=p.lost_base + sum(w.retransmit_requests for w in peer.writers),
            keyframe_requests_to_publisher=keyframes.requested if keyframes else 0,
            plis_to_publisher=keyframes.sent if keyframes else 0,
            video_slots=tuple(s.source for s in peer.video_slots),
            audio_slots=tuple(s.source for s in peer.audio_slots),
            recovered_audio_frames=p.recovered_base
            + (peer.audio_tap.recovered_frames if peer.audio_tap else 0),
            audio_redundancy=max((w.red_distance for w in peer.writers), default=0),
            quiet_audio_resends=sum(w.quiet_resends for w in peer.writers),
            received_screen_frames=p.received["screen"],
            forwarded_screen_packets=p.forwarded_base["screen"]
            + sum(s.forwarded for s in peer.screen_slots),
            screen_slots=tuple(s.source for s in peer.screen_slots),
            link=self._plan(p).level.value,
            downlink_bps=p.adaptation.estimator.estimate if self._config.adaptation else None,
            sent_bps=p.sent_bps,
            thinned_video_frames=p.thinned_base + sum(s.thinned for s in peer.video_slots),
            nacked_audio_packets=peer.audio_tap.nacked if peer.audio_tap else 0,
            late_audio_frames=peer.audio_tap.late_frames if peer.audio_tap else 0,
            uplink_audio_loss=p.repair.loss,
            audio_hold_ms=p.repair.hold_ms,
            probe_bytes=peer.probe.sent,
            probes=(p.adaptation.estimator.probes, p.adaptation.estimator.probes_failed),
            retransmitted_video_packets=sum(w.retransmitted for w in peer.writers),
        )


def _close_keyframes(participant: _Participant) -> None:
    for requester in (participant.keyframes, participant.screen_keyframes):
        if requester is not None:
            requester.close()


def _remote_sender(
    request: RemoteKeyframe, participant_id: str, kind: SourceKind
) -> Callable[[], Awaitable[bool]]:
    async def send() -> bool:
        request(participant_id, kind)
        return True

    return send


def _attach_writer(
    sender: RTCRtpSender,
    slot: SlotTrack,
    red_payload_type: int | None = None,
    pacer: Pacer | None = None,
) -> RtpWriter:
    """Send the slot's frames with an :class:`RtpWriter` once the sender starts."""
    writer = RtpWriter(
        sender, on_ready=lambda: slot.attach(writer.write), red_payload_type=red_payload_type
    )
    writer.pacer = pacer
    return writer


def _codec_preferences(kind: Kind) -> list[RTCRtpCodecCapability]:
    wanted = (FORCED_CODECS[kind], f"{kind}/rtx")
    capabilities = RTCRtpSender.getCapabilities(kind)
    return [c for c in capabilities.codecs if str(c.mimeType).lower() in wanted]


def _rtc_ice_server(server: IceServer) -> RTCIceServer:
    return RTCIceServer(
        urls=list(server.urls), username=server.username, credential=server.credential
    )
