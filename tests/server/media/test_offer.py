"""The slot protocol's reading of a client offer (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.media.offer import (
    MAX_MEDIA_LINES,
    parse_offer_layout,
    with_audio_redundancy,
    with_opus_parameters,
)

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


ANSWER_WITHOUT_OPUS_PARAMETERS = """v=0\r
o=- 1 1 IN IP4 0.0.0.0\r
s=-\r
t=0 0\r
m=audio 9 UDP/TLS/RTP/SAVPF 111\r
c=IN IP4 0.0.0.0\r
a=rtpmap:111 opus/48000/2\r
a=sendrecv\r
m=audio 9 UDP/TLS/RTP/SAVPF 111\r
c=IN IP4 0.0.0.0\r
a=rtpmap:111 OPUS/48000/2\r
a=fmtp:111 minptime=10;useinbandfec=0\r
a=sendonly\r
m=video 9 UDP/TLS/RTP/SAVPF 96 97\r
c=IN IP4 0.0.0.0\r
a=rtpmap:96 VP8/90000\r
a=rtpmap:97 rtx/90000\r
a=fmtp:97 apt=96\r
"""


def test_opus_fec_and_dtx_on_every_audio_line() -> None:
    sdp = with_opus_parameters(ANSWER_WITHOUT_OPUS_PARAMETERS)
    fmtp = [line for line in sdp.splitlines() if line.startswith("a=fmtp:")]
    assert fmtp == [
        "a=fmtp:111 useinbandfec=1;usedtx=1",  # added after the rtpmap
        "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1",  # merged, the answer's wins
        "a=fmtp:97 apt=96",  # video untouched
    ]
    lines = sdp.splitlines()
    assert (
        lines.index("a=fmtp:111 useinbandfec=1;usedtx=1")
        == lines.index("a=rtpmap:111 opus/48000/2") + 1
    )
    assert with_opus_parameters(sdp) == sdp  # idempotent


DATA = Path(__file__).parent / "data"

#: captured from Debian's Firefox ESR 153 (headless, fake devices) with the page's transceiver
#: layout under ``bundlePolicy: 'max-bundle'``: every m-line after the first has port 0 and
#: ``a=bundle-only`` (JSEP §5.2.1), plus RTCP component-2 candidates
FIREFOX_OFFER = (DATA / "firefox_esr_153_offer.sdp").read_text()

#: the shape Safari (WebKit's libwebrtc) offers for the same layout: port 9 on every m-line,
#: candidates on the first only, RED before Opus, H.264 before VP8; written for this test
SAFARI_OFFER = (DATA / "safari_shaped_offer.sdp").read_text()


@pytest.mark.parametrize("sdp", [FIREFOX_OFFER, SAFARI_OFFER], ids=["firefox-esr", "safari"])
def test_browsers_offers_give_two_published_and_four_slots(sdp: str) -> None:
    layout = parse_offer_layout(sdp)
    assert [m.rejected for m in layout.media] == [False] * 4
    audio, video = layout.published("audio"), layout.published("video")
    assert audio is not None and audio.index == 0
    assert video is not None and video.index == 1
    assert [m.index for m in layout.slots("audio")] == [0, 2]
    assert [m.index for m in layout.slots("video")] == [1, 3]


def test_bundle_only_outside_the_bundle_group_is_still_rejected() -> None:
    sdp = (
        "v=0\na=group:BUNDLE 0 1\n"
        "m=audio 9 RTP/SAVPF 111\na=mid:0\na=sendrecv\n"
        "m=video 0 RTP/SAVPF 96\na=bundle-only\na=mid:1\na=recvonly\n"
        "m=video 0 RTP/SAVPF 96\na=bundle-only\na=mid:2\na=recvonly\n"
        "m=video 0 RTP/SAVPF 96\na=mid:3\na=recvonly\n"
    )
    assert [m.rejected for m in parse_offer_layout(sdp).media] == [False, False, True, True]


#: the audio m-line as Chromium 156 offers it: RED after Opus, its blocks Opus
CHROMIUM_AUDIO = """v=0\r
a=group:BUNDLE 0 1\r
m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r
a=mid:0\r
a=sendrecv\r
a=rtpmap:111 opus/48000/2\r
a=rtcp-fb:111 transport-cc\r
a=fmtp:111 minptime=10;useinbandfec=1\r
a=rtpmap:63 red/48000/2\r
a=fmtp:63 111/111\r
a=rtpmap:9 G722/8000\r
m=audio 9 UDP/TLS/RTP/SAVPF 111 63\r
a=mid:1\r
a=recvonly\r
a=rtpmap:111 opus/48000/2\r
a=rtpmap:63 red/48000/2\r
a=fmtp:63 9/9\r
"""


def test_red_around_opus_is_read_per_audio_line() -> None:
    layout = parse_offer_layout(CHROMIUM_AUDIO)
    # the second line's RED carries G.722, which the relay does not forward
    assert [m.red_payload_type for m in layout.media] == [63, None]
    assert [m.red_payload_type for m in parse_offer_layout(SAFARI_OFFER).media] == [
        63,
        None,
        63,
        None,
    ]
    assert all(m.red_payload_type is None for m in parse_offer_layout(FIREFOX_OFFER).media)


AIORTC_ANSWER = """v=0\r
o=- 1 1 IN IP4 0.0.0.0\r
s=-\r
t=0 0\r
m=audio 9 UDP/TLS/RTP/SAVPF 111\r
a=mid:0\r
a=rtpmap:111 opus/48000/2\r
a=fmtp:111 useinbandfec=1;usedtx=1\r
a=sendrecv\r
m=video 9 UDP/TLS/RTP/SAVPF 96 97\r
a=rtpmap:96 VP8/90000\r
a=rtpmap:97 rtx/90000\r
m=audio 9 UDP/TLS/RTP/SAVPF 111\r
a=rtpmap:111 opus/48000/2\r
a=sendonly\r
"""


def test_answer_prefers_red_where_it_was_offered() -> None:
    sdp = with_audio_redundancy(AIORTC_ANSWER, {0: 63, 1: 63})  # 1 is video: untouched
    lines = sdp.splitlines()
    assert [line for line in lines if line.startswith("m=")] == [
        "m=audio 9 UDP/TLS/RTP/SAVPF 63 111",
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111",  # not asked for
    ]
    at = lines.index("a=fmtp:111 useinbandfec=1;usedtx=1")
    assert lines[at + 1 : at + 3] == ["a=rtpmap:63 red/48000/2", "a=fmtp:63 111/111"]
    assert with_audio_redundancy(sdp, {0: 63}) == sdp  # idempotent
    assert with_audio_redundancy(AIORTC_ANSWER, {}) == AIORTC_ANSWER


def test_the_screen_line_is_neither_the_camera_nor_a_video_slot() -> None:
    sdp = OFFER.replace("a=mid:3\na=sendonly", "a=mid:3\na=sendrecv")
    layout = parse_offer_layout(sdp, screen_mid="3")
    screen = layout.screen
    assert screen is not None and screen.index == 3 and screen.client_sends
    assert screen.client_receives  # the meeting's shared screen comes back on it
    assert layout.published("video") is None  # the camera line (mid 1) is recvonly
    assert [m.index for m in layout.slots("video")] == [1]
    assert parse_offer_layout(sdp).screen is None  # no screen_mid: an ordinary camera line
    with pytest.raises(ValueError):
        parse_offer_layout(sdp, screen_mid="0")  # audio
    with pytest.raises(ValueError):
        parse_offer_layout(sdp, screen_mid="4")  # the data channel
    with pytest.raises(ValueError):
        parse_offer_layout(sdp, screen_mid="7")  # no such m-line


def test_firefoxs_bundle_only_line_may_be_the_screen_line() -> None:
    layout = parse_offer_layout(FIREFOX_OFFER, screen_mid="3")
    assert layout.screen is not None and layout.screen.client_receives
    assert len(layout.slots("video")) == 1  # the camera line; mid 3 is the screen's
