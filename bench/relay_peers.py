"""Load-generator process of the relay benchmark: many aiortc participants in one process.

Run by bench/relay.py as `python -m bench.relay_peers --spec '<json>'`. It connects every
participant, prints `{"type": "ready", ...}` on stdout, then answers stdin commands with one JSON
line each: `snap` (per-participant receive counters with this process's monotonic time) and
`stop` (close everything and exit).

Keeping the load generators light (documented in docs/performance-relay.md):
- Publishers send a pre-encoded VP8 loop (640×360, 15 fps, ~600 kbps, one keyframe per loop)
  as `av.Packet`s, which aiortc only packetizes; audio is a live tone encoded by aiortc's Opus
  encoder, so the RFC 6464 audio level header extension carries a real level.
- Receivers do not decrypt, depacketize or decode RTP: aioice's `StunProtocol.datagram_received`
  is replaced so an RTP datagram is only counted by SSRC from its clear header (packets, and
  marker bits = video frames) and dropped. ICE, DTLS and RTCP are untouched, so the relay under
  test sees ordinary peers; what is lost is the receivers' RTCP receiver reports, REMB and NACKs,
  which loopback does not need.
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import json
import math
import os
import struct
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import av
from aioice.ice import StunProtocol
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcdtlstransport import RTCDtlsTransport

from bench.relay_common import emit, force_loopback, loopback_sdp
from bench.relay_janus import ROOM, JanusSession

WIDTH, HEIGHT, FPS = 640, 360, 15
VIDEO_BITRATE = 600_000
VIDEO_CLOCK = 90_000
LOOP_FRAMES = 150
AUDIO_RATE, AUDIO_PTIME = 48_000, 0.020
COUNTER_ATTR = "_hopchibo_bench_counter"


# ---------------------------------------------------------------- receive side (counting only)


@dataclass(slots=True)
class RtpCounter:
    """Per-SSRC packet and marker-bit counts of one peer connection, and its PT → kind map."""

    kinds: dict[int, str] = field(default_factory=dict)
    packets: dict[int, list[int]] = field(default_factory=dict)  # ssrc → [pt, packets, markers]

    def add(self, data: bytes) -> None:
        if len(data) < 12:
            return
        marker_pt = data[1]
        ssrc = struct.unpack_from("!I", data, 8)[0]
        entry = self.packets.get(ssrc)
        if entry is None:
            entry = self.packets[ssrc] = [marker_pt & 0x7F, 0, 0]
        entry[1] += 1
        if marker_pt & 0x80:
            entry[2] += 1

    def snapshot(self) -> dict[str, list[list[int]]]:
        """{"video": [[ssrc, packets, frames]...], "audio": [[ssrc, packets, 0]...]}; no RTX."""
        out: dict[str, list[list[int]]] = {"video": [], "audio": []}
        for ssrc, (pt, packets, markers) in self.packets.items():
            kind = self.kinds.get(pt, "")
            if kind in out:
                out[kind].append([ssrc, packets, markers if kind == "video" else 0])
        return out


def _is_rtp(data: bytes) -> bool:
    """RTP, not RTCP, STUN or DTLS (RFC 7983 first byte, RFC 5761 payload type range)."""
    return len(data) >= 12 and 128 <= data[0] < 192 and not 192 <= data[1] <= 223


async def _drop_rtp_data(self: RTCDtlsTransport, data: bytes, arrival_time_ms: int) -> None:
    del self, data, arrival_time_ms


def install_counting_receiver() -> None:
    """Process-global: RTP is counted as it leaves the socket and then dropped.

    The RTP header (payload type, marker, SSRC) is not encrypted by SRTP, so counting needs no
    decryption; packets are never depacketized or decoded. RTP that arrives before a counter is
    attached is dropped after SRTP, also undecoded. RTCP, STUN and DTLS take aiortc's usual path.
    """
    original = StunProtocol.datagram_received

    def datagram_received(self: StunProtocol, data: bytes | str, addr: tuple[Any, ...]) -> None:
        if isinstance(data, bytes) and _is_rtp(data):
            counter = getattr(self.receiver, COUNTER_ATTR, None)
            if counter is not None:
                counter.add(data)
                return
        original(self, data, addr)

    StunProtocol.datagram_received = datagram_received  # type: ignore[method-assign]
    RTCDtlsTransport._handle_rtp_data = _drop_rtp_data  # type: ignore[method-assign]


def payload_kinds(sdp: str) -> dict[int, str]:
    """Payload type → "audio" | "video" | "rtx" from an SDP's m= and rtpmap lines."""
    kinds: dict[int, str] = {}
    kind = ""
    for line in sdp.splitlines():
        if line.startswith("m="):
            parts = line[2:].split()
            kind = parts[0]
            for pt in parts[3:]:
                if pt.isdigit():
                    kinds[int(pt)] = kind
        elif line.startswith("a=rtpmap:"):
            pt_text, _, codec = line[len("a=rtpmap:") :].partition(" ")
            if pt_text.isdigit() and codec.lower().startswith(("rtx/", "red/", "ulpfec/")):
                kinds[int(pt_text)] = "rtx"
    return kinds


