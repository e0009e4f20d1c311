"""Reassembling a publisher's VP8 frames from RTP packets, each as soon as its last packet came,
and what the relay reads of a VP8 packet's payload descriptor (start of a frame, temporal layer).

aiortc's video jitter buffer hands a frame on only when a packet of the *next* frame arrives. For
a relay that costs every subscriber a frame interval of delay, and a shared screen that does not
change sends no next frame: a keyframe sent for a new viewer (Chromium's screen capture sends one
on request, then nothing until the picture changes) would wait in the relay until the presenter
scrolls. :class:`FrameOnMarkerBuffer` hands a frame on as soon as every packet of it is there
(its last one carries the RTP marker bit): when that last packet comes, or the retransmission
that fills its gap. Otherwise aiortc's own rule applies (the frame goes when the next one begins).
"""

from __future__ import annotations

from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add

#: VP8 payload descriptor (RFC 7741 §4.2), first octet: start of a partition, partition index
_VP8_START = 0x10
_VP8_PARTITION = 0x07


def vp8_starts_frame(payload: bytes) -> bool:
    """Whether a VP8 RTP payload carries the beginning of a frame (partition 0, start bit)."""
    return bool(payload) and payload[0] & _VP8_START != 0 and payload[0] & _VP8_PARTITION == 0


def vp8_temporal_layer(payload: bytes) -> int | None:
    """The TID of a VP8 RTP payload descriptor (RFC 7741 4.2), ``None`` without one (a
    publisher that sends no temporal layers)."""
    if len(payload) < 2 or not payload[0] & 0x80:  # X: no extension
        return None
    ext = payload[1]
    if not ext & 0x20:  # T: no TID
        return None
    pos = 2
    if ext & 0x80:  # I: picture id, 7 or 15 bits
        if pos >= len(payload):
            return None
        pos += 2 if payload[pos] & 0x80 else 1
    if ext & 0x40:  # L: TL0PICIDX
        pos += 1
    if pos >= len(payload):
        return None
    return int(payload[pos] >> 6)


class FrameOnMarkerBuffer(JitterBuffer):
    """aiortc's video jitter buffer, handing the oldest frame on as soon as it is whole: at its
    marker bit, or when a retransmitted packet fills its gap."""

    def __init__(self, capacity: int, prefetch: int = 0, is_video: bool = False) -> None:
        super().__init__(capacity, prefetch, is_video)
        self._newest: int | None = None

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        newest = self._newest
        late = newest is not None and 0 < uint16_add(newest, -packet.sequence_number) < 0x8000
        if not late:
            self._newest = packet.sequence_number
        pli, frame = super().add(packet)
        if frame is not None or not (packet.marker or late):
            return pli, frame
        return pli, self._whole_first_frame()

    def _whole_first_frame(self) -> JitterFrame | None:
        """The frame at the start of the buffer, removed, if all of it is there."""
        origin = self._origin
        if origin is None:
            return None
        capacity = self.capacity
        first = self._packets[origin % capacity]
        if first is None or not vp8_starts_frame(first.payload):
            return None  # missing, or its first packets were dropped: not a whole frame
        packets: list[RtpPacket] = []
        for i in range(capacity):
            kept = self._packets[(origin + i) % capacity]
            if kept is None or kept.timestamp != first.timestamp:
                return None  # a packet of it is missing, or it has no marker
            packets.append(kept)
            if kept.marker:
                break
        else:
            return None
        self.remove(len(packets))
        data = b"".join(p._data for p in packets)  # type: ignore[attr-defined]
        return JitterFrame(data=data, timestamp=first.timestamp)
