"""The aiortc private API that server/media/passthrough.py relies on, and a real round trip.

If an aiortc upgrade breaks any of these, this module fails first: fix passthrough.py, then
bump the pin in pyproject.toml.
"""

from __future__ import annotations

import asyncio
import inspect
import queue
from fractions import Fraction

import av
import pytest
from aiortc import (
    RTCBundlePolicy,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpSender,
)
from aiortc import rtcrtpreceiver as receiver_module
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcdtlstransport import RTCCertificate, RTCDtlsTransport
from aiortc.rtcicetransport import RTCIceGatherer, RTCIceTransport
from aiortc.rtp import RtpPacket

from server.media.passthrough import (
    EncodedFrame,
    KeyframeRequester,
    add_loopback_candidate,
    is_keyframe,
    on_keyframe_request,
    tap_receiver,
)
from tests.media.peers import GREEN, LOUD_TEST_AMPLITUDE, ColourTrack, ToneTrack, wait_for


def _params(function: object) -> list[str]:
    assert callable(function)
    return list(inspect.signature(function).parameters)


def _dtls_transport() -> RTCDtlsTransport:
    gatherer = RTCIceGatherer()
    return RTCDtlsTransport(RTCIceTransport(gatherer), [RTCCertificate.generateCertificate()])


def test_receiver_private_api_is_still_there() -> None:
    assert _params(RTCRtpReceiver._handle_rtp_packet) == ["self", "packet", "arrival_time_ms"]
    assert _params(RTCRtpReceiver._send_rtcp_pli) == ["self", "media_ssrc"]
    assert _params(RTCRtpReceiver.receive) == ["self", "parameters"]
    receiver = RTCRtpReceiver("video", _dtls_transport())
    assert isinstance(receiver._RTCRtpReceiver__decoder_queue, queue.Queue)  # type: ignore[attr-defined]
    assert receiver._RTCRtpReceiver__started is False  # type: ignore[attr-defined]
    # the decoder thread reads (codec, JitterFrame) tasks from that queue and stops on None
    assert _params(receiver_module.decoder_worker) == [
        "loop",
        "input_q",
        "output_q",
        "decode_error",
    ]
    source = inspect.getsource(receiver_module.decoder_worker)
    assert "task = input_q.get()" in source and "codec, encoded_frame = task" in source
    handler = inspect.getsource(RTCRtpReceiver._handle_rtp_packet)
    assert "self.__decoder_queue.put((codec, encoded_frame))" in handler
    assert hasattr(receiver_module.RemoteStreamTrack("video"), "_queue")
    assert {"data", "timestamp"} <= set(vars(JitterFrame(b"", 0)))


def test_sender_and_ice_private_api_is_still_there() -> None:
    assert _params(RTCRtpSender._handle_rtcp_packet) == ["self", "packet"]
    # packets (not frames) from a track are packetized, not encoded
    assert "self.__encoder.pack(data)" in inspect.getsource(RTCRtpSender._next_encoded_frame)
    gatherer = RTCIceGatherer()
    assert _params(gatherer._connection.get_component_candidates) == [
        "component",
        "addresses",
        "timeout",
    ]
    assert RtpPacket().extensions.audio_level is None


def test_is_keyframe() -> None:
    assert is_keyframe("video/VP8", b"\x10\x02\x00")
    assert not is_keyframe("video/VP8", b"\x11\x02\x00")
    assert not is_keyframe("video/VP8", b"")
    assert is_keyframe("video/H264", b"\x00\x00\x00\x01\x67\x42\x00\x00\x00\x01\x65")
    assert not is_keyframe("video/H264", b"\x00\x00\x00\x01\x41\x9a")
    assert is_keyframe("audio/opus", b"\xfc")


def test_encoded_frame_to_packet() -> None:
    packet = EncodedFrame(b"\x01\x02", pts=960, clock_rate=48_000, keyframe=True).to_packet()
    assert bytes(packet) == b"\x01\x02"
    assert packet.pts == 960 and packet.time_base == Fraction(1, 48_000)


