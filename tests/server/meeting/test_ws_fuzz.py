"""Random frames at a live WebSocket: the server answers or ignores, and stays up."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from policy.error_codes import ProtocolError
from signaling.protocol import CLIENT_TYPES, Join, Leave, parse_message
from tests.server.meeting.support import Cell, Peer

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
NEAR_MISS = st.fixed_dictionaries(
    {
        "v": st.sampled_from([1, 1, 1, 0, 2, "1", None]),
        "type": st.sampled_from(sorted(CLIENT_TYPES)),
    },
    optional={
        "participant_id": st.text(max_size=70),
        "kind": st.sampled_from(["audio", "video", "smell"]),
        "sdp": st.text(max_size=300),
        "candidate": st.none() | st.text(max_size=100),
        "nonce": st.integers(),
        "on": JSON,
        "reason": st.text(max_size=250),
        "member_id": st.text(max_size=10),
        "meeting_id": st.text(max_size=10),
    },
)
FRAMES = st.one_of(
    st.binary(max_size=512),
    st.text(max_size=512),
    JSON.map(json.dumps),
    NEAR_MISS.map(json.dumps),
)


def harmless(frame: str | bytes) -> bool:
    """Frames that would legitimately end the session (``leave``) are left out."""
    try:
        msg = parse_message(frame)
    except ProtocolError:
        return True
    return not isinstance(msg, Leave | Join)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frames=st.lists(FRAMES, min_size=1, max_size=4))
async def test_random_frames_never_take_the_server_down(
    cell: Cell, peers: dict[str, Peer], frames: list[str | bytes]
) -> None:
    for frame in frames:
        assume(harmless(frame))
    chair = peers["chair"]
    if chair.ws is not None:  # the previous example's socket drops; a new connection joins
        await chair.ws.close()
    welcome = await chair.join(cell.meeting_id)
    assert welcome["role"] == "chair"
    assert chair.ws is not None
    for frame in frames:
        if isinstance(frame, bytes):
            await chair.ws.send_bytes(frame)
        else:
            await chair.ws.send_str(frame)
    await chair.ping(nonce=987_654_321)  # still answering on the same socket
    assert not chair.ws.closed


async def test_new_connection_after_fuzzing(cell: Cell, peers: dict[str, Peer]) -> None:
    chair, member = peers["chair"], peers["member"]
    await chair.join(cell.meeting_id)
    assert chair.ws is not None
    await chair.ws.send_bytes(b"\x00" * 70_000)
    await chair.expect("error")
    await member.join(cell.meeting_id)
    await member.expect("lobby")
    await member.ping()
