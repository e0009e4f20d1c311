"""The slot protocol's view of a client's SDP offer. Pure.

The client always offers. Per kind, the m-lines in offer order are: the first one carrying a send
direction is what the client publishes (its microphone or camera); every m-line on which the
client receives (``sendrecv`` or ``recvonly``) is a receive slot, numbered in offer order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["audio", "video"]
Direction = Literal["sendrecv", "sendonly", "recvonly", "inactive"]

_DIRECTIONS: tuple[Direction, ...] = ("sendrecv", "sendonly", "recvonly", "inactive")
#: a cap on m-lines per offer, far above any slot count, against hostile offers
MAX_MEDIA_LINES = 64


@dataclass(frozen=True, slots=True)
class MediaLine:
    index: int
    kind: Kind | None
    """``None`` for m-lines the relay ignores (data channels, unknown kinds)."""
    direction: Direction
    rejected: bool

    @property
    def client_sends(self) -> bool:
        return not self.rejected and self.direction in ("sendrecv", "sendonly")

    @property
    def client_receives(self) -> bool:
        return not self.rejected and self.direction in ("sendrecv", "recvonly")


@dataclass(frozen=True, slots=True)
class OfferLayout:
    lines: tuple[MediaLine, ...]

    def published(self, kind: Kind) -> MediaLine | None:
        """The m-line carrying the client's own audio or video: the first with a send direction."""
        return next((m for m in self.lines if m.kind == kind and m.client_sends), None)

    def slots(self, kind: Kind) -> tuple[MediaLine, ...]:
        return tuple(m for m in self.lines if m.kind == kind and m.client_receives)

    @property
    def media(self) -> tuple[MediaLine, ...]:
        """Audio and video m-lines, in offer order."""
        return tuple(m for m in self.lines if m.kind is not None)


def parse_offer_layout(sdp: str) -> OfferLayout:
    """Read m-line kinds and directions. Raises ``ValueError`` on an offer without media."""
    lines: list[MediaLine] = []
    kind: Kind | None = None
    direction: Direction = "sendrecv"
    rejected = False
    session_direction: Direction = "sendrecv"
    in_media = False

    def close() -> None:
        if in_media:
            lines.append(MediaLine(len(lines), kind, direction, rejected))

    for raw in sdp.splitlines():
        line = raw.strip()
        if line.startswith("m="):
            close()
            if len(lines) >= MAX_MEDIA_LINES:
                raise ValueError(f"offer has more than {MAX_MEDIA_LINES} m-lines")
            parts = line[2:].split()
            if len(parts) < 3:
                raise ValueError(f"malformed m-line: {line!r}")
            name, port = parts[0], parts[1]
            kind = name if name in ("audio", "video") else None  # type: ignore[assignment]
            rejected = port == "0"
            direction = session_direction
            in_media = True
        elif line.startswith("a=") and line[2:] in _DIRECTIONS:
            value: Direction = line[2:]  # type: ignore[assignment]
            if in_media:
                direction = value
            else:
                session_direction = value
    close()
    layout = OfferLayout(tuple(lines))
    if not layout.media:
        raise ValueError("offer has no audio or video m-line")
    return layout
