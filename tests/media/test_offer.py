"""The slot protocol's reading of a client offer (pure)."""

from __future__ import annotations

import pytest

from server.media.offer import MAX_MEDIA_LINES, parse_offer_layout

OFFER = """v=0
o=- 1 1 IN IP4 0.0.0.0
s=-
t=0 0
a=group:BUNDLE 0 1 2 3 4
m=audio 9 UDP/TLS/RTP/SAVPF 111
a=mid:0
a=sendrecv
m=video 9 UDP/TLS/RTP/SAVPF 96
a=mid:1
a=recvonly
m=audio 9 UDP/TLS/RTP/SAVPF 111
a=mid:2
a=recvonly
m=video 9 UDP/TLS/RTP/SAVPF 96
a=mid:3
a=sendonly
m=application 9 UDP/DTLS/SCTP webrtc-datachannel
a=mid:4
m=video 0 UDP/TLS/RTP/SAVPF 96
a=mid:5
a=recvonly
"""


def test_published_and_slots() -> None:
    layout = parse_offer_layout(OFFER)
    audio = layout.published("audio")
    assert audio is not None and audio.index == 0
    # the camera is the first video m-line that sends, not the first video m-line
    video = layout.published("video")
    assert video is not None and video.index == 3
    assert [m.index for m in layout.slots("audio")] == [0, 2]
    # a rejected m-line (port 0) is no slot
    assert [m.index for m in layout.slots("video")] == [1]
    assert [m.index for m in layout.media] == [0, 1, 2, 3, 5]


def test_session_level_direction_is_the_default() -> None:
    sdp = "v=0\na=recvonly\nm=audio 9 RTP/SAVPF 111\nm=video 9 RTP/SAVPF 96\na=sendrecv\n"
    layout = parse_offer_layout(sdp)
    assert layout.published("audio") is None
    assert [m.direction for m in layout.media] == ["recvonly", "sendrecv"]


@pytest.mark.parametrize(
    "sdp",
    [
        "v=0\n",
        "v=0\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\n",
        "v=0\nm=audio\n",
        "v=0\n" + "m=audio 9 RTP/SAVPF 111\n" * (MAX_MEDIA_LINES + 1),
    ],
)
def test_unusable_offers_are_refused(sdp: str) -> None:
    with pytest.raises(ValueError):
        parse_offer_layout(sdp)
