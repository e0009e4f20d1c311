"""The slot protocol's view of a client's SDP offer. Pure.

The client always offers. Per kind, the m-lines in offer order are: the first one carrying a send
direction is what the client publishes (its microphone or camera); every m-line on which the
client receives (``sendrecv`` or ``recvonly``) is a receive slot, numbered in offer order.

An m-line with port 0 is rejected, except one marked ``a=bundle-only`` whose mid is in the
offer's BUNDLE group (RFC 8843 §6, JSEP §5.2.1): Firefox offers every m-line after the first so
under ``max-bundle``; it rides the first m-line's transport.

The **screen line** is the one video m-line whose mid the client names in its ``offer`` message
(``screen_mid``): on it the client sends its shared screen (a second video source, kind
``screen``) and receives the meeting's shared screen (one dedicated slot). It is neither the
camera nor a video slot.
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
    red_payload_type: int | None = None
    """The offer's RED (RFC 2198) payload type around Opus on this audio m-line, if any."""
    mid: str | None = None
    screen: bool = False
    """The client's screen line (``screen_mid``): neither its camera nor a video slot."""

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
        return next(
            (m for m in self.lines if m.kind == kind and m.client_sends and not m.screen), None
        )

    def slots(self, kind: Kind) -> tuple[MediaLine, ...]:
        return tuple(m for m in self.lines if m.kind == kind and m.client_receives and not m.screen)

    @property
    def screen(self) -> MediaLine | None:
        """The screen line, if the client named one (and it was not rejected)."""
        return next((m for m in self.lines if m.screen and not m.rejected), None)

    @property
    def media(self) -> tuple[MediaLine, ...]:
        """Audio and video m-lines, in offer order."""
        return tuple(m for m in self.lines if m.kind is not None)


def parse_offer_layout(sdp: str, screen_mid: str | None = None) -> OfferLayout:
    """Read m-line kinds and directions; ``screen_mid`` names the screen line. Raises
    ``ValueError`` on an offer without media, or whose ``screen_mid`` is not a video m-line."""
    lines: list[MediaLine] = []
    kind: Kind | None = None
    direction: Direction = "sendrecv"
    rejected = False
    session_direction: Direction = "sendrecv"
    in_media = False
    bundle_only = False
    mid: str | None = None
    formats: list[str] = []
    rtpmap: dict[str, str] = {}  # payload type -> "name/clock[/channels]", lower case
    fmtp: dict[str, str] = {}
    bundled: set[str] = set()  # mids in any a=group:BUNDLE

    def close() -> None:
        if in_media:
            accepted_bundle_only = bundle_only and mid is not None and mid in bundled
            red = _red_around_opus(formats, rtpmap, fmtp) if kind == "audio" else None
            lines.append(
                MediaLine(
                    len(lines),
                    kind,
                    direction,
                    rejected and not accepted_bundle_only,
                    red,
                    mid,
                    screen_mid is not None and mid == screen_mid,
                )
            )

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
            bundle_only = False
            mid = None
            formats, rtpmap, fmtp = parts[3:], {}, {}
        elif line.startswith("a=group:BUNDLE") and not in_media:
            bundled.update(line[len("a=group:BUNDLE") :].split())
        elif line == "a=bundle-only" and in_media:
            bundle_only = True
        elif line.startswith("a=mid:") and in_media:
            mid = line[len("a=mid:") :].strip()
        elif line.startswith("a=rtpmap:") and in_media:
            pt, _, codec = line[len("a=rtpmap:") :].partition(" ")
            rtpmap[pt] = codec.strip().lower()
        elif line.startswith("a=fmtp:") and in_media:
            pt, _, params = line[len("a=fmtp:") :].partition(" ")
            fmtp[pt] = params.strip()
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
    if screen_mid is not None and not any(m.screen and m.kind == "video" for m in lines):
        raise ValueError(f"screen_mid {screen_mid!r} is not a video m-line of the offer")
    return layout


def _red_around_opus(
    formats: list[str], rtpmap: dict[str, str], fmtp: dict[str, str]
) -> int | None:
    """The payload type of ``red/48000/2`` whose blocks are this m-line's Opus (its fmtp, if
    any, names only Opus payload types: ``63 111/111``), or ``None``."""
    opus = {pt for pt, codec in rtpmap.items() if codec.startswith("opus/48000")}
    for pt in formats:
        if rtpmap.get(pt) not in ("red/48000/2", "red/48000") or not pt.isdigit():
            continue
        blocks = [b.strip() for b in fmtp.get(pt, "").split("/") if b.strip()]
        if opus and all(b in opus for b in blocks):
            return int(pt)
    return None


