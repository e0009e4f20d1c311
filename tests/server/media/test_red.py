"""RED (RFC 2198) around Opus: payloads, and the repeats a subscriber's loss calls for (pure)."""

from __future__ import annotations

import pytest

from server.media.red import (
    MAX_DISTANCE,
    MAX_PAYLOAD,
    MAX_TIMESTAMP_OFFSET,
    LossEstimate,
    RedBlock,
    build_red,
    distance_for_loss,
    parse_red,
)

#: a RED payload as Chromium sends it: one 960-tick-old frame of 3 bytes, then the primary
CHROMIUM_RED = bytes([0x80 | 111, 0x0F, 0x00, 0x03, 111]) + b"abc" + b"primary"


def test_parse_reads_chromium_shaped_payloads() -> None:
    assert parse_red(CHROMIUM_RED) == [RedBlock(960, 111, b"abc"), RedBlock(0, 111, b"primary")]
    # the primary alone (one header byte)
    assert parse_red(bytes([111]) + b"x") == [RedBlock(0, 111, b"x")]


def test_build_round_trips_oldest_first() -> None:
    payload = build_red(111, b"now", [(2880, b"three"), (1920, b"two"), (960, b"one")])
    assert parse_red(payload) == [
        RedBlock(2880, 111, b"three"),
        RedBlock(1920, 111, b"two"),
        RedBlock(960, 111, b"one"),
        RedBlock(0, 111, b"now"),
    ]
    assert build_red(111, b"now") == bytes([111]) + b"now"


def test_build_leaves_out_what_cannot_be_described_or_does_not_fit() -> None:
    too_old = (MAX_TIMESTAMP_OFFSET + 1, b"old")  # after a DTX pause
    too_long = (960, b"x" * 1024)
    payload = build_red(111, b"now", [too_old, too_long, (960, b"ok")])
    assert [b.data for b in parse_red(payload)] == [b"ok", b"now"]
    big = b"y" * 500
    payload = build_red(111, big, [(2880, big), (1920, big), (960, big)])
    assert len(payload) <= MAX_PAYLOAD
    # the newest repeat is kept, the older ones go
    assert [b.timestamp_offset for b in parse_red(payload)] == [960, 0]


@pytest.mark.parametrize(
    "payload",
    [b"", bytes([0x80 | 111, 0x0F]), bytes([0x80 | 111, 0x0F, 0x00, 0x09, 111]) + b"short"],
)
def test_malformed_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(ValueError):
        parse_red(payload)


def test_distance_follows_the_reported_loss() -> None:
    assert distance_for_loss(0.0) == 1
    assert distance_for_loss(0.05) == 2
    assert distance_for_loss(0.10) == 3
    assert distance_for_loss(0.30) == MAX_DISTANCE


def test_loss_estimate_rises_at_once_and_falls_slowly() -> None:
    estimate = LossEstimate()
    assert estimate.distance == 1
    estimate.update(51)  # 20 %
    assert estimate.loss == pytest.approx(0.2, abs=0.01) and estimate.distance == MAX_DISTANCE
    estimate.update(0)  # one clean report between bursts
    assert estimate.distance == MAX_DISTANCE
    for _ in range(20):
        estimate.update(0)
    assert estimate.distance == 1 and estimate.reports == 22
