"""Audio redundancy (RED, RFC 2198) around Opus: reading a publisher's packets, writing a
subscriber's, and how much redundancy a subscriber's reported loss calls for. Pure.

A RED payload is a list of blocks, oldest first: each redundant block is an earlier Opus frame
(its RTP timestamp is the packet's minus the block's offset), the last block is the primary (the
packet's own frame). A frame lost on the way is rebuilt from the next packet that repeats it.

The relay ends RED on each leg instead of passing it through (``docs/media.md``): Chromium sends
one earlier frame per packet and no field a page can set raises that, so a packet and its one
repeat are both lost about as often as two packets in a row: 4 % at 20 % random loss and some
20 % at 30 % loss in bursts of three. The relay rebuilds what the publisher's leg lost from its
repeats and repeats up to ``MAX_DISTANCE`` earlier frames to each subscriber, as many as that
subscriber's own loss calls for. The Opus frames themselves are never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: RFC 2198 header fields: 14-bit timestamp offset, 10-bit block length
MAX_TIMESTAMP_OFFSET = 0x3FFF
MAX_BLOCK_LENGTH = 0x3FF
#: earlier frames repeated in one packet at most (a subscriber losing 30 % in bursts)
MAX_DISTANCE = 4
#: a RED payload stays below this so that packets stay well under the path MTU
MAX_PAYLOAD = 1100
_FOLLOW = 0x80


@dataclass(frozen=True, slots=True)
class RedBlock:
    timestamp_offset: int
    """How many RTP clock ticks before the packet's timestamp this frame starts (0: primary)."""
    payload_type: int
    data: bytes


def parse_red(payload: bytes) -> list[RedBlock]:
    """The blocks of a RED payload, oldest first, the primary last. ``ValueError`` if malformed."""
    headers: list[tuple[int, int, int | None]] = []
    pos = 0
    while True:
        if pos >= len(payload):
            raise ValueError("RED payload ends inside its headers")
        first = payload[pos]
        if first & _FOLLOW:
            if pos + 4 > len(payload):
                raise ValueError("RED payload ends inside a block header")
            word = int.from_bytes(payload[pos + 1 : pos + 4], "big")
            headers.append((first & 0x7F, word >> 10, word & MAX_BLOCK_LENGTH))
            pos += 4
        else:
            headers.append((first & 0x7F, 0, None))
            pos += 1
            break
    blocks: list[RedBlock] = []
    for payload_type, offset, length in headers:
        end = len(payload) if length is None else pos + length
        if end > len(payload):
            raise ValueError("RED block longer than its packet")
        blocks.append(RedBlock(offset, payload_type, payload[pos:end]))
        pos = end
    return blocks


def build_red(
    payload_type: int, primary: bytes, redundant: Sequence[tuple[int, bytes]] = ()
) -> bytes:
    """A RED payload of ``primary`` after the ``(timestamp offset, frame)`` pairs of
    ``redundant`` (oldest first), all of ``payload_type``. Frames that cannot be described
    (offset 0 or beyond 14 bits, longer than 10 bits) or would make the payload longer than
    ``MAX_PAYLOAD`` are left out, the oldest first."""
    usable = [
        (offset, data)
        for offset, data in redundant
        if 0 < offset <= MAX_TIMESTAMP_OFFSET and len(data) <= MAX_BLOCK_LENGTH
    ]
    size = 1 + len(primary)
    kept: list[tuple[int, bytes]] = []
    for offset, data in reversed(usable):  # newest first: they matter most
        if size + 4 + len(data) > MAX_PAYLOAD:
            break
        size += 4 + len(data)
        kept.append((offset, data))
    kept.reverse()
    head = b"".join(
        bytes([_FOLLOW | payload_type]) + ((offset << 10) | len(data)).to_bytes(3, "big")
        for offset, data in kept
    )
    return head + bytes([payload_type]) + b"".join(data for _, data in kept) + primary


#: (reported loss at or above, earlier frames repeated); below the first step, one (as Chromium)
DISTANCE_STEPS: tuple[tuple[float, int], ...] = ((0.02, 2), (0.08, 3), (0.15, MAX_DISTANCE))


def distance_for_loss(loss: float) -> int:
    """Earlier frames to repeat in each packet to a subscriber that loses ``loss`` (0–1) of
    them: with independent losses a frame is gone only when it and all its repeats are, but
    satellite losses come in bursts, so the steps are generous."""
    distance = 1
    for threshold, steps in DISTANCE_STEPS:
        if loss >= threshold:
            distance = steps
    return distance


class LossEstimate:
    """A subscriber's loss from its RTCP receiver reports (``fraction lost``, 8 bits, since its
    previous report): rises at once, falls slowly (a fifth of the way per report), so that one
    clean report between bursts does not strip the repeats."""

    __slots__ = ("loss", "reports")

    def __init__(self) -> None:
        self.loss = 0.0
        self.reports = 0

    def update(self, fraction_lost: int) -> float:
        sample = max(0, min(255, fraction_lost)) / 256
        self.loss = sample if sample > self.loss else 0.8 * self.loss + 0.2 * sample
        self.reports += 1
        return self.loss

    @property
    def distance(self) -> int:
        return distance_for_loss(self.loss)