#: Opus parameters the relay answers with (RFC 7587): in-band FEC and DTX. Browsers' Opus
#: encoders then add FEC (sized to the loss their receiver reports) and stop sending during
#: silence; every subscriber's decoder repairs a lost packet from the next one's FEC.
OPUS_FMTP = {"useinbandfec": "1", "usedtx": "1"}


def with_opus_parameters(sdp: str, parameters: dict[str, str] = OPUS_FMTP) -> str:
    """``sdp`` (the relay's answer) with ``parameters`` merged into every Opus ``a=fmtp`` line,
    one added where an Opus payload type has none. Other lines are unchanged."""
    lines = sdp.splitlines()
    opus_types: set[str] = set()
    for line in lines:
        if line.startswith("a=rtpmap:") and " " in line:
            pt, _, codec = line[len("a=rtpmap:") :].partition(" ")
            if codec.lower().startswith("opus/"):
                opus_types.add(pt)
    fmtp = ";".join(f"{k}={v}" for k, v in parameters.items())
    out: list[str] = []
    with_fmtp: set[str] = set()  # per m-line
    for line in lines:
        if line.startswith("m="):
            with_fmtp = set()
        elif line.startswith("a=fmtp:"):
            pt, _, params = line[len("a=fmtp:") :].partition(" ")
            if pt in opus_types:
                merged = {
                    k.strip(): v.strip()
                    for k, _, v in (p.partition("=") for p in params.split(";") if p.strip())
                }
                merged.update(parameters)
                line = f"a=fmtp:{pt} " + ";".join(f"{k}={v}" for k, v in merged.items())
                with_fmtp.add(pt)
        out.append(line)
    # a second pass adds the line after the rtpmap where an m-line had no fmtp for Opus
    result: list[str] = []
    present: set[str] = set()
    section: list[str] = []
    for line in [*out, "m=end"]:
        if line.startswith("m="):
            for kept in section:
                result.append(kept)
                if kept.startswith("a=rtpmap:"):
                    pt = kept[len("a=rtpmap:") :].partition(" ")[0]
                    if pt in opus_types and pt not in present:
                        result.append(f"a=fmtp:{pt} {fmtp}")
            section, present = [], set()
        if line != "m=end":
            section.append(line)
            if line.startswith("a=fmtp:"):
                present.add(line[len("a=fmtp:") :].partition(" ")[0])
    return "\r\n".join(result) + "\r\n"


def with_audio_redundancy(sdp: str, red_by_line: dict[int, int]) -> str:
    """``sdp`` (the relay's answer) with RED (RFC 2198) around Opus on the m-lines whose index
    is in ``red_by_line`` (index → the offer's RED payload type), listed **first**: Chromium
    sends RED only when the answer prefers it (it offers RED after Opus). aiortc knows no RED,
    so its answer has none: the ``rtpmap`` and the ``fmtp`` naming the answer's Opus payload
    type are added after Opus' own lines. An m-line without Opus is left as it is."""
    sections: list[list[str]] = [[]]
    for line in sdp.splitlines():
        if line.startswith("m="):
            sections.append([])
        sections[-1].append(line)
    out = list(sections[0])
    for index, section in enumerate(sections[1:]):
        red = red_by_line.get(index)
        opus = next(
            (
                line[len("a=rtpmap:") :].partition(" ")[0]
                for line in section
                if line.startswith("a=rtpmap:") and " opus/48000" in line.lower()
            ),
            None,
        )
        if red is None or opus is None or not section[0].startswith("m=audio"):
            out.extend(section)
            continue
        head = section[0].split()
        formats = [pt for pt in head[3:] if pt != str(red)]
        section = [" ".join([*head[:3], str(red), *formats])] + [
            line
            for line in section[1:]
            if not line.startswith((f"a=rtpmap:{red} ", f"a=fmtp:{red} "))
        ]
        last_opus = max(
            i
            for i, line in enumerate(section)
            if line.startswith((f"a=rtpmap:{opus} ", f"a=fmtp:{opus} "))
        )
        section[last_opus + 1 : last_opus + 1] = [
            f"a=rtpmap:{red} red/48000/2",
            f"a=fmtp:{red} {opus}/{opus}",
        ]
        out.extend(section)
    return "\r\n".join(out) + "\r\n"