async def test_keyframe_requester_coalesces() -> None:
    sent: list[float] = []
    loop = asyncio.get_running_loop()

    async def send() -> bool:
        sent.append(loop.time())
        return True

    requester = KeyframeRequester(send, interval=0.2)
    for _ in range(10):
        requester.request()
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.35)
    assert requester.requested == 10
    assert requester.sent == len(sent) == 2  # one at once, one for the rest at the interval
    assert sent[1] - sent[0] >= 0.19
    requester.request()  # the interval has passed: sent at once
    await asyncio.sleep(0.01)
    requester.request()  # pending for the end of the interval…
    requester.close()  # …and cancelled
    await asyncio.sleep(0.25)
    assert requester.sent == 3 and requester.requested == 12


@pytest.mark.media
@pytest.mark.timeout(30)
async def test_round_trip_yields_packets_levels_and_forwards_plis() -> None:
    """Two real peers: the receiving side's track yields VP8 packets that decode to the colour."""
    config = RTCConfiguration(bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)
    publisher, subscriber = RTCPeerConnection(config), RTCPeerConnection(config)
    try:
        publisher.addTransceiver(ToneTrack(LOUD_TEST_AMPLITUDE), direction="sendonly")
        video = publisher.addTransceiver(ColourTrack(GREEN), direction="sendonly")
        keyframe_requests: list[int] = []
        on_keyframe_request(video.sender, lambda: keyframe_requests.append(1))
        add_loopback_candidate(publisher)
        await publisher.setLocalDescription(await publisher.createOffer())
        await subscriber.setRemoteDescription(publisher.localDescription)
        levels: list[int] = []
        audio_rx, video_rx = (t.receiver for t in subscriber.getTransceivers())
        audio_tap = tap_receiver(audio_rx, on_audio_level=lambda level, _vad: levels.append(level))
        video_tap = tap_receiver(video_rx)
        assert tap_receiver(video_rx) is video_tap  # idempotent
        add_loopback_candidate(subscriber)
        await subscriber.setLocalDescription(await subscriber.createAnswer())
        await publisher.setRemoteDescription(subscriber.localDescription)

        track: MediaStreamTrack = video_rx.track
        received = [await asyncio.wait_for(track.recv(), 10) for _ in range(5)]
        packets = [p for p in received if isinstance(p, av.Packet)]
        assert len(packets) == 5
        assert all(p.time_base == Fraction(1, 90_000) for p in packets)
        pts = [-1 if p.pts is None else p.pts for p in packets]
        assert pts == sorted(pts) and pts[0] == 0
        decoder = av.CodecContext.create("vp8", "r")
        assert isinstance(decoder, av.VideoCodecContext)
        frames = [f for p in packets for f in decoder.decode(p)]
        assert frames
        u, v = bytes(frames[-1].planes[1]), bytes(frames[-1].planes[2])
        assert GREEN.near(u[len(u) // 2], v[len(v) // 2])

        audio_packet = await asyncio.wait_for(audio_rx.track.recv(), 5)
        assert isinstance(audio_packet, av.Packet)
        assert audio_packet.time_base == Fraction(1, 48_000)
        await wait_for(lambda: len(levels) > 10, 5, "audio levels")
        assert all(0 <= level <= 20 for level in levels[-5:]), levels[-5:]
        assert audio_tap.rtp_packets >= 10

        assert await video_tap.request_keyframe()
        await wait_for(lambda: bool(keyframe_requests), 5, "the publisher seeing our PLI")
    finally:
        await publisher.close()
        await subscriber.close()


async def test_tap_refuses_a_started_receiver() -> None:
    receiver = RTCRtpReceiver("audio", _dtls_transport())
    receiver._RTCRtpReceiver__started = True  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError):
        tap_receiver(receiver)