def attach_counter(pc: RTCPeerConnection, counter: RtpCounter) -> None:
    """Count what reaches `pc`'s ICE connections (one with BUNDLE)."""
    for transceiver in pc.getTransceivers():
        dtls = transceiver.receiver.transport
        if dtls is not None:
            setattr(dtls.transport.iceGatherer._connection, COUNTER_ATTR, counter)


# ---------------------------------------------------------------- send side


def _texture(rows: int, block: int) -> bytes:
    out = bytearray()
    for _ in range(rows // block):
        line = bytearray()
        for value in os.urandom(WIDTH // block):
            line += bytes([value]) * block
        out += bytes(line) * block
    return bytes(out)


def encode_video_loop(frames: int = LOOP_FRAMES) -> list[bytes]:
    """A VP8 loop that starts with its only keyframe: a scrolling block texture plus 30 rows of
    fresh noise a frame, which libvpx (realtime) codes at ~600 kbps, ~4.8 kB a frame."""
    ctx = av.CodecContext.create("libvpx", "w")
    ctx.width, ctx.height, ctx.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    ctx.bit_rate = VIDEO_BITRATE
    ctx.framerate = fractions.Fraction(FPS, 1)
    ctx.time_base = fractions.Fraction(1, FPS)
    ctx.gop_size = 1_000_000
    ctx.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    texture = _texture(HEIGHT * 3, 8)
    chroma = bytes([128]) * (WIDTH * HEIGHT // 4)
    noise_rows = 30
    out: list[bytes] = []
    for i in range(frames + 8):
        frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
        offset = (i * WIDTH) % (WIDTH * HEIGHT * 2)
        luma = bytearray(texture[offset : offset + WIDTH * HEIGHT])
        luma[: WIDTH * noise_rows] = os.urandom(WIDTH * noise_rows)
        frame.planes[0].update(bytes(luma))
        frame.planes[1].update(chroma)
        frame.planes[2].update(chroma)
        frame.pts = i
        out.extend(bytes(p) for p in ctx.encode(frame))
    return out[:frames]


class PacketVideoTrack(MediaStreamTrack):
    """Replays pre-encoded VP8 frames at 15 fps as `av.Packet`s (aiortc only packetizes them).

    A keyframe request (PLI/FIR) that reached `sender` restarts the loop at its keyframe, as a
    real encoder would send one; aiortc's sender only sets a flag that its encode path reads.
    """

    kind = "video"

    def __init__(self, frames: Sequence[bytes]) -> None:
        super().__init__()
        self._frames = frames
        self._index = 0  # frames sent: the timestamp
        self._position = 0  # place in the loop
        self._start = -1.0
        self.sender: Any = None
        self.keyframes_on_request = 0

    @property
    def sent(self) -> int:
        return self._index

    def _keyframe_requested(self) -> bool:
        flag = "_RTCRtpSender__force_keyframe"
        if self.sender is not None and getattr(self.sender, flag, False):
            setattr(self.sender, flag, False)
            return True
        return False

    async def recv(self) -> av.Packet[Any]:
        now = time.monotonic()
        if self._start < 0:
            self._start = now
        delay = self._start + self._index / FPS - now
        if delay > 0:
            await asyncio.sleep(delay)
        if self._keyframe_requested():
            self._position = 0
            self.keyframes_on_request += 1
        packet = av.Packet(self._frames[self._position % len(self._frames)])
        packet.pts = self._index * (VIDEO_CLOCK // FPS)
        packet.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self._index += 1
        self._position += 1
        return packet


class ToneAudioTrack(MediaStreamTrack):
    """A 400 Hz tone in 20 ms frames; `level_dbov` sets its loudness (active speakers louder)."""

    kind = "audio"

    def __init__(self, level_dbov: float) -> None:
        super().__init__()
        samples = int(AUDIO_RATE * AUDIO_PTIME)
        amplitude = 32767 * 10 ** (level_dbov / 20) * math.sqrt(2)
        self._chunk = struct.pack(
            f"<{samples}h",
            *(
                int(
                    max(
                        -32767, min(32767, amplitude * math.sin(2 * math.pi * 400 * n / AUDIO_RATE))
                    )
                )
                for n in range(samples)
            ),
        )
        self._samples = samples
        self._index = 0
        self._start = -1.0

    @property
    def sent(self) -> int:
        return self._index

    async def recv(self) -> av.AudioFrame:
        now = time.monotonic()
        if self._start < 0:
            self._start = now
        delay = self._start + self._index * AUDIO_PTIME - now
        if delay > 0:
            await asyncio.sleep(delay)
        frame = av.AudioFrame(format="s16", layout="mono", samples=self._samples)
        frame.planes[0].update(self._chunk)
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._index * self._samples
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._index += 1
        return frame


# ---------------------------------------------------------------- participants


@dataclass(frozen=True, slots=True)
class ParticipantSpec:
    """One participant. `feed` is its Janus publisher id (0 for none); `level_dbov` its tone."""

    pid: str
    send_video: bool = False
    send_audio: bool = False
    receive: bool = True
    level_dbov: float = -20.0
    feed: int = 0

    def __post_init__(self) -> None:
        if not (self.send_video or self.send_audio or self.receive):
            raise ValueError(f"participant {self.pid} neither sends nor receives")


@dataclass(frozen=True, slots=True)
class ProcessSpec:
    """What one peers process runs: `signal` is "http" (bench relay server) or "janus"."""

    signal: str
    url: str
    participants: tuple[ParticipantSpec, ...]
    audio_slots: int = 1
    video_slots: int = 1
    feeds: tuple[int, ...] = ()
    concurrency: int = 6
    connect_timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if self.signal not in ("http", "janus"):
            raise ValueError(f"unknown signalling {self.signal!r}")

    def to_json(self) -> str:
        raw: dict[str, Any] = {
            "signal": self.signal,
            "url": self.url,
            "participants": [
                {
                    "pid": p.pid,
                    "send_video": p.send_video,
                    "send_audio": p.send_audio,
                    "receive": p.receive,
                    "level_dbov": p.level_dbov,
                    "feed": p.feed,
                }
                for p in self.participants
            ],
            "audio_slots": self.audio_slots,
            "video_slots": self.video_slots,
            "feeds": list(self.feeds),
            "concurrency": self.concurrency,
            "connect_timeout_s": self.connect_timeout_s,
        }
        return json.dumps(raw)

    @classmethod
    def from_json(cls, text: str) -> ProcessSpec:
        raw = json.loads(text)
        return cls(
            signal=str(raw["signal"]),
            url=str(raw["url"]),
            participants=tuple(ParticipantSpec(**p) for p in raw["participants"]),
            audio_slots=int(raw["audio_slots"]),
            video_slots=int(raw["video_slots"]),
            feeds=tuple(int(f) for f in raw["feeds"]),
            concurrency=int(raw["concurrency"]),
            connect_timeout_s=float(raw["connect_timeout_s"]),
        )


class Peers:
    """The participants of one process and their peer connections."""

    def __init__(self, spec: ProcessSpec, http: aiohttp.ClientSession) -> None:
        self._spec = spec
        self._http = http
        self._video_loop: list[bytes] = []
        self._janus: JanusSession | None = None
        self.pcs: dict[str, RTCPeerConnection] = {}
        self.counters: dict[str, RtpCounter] = {}
        self.sending: dict[str, tuple[PacketVideoTrack | None, ToneAudioTrack | None]] = {}

    def _new_pc(self) -> RTCPeerConnection:
        return RTCPeerConnection(RTCConfiguration(iceServers=[]))

    def _tracks(self, p: ParticipantSpec) -> tuple[PacketVideoTrack | None, ToneAudioTrack | None]:
        if p.send_video and not self._video_loop:
            self._video_loop = encode_video_loop()
        video = PacketVideoTrack(self._video_loop) if p.send_video else None
        audio = ToneAudioTrack(p.level_dbov) if p.send_audio else None
        self.sending[p.pid] = (video, audio)
        return video, audio

    async def _wait_connected(self, pc: RTCPeerConnection) -> None:
        deadline = time.monotonic() + self._spec.connect_timeout_s
        while pc.connectionState != "connected":
            if pc.connectionState in ("failed", "closed") or time.monotonic() > deadline:
                raise RuntimeError(f"peer connection {pc.connectionState}")
            await asyncio.sleep(0.05)

    async def connect_http(self, p: ParticipantSpec) -> None:
        """Offer layout of server.media.relay: audio, video, then the extra recvonly slots."""
        pc = self._new_pc()
        self.pcs[p.pid] = pc
        video, audio = self._tracks(p)
        pc.addTransceiver(audio or "audio", direction="sendrecv" if audio else "recvonly")
        transceiver = pc.addTransceiver(
            video or "video", direction="sendrecv" if video else "recvonly"
        )
        if video is not None:
            video.sender = transceiver.sender
        for _ in range(self._spec.audio_slots - 1):
            pc.addTransceiver("audio", direction="recvonly")
        for _ in range(self._spec.video_slots - 1):
            pc.addTransceiver("video", direction="recvonly")
        await pc.setLocalDescription(await pc.createOffer())
        counter = RtpCounter()
        attach_counter(pc, counter)
        self.counters[p.pid] = counter
        body = {
            "participant": p.pid,
            "sdp": pc.localDescription.sdp,
            "audio_only": False,
            "publish": bool(video or audio),
        }
        async with self._http.post(self._spec.url + "/offer", json=body) as resp:
            if resp.status != 200:
                raise RuntimeError(f"offer refused: {resp.status} {await resp.text()}")
            answer = await resp.json()
        counter.kinds = payload_kinds(answer["sdp"])
        await pc.setRemoteDescription(RTCSessionDescription(loopback_sdp(answer["sdp"]), "answer"))
        await self._wait_connected(pc)

    async def connect_janus(self, p: ParticipantSpec) -> None:
        """VideoRoom: a publisher joins then publishes its offer; a subscriber answers Janus."""
        assert self._janus is not None
        janus = self._janus
        handle = await janus.attach()
        pc = self._new_pc()
        counter = RtpCounter()
        self.counters[p.pid] = counter
        self.pcs[p.pid] = pc
        if p.send_audio or p.send_video:
            video, audio = self._tracks(p)
            if audio is not None:
                pc.addTransceiver(audio, direction="sendonly")
            if video is not None:
                video.sender = pc.addTransceiver(video, direction="sendonly").sender
            await janus.request(
                handle,
                {"request": "join", "ptype": "publisher", "room": ROOM, "id": p.feed},
            )
            await pc.setLocalDescription(await pc.createOffer())
            jsep = {"type": "offer", "sdp": pc.localDescription.sdp, "trickle": False}
            event = await janus.request(
                handle, {"request": "publish", "audio": True, "video": True}, jsep
            )
            sdp = event["jsep"]["sdp"]
            await pc.setRemoteDescription(RTCSessionDescription(loopback_sdp(sdp), "answer"))
        else:
            event = await janus.request(
                handle,
                {
                    "request": "join",
                    "ptype": "subscriber",
                    "room": ROOM,
                    "streams": [{"feed": f} for f in self._spec.feeds],
                },
            )
            sdp = event["jsep"]["sdp"]
            counter.kinds = payload_kinds(sdp)
            await pc.setRemoteDescription(RTCSessionDescription(loopback_sdp(sdp), "offer"))
            await pc.setLocalDescription(await pc.createAnswer())
            attach_counter(pc, counter)
            jsep = {"type": "answer", "sdp": pc.localDescription.sdp, "trickle": False}
            await janus.request(handle, {"request": "start"}, jsep)
        attach_counter(pc, counter)
        await self._wait_connected(pc)

    async def connect_all(self) -> tuple[int, list[str]]:
        if self._spec.signal == "janus":
            self._janus = JanusSession(self._http, self._spec.url)
            await self._janus.open()
        if any(p.send_video for p in self._spec.participants):
            self._video_loop = await asyncio.get_running_loop().run_in_executor(
                None, encode_video_loop
            )
        gate = asyncio.Semaphore(self._spec.concurrency)
        errors: list[str] = []

        async def one(p: ParticipantSpec) -> None:
            async with gate:
                try:
                    if self._spec.signal == "janus":
                        await self.connect_janus(p)
                    else:
                        await self.connect_http(p)
                except Exception as exc:  # report every failure, connect the rest
                    errors.append(f"{p.pid}: {type(exc).__name__}: {exc}")

        # publishers first, so that subscribers find them
        publishers = [p for p in self._spec.participants if p.send_audio or p.send_video]
        others = [p for p in self._spec.participants if not (p.send_audio or p.send_video)]
        await asyncio.gather(*(one(p) for p in publishers))
        await asyncio.gather(*(one(p) for p in others))
        return len(self._spec.participants) - len(errors), errors

    def snapshot(self) -> dict[str, Any]:
        return {
            "type": "snap",
            "at": time.monotonic(),
            "peers": {pid: c.snapshot() for pid, c in self.counters.items()},
            "sent": {
                pid: {"video": v.sent if v else 0, "audio": a.sent if a else 0}
                for pid, (v, a) in self.sending.items()
            },
        }

    async def close(self) -> None:
        await asyncio.gather(*(pc.close() for pc in self.pcs.values()), return_exceptions=True)
        if self._janus is not None:
            await self._janus.close()


async def _read_line(reader: asyncio.StreamReader, timeout_s: float) -> str:
    line = await asyncio.wait_for(reader.readline(), timeout_s)
    return line.decode().strip()


async def run(spec: ProcessSpec, max_lifetime_s: float) -> None:
    force_loopback()
    install_counting_receiver()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    deadline = time.monotonic() + max_lifetime_s
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        peers = Peers(spec, http)
        try:
            started = time.monotonic()
            connected, errors = await peers.connect_all()
            emit(
                {
                    "type": "ready",
                    "connected": connected,
                    "errors": errors[:10],
                    "connect_s": round(time.monotonic() - started, 2),
                }
            )
            while time.monotonic() < deadline:
                try:
                    command = await _read_line(reader, max(0.1, deadline - time.monotonic()))
                except TimeoutError:
                    break
                if command == "snap":
                    emit(peers.snapshot())
                elif command in ("stop", ""):
                    break
        finally:
            await asyncio.wait_for(peers.close(), 10)
    emit({"type": "stopped"})


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spec", required=True, help="ProcessSpec as JSON")
    parser.add_argument("--max-lifetime", type=float, default=600.0, help="seconds")
    args = parser.parse_args(argv)
    asyncio.run(run(ProcessSpec.from_json(args.spec), args.max_lifetime))


if __name__ == "__main__":
    main()
