"""Wire messages: round trips, exact refusals, and properties of the parser."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy.error_codes import ErrorCode, ProtocolError
from policy.i18n import Text
from signaling.protocol import (
    CLIENT_TYPES,
    MAX_CANDIDATE_BYTES,
    MAX_FRAME_BYTES,
    MAX_NAME_CHARS,
    MAX_SDP_BYTES,
    SERVER_TYPES,
    Admit,
    AdmitAll,
    Admitted,
    AllowScreen,
    Answer,
    AudioOnly,
    Chat,
    ChatMessage,
    CheckIn,
    CheckOut,
    ClientInfo,
    ClientMessage,
    Denied,
    Deny,
    ErrorMessage,
    Hands,
    IceCandidate,
    IceServer,
    Join,
    Leave,
    Lobby,
    LockMeeting,
    LowerHand,
    LowerHandOf,
    MediaKind,
    MeetingEnded,
    MeetingState,
    Message,
    Mute,
    MuteParticipant,
    Offer,
    ParticipantInfo,
    Participants,
    Ping,
    Pong,
    Presence,
    PresenceKind,
    Present,
    Presenting,
    Quality,
    RaiseHand,
    Removed,
    RemoveParticipant,
    RoomRole,
    ServerMessage,
    ShareScreen,
    SlotCounts,
    SlotMap,
    Speaking,
    StopPresenting,
    UnlockMeeting,
    Unmute,
    Waiting,
    WaitingInfo,
    Welcome,
    dump_message,
    message_dict,
    parse_message,
    parse_server_message,
    tag_of,
)

SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
TEXT = Text("Chủ trì chưa cho bạn vào.", "The chair did not admit you.")

CLIENT_EXAMPLES: list[ClientMessage] = [
    Join(meeting_id="m-2026-11", audio_only=True, client=ClientInfo(name="web", version="1.0")),
    Offer(sdp=SDP),
    Offer(sdp=SDP, ice_restart=True),
    Offer(sdp=SDP, screen_mid="7"),
    IceCandidate(
        candidate="candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host",
        sdp_mid="0",
        sdp_mline_index=0,
        username_fragment="abcd",
    ),
    IceCandidate(candidate=None),
    Mute(kind=MediaKind.AUDIO),
    Unmute(kind=MediaKind.VIDEO),
    RaiseHand(),
    LowerHand(),
    Leave(),
    AudioOnly(on=True),
    ShareScreen(on=True),
    ShareScreen(on=False),
    Ping(nonce=2**53 - 1),
    Admit(participant_id="p1"),
    AdmitAll(),
    Deny(participant_id="p2", reason="Không có trong danh sách"),
    MuteParticipant(participant_id="p3", kind=MediaKind.AUDIO),
    RemoveParticipant(participant_id="p4"),
    LockMeeting(),
    UnlockMeeting(),
    LowerHandOf(participant_id="p5"),
    AllowScreen(participant_id="p4", on=True),
    AllowScreen(participant_id="p4", on=False),
    CheckIn(member_id="u-17"),
    CheckOut(member_id="u-17"),
    Chat(text="Xin gửi tài liệu bổ sung trang 3."),
    Present(document_id=12, page=2),
    StopPresenting(),
]

SERVER_EXAMPLES: list[ServerMessage] = [
    Welcome(
        participant_id="p1",
        role=RoomRole.MEMBER,
        slots=SlotCounts(audio=3, video=4),
        ice_servers=(
            IceServer(urls=("stun:turn.example.vn:3478",)),
            IceServer(
                urls=("turn:turn.example.vn:3478?transport=udp",),
                username="1764000000:u-17",
                credential="c2VjcmV0",
            ),
        ),
    ),
    Lobby(meeting_id="m1"),
    Admitted(meeting_id="m1"),
    Denied(reason=TEXT),
    Answer(sdp=SDP),
    IceCandidate(candidate="", sdp_mid="1", sdp_mline_index=1),
    Participants(
        participants=(
            ParticipantInfo(
                id="p1",
                display_name="Nguyễn Văn A",
                role=RoomRole.CHAIR,
                kind=PresenceKind.ONLINE,
                audio_muted=False,
                video_muted=True,
                hand_raised=True,
                speaking=False,
                quality=Quality.GOOD,
            ),
        ),
        version=7,
    ),
    Presence(
        version=8,
        joined=(
            ParticipantInfo(
                id="p4",
                display_name="Lê Văn D",
                role=RoomRole.MEMBER,
                kind=PresenceKind.ROOM,
                audio_muted=True,
                video_muted=True,
                hand_raised=False,
                speaking=False,
                quality=Quality.UNKNOWN,
            ),
        ),
        changed=(
            ParticipantInfo(
                id="p3",
                display_name="Lê Văn C",
                role=RoomRole.MEMBER,
                kind=PresenceKind.ONLINE,
                audio_muted=False,
                video_muted=False,
                hand_raised=False,
                speaking=False,
                quality=Quality.POOR,
                lost_at="2026-12-03T02:16:40+00:00",
            ),
        ),
        left=("p2",),
    ),
    Waiting(participants=(WaitingInfo(id="p2", display_name="Trần Thị B", role=RoomRole.MEMBER),)),
    SlotMap(audio=("p1", None, "p3"), video=(None, "p2")),
    SlotMap(audio=("p1",), video=("p2",), screen=("p4",)),
    SlotMap(audio=("p1",), video=("p2",), screen=(None,)),
    SlotMap(audio=("p1", "p3"), video=(), audio_hold=(800, 0)),
    Welcome(
        participant_id="p4",
        role=RoomRole.MEMBER,
        slots=SlotCounts(audio=3, video=4, screen=1),
        ice_servers=(),
    ),
    Presence(
        version=9,
        changed=(
            ParticipantInfo(
                id="p4",
                display_name="Lê Văn D",
                role=RoomRole.MEMBER,
                kind=PresenceKind.ONLINE,
                audio_muted=False,
                video_muted=False,
                hand_raised=False,
                speaking=False,
                quality=Quality.GOOD,
                screen_allowed=True,
                sharing_screen=True,
            ),
        ),
    ),
    Speaking(participant_ids=("p1", "p3")),
    Hands(queue=("p3", "p1")),
    MeetingState(locked=True, current_item="Học tập nghị quyết"),
    MeetingState(locked=False),
    Removed(reason=TEXT),
    MeetingEnded(reason=Text("Cuộc họp đã kết thúc.", "The meeting has ended.")),
    ErrorMessage(code=ErrorCode.FORBIDDEN, message=TEXT, rules=("G1", "T7")),
    Pong(nonce=7),
    ChatMessage(
        id=41,
        participant_id="p3",
        display_name="Lê Văn C",
        text="Xin gửi tài liệu bổ sung trang 3.",
        sent_at="2026-12-03T02:15:07+00:00",
    ),
    Presenting(document_id=12, filename="Nghi-quyet.pdf", page=2, pages=9),
    Presenting(document_id=None),
]


def test_examples_cover_every_type() -> None:
    assert {tag_of(type(m)) for m in CLIENT_EXAMPLES} == set(CLIENT_TYPES)
    assert {tag_of(type(m)) for m in SERVER_EXAMPLES} == set(SERVER_TYPES)


@pytest.mark.parametrize("msg", CLIENT_EXAMPLES, ids=lambda m: m.type)
def test_client_message_round_trip(msg: ClientMessage) -> None:
    raw = dump_message(msg)
    assert json.loads(raw)["v"] == 1
    assert parse_message(raw) == msg
    assert parse_message(raw.encode("utf-8")) == msg


@pytest.mark.parametrize("msg", SERVER_EXAMPLES, ids=lambda m: m.type)
def test_server_message_round_trip(msg: ServerMessage) -> None:
    assert parse_server_message(dump_message(msg)) == msg


def test_chat_and_lost_time_limits() -> None:
    """The wire bounds a chat frame's size only (its content is the chat service's to refuse,
    in words a member reads); ``lost_at`` must be an ISO 8601 moment with its offset."""
    assert parse_message('{"v":1,"type":"chat","text":"a\\u0007b"}') == Chat(text="a\u0007b")
    with pytest.raises(ProtocolError) as err:
        parse_message(json.dumps({"v": 1, "type": "chat", "text": "x" * 9000}))
    assert err.value.code is ErrorCode.BAD_MESSAGE
    with pytest.raises(ProtocolError):
        parse_message('{"v":1,"type":"present","document_id":0,"page":1}')
    with pytest.raises(ProtocolError):
        parse_server_message(
            json.dumps(
                {
                    "v": 1,
                    "type": "participants",
                    "version": 1,
                    "participants": [
                        {
                            "id": "p1",
                            "display_name": "A",
                            "role": "member",
                            "kind": "online",
                            "audio_muted": False,
                            "video_muted": False,
                            "hand_raised": False,
                            "speaking": False,
                            "quality": "poor",
                            "lost_at": "hôm qua",
                        }
                    ],
                }
            )
        )


def test_wire_shape_of_ice_candidate_uses_webrtc_names() -> None:
    msg = CLIENT_EXAMPLES[4]
    assert message_dict(msg) == {
        "v": 1,
        "type": "ice_candidate",
        "candidate": "candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
        "usernameFragment": "abcd",
    }


def test_defaults_may_be_omitted() -> None:
    assert parse_message('{"v":1,"type":"offer","sdp":"v=0"}') == Offer(sdp="v=0")
    assert parse_message('{"v":1,"type":"ice_candidate","candidate":null}') == IceCandidate(
        candidate=None
    )
    assert parse_message('{"v":1,"type":"ping"}') == Ping()


def test_error_message_shape() -> None:
    err = ProtocolError(ErrorCode.POLICY_DENIED, TEXT, ("T7",))
    assert message_dict(ErrorMessage.of(err)) == {
        "v": 1,
        "type": "error",
        "code": "policy_denied",
        "message": {"vi": TEXT.vi, "en": TEXT.en},
        "rules": ["T7"],
    }


def test_meeting_ended_is_a_server_message_only() -> None:
    raw = (
        '{"v": 1, "type": "meeting_ended", "reason": {"vi": "Cuộc họp đã kết thúc.", '
        '"en": "The meeting has ended."}}'
    )
    ended = MeetingEnded(reason=Text("Cuộc họp đã kết thúc.", "The meeting has ended."))
    assert parse_server_message(raw) == ended
    assert json.loads(dump_message(ended)) == json.loads(raw)
    with pytest.raises(ProtocolError) as refused:
        parse_message(raw)  # a client cannot end a meeting over the socket
    assert refused.value.code is ErrorCode.BAD_MESSAGE


def test_dump_keeps_vietnamese_as_utf8() -> None:
    assert "Chủ trì" in dump_message(Denied(reason=TEXT))


def _frame(**fields: object) -> str:
    return json.dumps({"v": 1, **fields}, ensure_ascii=False)


JOIN_CLIENT = {"name": "web", "version": "1"}
BAD = ErrorCode.BAD_MESSAGE

MALFORMED: list[tuple[str, str | bytes, ErrorCode, str]] = [
    ("not json", "{", BAD, "not valid JSON"),
    ("empty", "", BAD, "not valid JSON"),
    ("not utf-8", b'{"v":1,"type":"ping","nonce":"\xff"}', BAD, "not valid UTF-8"),
    ("array", "[1]", BAD, "must be a JSON object"),
    ("string", '"ping"', BAD, "must be a JSON object"),
    ("NaN", '{"v":1,"type":"ping","nonce":NaN}', BAD, "not valid JSON"),
    ("duplicate key", '{"v":1,"type":"ping","type":"leave"}', BAD, "the key type is repeated"),
    (
        "nested duplicate key",
        '{"v":1,"type":"join","meeting_id":"m","client":{"name":"a","name":"b","version":"1"}}',
        BAD,
        "the key name is repeated",
    ),
    ("no version", '{"type":"ping"}', BAD, "missing field v"),
    ("version as string", '{"v":"1","type":"ping"}', BAD, "field v has the wrong type"),
    ("version as float", '{"v":1.0,"type":"ping"}', BAD, "field v has the wrong type"),
    ("version as bool", '{"v":true,"type":"ping"}', BAD, "field v has the wrong type"),
    ("unknown version", '{"v":2,"type":"ping"}', ErrorCode.UNSUPPORTED_VERSION, "version 2"),
    ("version 0", '{"v":0,"type":"ping"}', ErrorCode.UNSUPPORTED_VERSION, "version 0"),
    ("no type", '{"v":1}', BAD, "missing field type"),
    ("type not string", '{"v":1,"type":3}', BAD, "field type has the wrong type"),
    ("unknown type", _frame(type="vote"), BAD, "no message type vote"),
    ("server type from client", _frame(type="welcome"), BAD, "no message type welcome"),
    ("missing field", _frame(type="offer"), BAD, "missing field sdp"),
    ("extra field", _frame(type="leave", why="bye"), BAD, "field why is not allowed"),
    (
        "extra nested field",
        _frame(type="join", meeting_id="m", client={**JOIN_CLIENT, "os": "x"}),
        BAD,
        "field client.os is not allowed",
    ),
    ("null for required", _frame(type="offer", sdp=None), BAD, "field sdp has the wrong type"),
    ("bool as string", _frame(type="audio_only", on="true"), BAD, "field on has the wrong type"),
    ("int as bool", _frame(type="audio_only", on=1), BAD, "field on has the wrong type"),
    ("bool as int", _frame(type="ping", nonce=True), BAD, "field nonce has the wrong type"),
    ("float as int", _frame(type="ping", nonce=1.5), BAD, "field nonce has the wrong type"),
    ("negative nonce", _frame(type="ping", nonce=-1), BAD, "field nonce must be between"),
    ("huge nonce", _frame(type="ping", nonce=2**53), BAD, "field nonce must be between"),
    ("huge int", '{"v":1,"type":"ping","nonce":1' + "0" * 5000 + "}", BAD, "not valid JSON"),
    ("unknown kind", _frame(type="mute", kind="screen"), BAD, "field kind has an invalid value"),
    ("share without on", _frame(type="share_screen"), BAD, "missing field on"),
    (
        "allow without on",
        _frame(type="allow_screen", participant_id="p1"),
        BAD,
        "missing field on",
    ),
    ("empty screen mid", _frame(type="offer", sdp="v=0", screen_mid=""), BAD, "too short"),
    ("long screen mid", _frame(type="offer", sdp="v=0", screen_mid="1" * 65), BAD, "too long"),
    ("kind not string", _frame(type="mute", kind=["audio"]), BAD, "field kind has the wrong type"),
    ("bad id", _frame(type="admit", participant_id="p 1"), BAD, "participant_id is not a valid"),
    ("empty id", _frame(type="admit", participant_id=""), BAD, "participant_id is too short"),
    ("long id", _frame(type="admit", participant_id="p" * 65), BAD, "participant_id is too long"),
    ("unicode id", _frame(type="check_in", member_id="ú1"), BAD, "member_id is not a valid"),
    (
        "bad meeting id",
        _frame(type="join", meeting_id="../m", client=JOIN_CLIENT),
        BAD,
        "meeting_id is not a valid",
    ),
    (
        "client not object",
        _frame(type="join", meeting_id="m", client="web"),
        BAD,
        "field client has the wrong type (expected object)",
    ),
    (
        "reason too long",
        _frame(type="deny", participant_id="p1", reason="x" * 201),
        BAD,
        "field reason is too long (at most 200)",
    ),
    (
        "reason with newline",
        _frame(type="deny", participant_id="p1", reason="a\nb"),
        BAD,
        "field reason has an invalid value",
    ),
    (
        "lone surrogate",
        '{"v":1,"type":"offer","sdp":"\\ud800"}',
        BAD,
        "field sdp contains invalid characters",
    ),
    ("sdp empty", _frame(type="offer", sdp=""), BAD, "field sdp is too short"),
    (
        "sdp too large",
        _frame(type="offer", sdp="a" * (MAX_SDP_BYTES + 1)),
        BAD,
        "field sdp is too long (at most 32768)",
    ),
    (
        "sdp too large in bytes",
        _frame(type="offer", sdp="ư" * (MAX_SDP_BYTES // 2 + 1)),
        BAD,
        "field sdp is too long",
    ),
    (
        "candidate too large",
        _frame(type="ice_candidate", candidate="c" * (MAX_CANDIDATE_BYTES + 1)),
        BAD,
        "field candidate is too long (at most 1024)",
    ),
    (
        "mline index negative",
        _frame(type="ice_candidate", candidate="", sdpMLineIndex=-1),
        BAD,
        "field sdpMLineIndex must be between",
    ),
    (
        "snake_case mid",
        _frame(type="ice_candidate", candidate="", sdp_mid="0"),
        BAD,
        "field sdp_mid is not allowed",
    ),
    (
        "frame too large",
        _frame(type="offer", sdp="a" * MAX_FRAME_BYTES),
        ErrorCode.MESSAGE_TOO_LARGE,
        "at most 65536 bytes",
    ),
    (
        "frame too large in bytes",
        "ư" * (MAX_FRAME_BYTES // 2 + 1),
        ErrorCode.MESSAGE_TOO_LARGE,
        "at most 65536 bytes",
    ),
    (
        "frame too large as bytes",
        b" " * (MAX_FRAME_BYTES + 1),
        ErrorCode.MESSAGE_TOO_LARGE,
        "at most 65536 bytes",
    ),
    ("deep nesting", "[" * 100_000, ErrorCode.MESSAGE_TOO_LARGE, "65536"),
    (
        "deep nesting within limit",
        "[" * 30_000 + "]" * 30_000,
        ErrorCode.BAD_MESSAGE,
        "not valid JSON",
    ),
]


@pytest.mark.parametrize(
    ("raw", "code", "detail"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_frames_get_exact_code(raw: str | bytes, code: ErrorCode, detail: str) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_message(raw)
    assert info.value.code is code
    assert detail in info.value.text.en
    # Vietnamese first: the Vietnamese text is a whole Vietnamese sentence, not the English one.
    assert info.value.text.vi != info.value.text.en


def test_name_limit_counts_characters() -> None:
    name = "Đ" * MAX_NAME_CHARS
    msg = Deny(participant_id="p1", reason=name)
    assert parse_message(dump_message(msg)) == msg


def test_building_a_message_checks_limits() -> None:
    with pytest.raises(ProtocolError) as info:
        Admit(participant_id="not an id")
    assert info.value.code is ErrorCode.BAD_MESSAGE
    with pytest.raises(ProtocolError):
        SlotMap(audio=("p1",) * 17, video=())
    with pytest.raises(ProtocolError):
        SlotMap(audio=("p1",), video=(), audio_hold=(4001,))  # beyond what a browser holds
    with pytest.raises(ProtocolError):
        SlotMap(audio=("p1",), video=(), audio_hold=(-1,))


def test_server_frames_may_exceed_client_limit() -> None:
    people = tuple(
        ParticipantInfo(
            id=f"p{i}",
            display_name="Nguyễn Thị Minh Khai " * 9,
            role=RoomRole.MEMBER,
            kind=PresenceKind.ONLINE,
            audio_muted=True,
            video_muted=True,
            hand_raised=False,
            speaking=False,
            quality=Quality.UNKNOWN,
        )
        for i in range(300)
    )
    raw = dump_message(Participants(participants=people))
    assert len(raw.encode()) > MAX_FRAME_BYTES
    assert parse_server_message(raw) == Participants(participants=people)


# --- properties ---------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=30,
)

FIELD_NAMES = sorted(
    {
        key
        for m in [*CLIENT_EXAMPLES, *SERVER_EXAMPLES]
        for key in message_dict(m)
        if key not in ("v", "type")
    }
    | {"sdpMid", "sdpMLineIndex", "usernameFragment"}
)

envelopes = st.fixed_dictionaries(
    {
        "v": st.sampled_from([1, 1, 1, 0, 2, "1", None]),
        "type": st.sampled_from(sorted(CLIENT_TYPES)),
    },
    optional={name: json_values for name in FIELD_NAMES},
)


def _parse_or_refuse(raw: str | bytes) -> Message | None:
    try:
        msg = parse_message(raw)
    except ProtocolError as exc:
        assert isinstance(exc.code, ErrorCode)
        assert exc.text.vi and exc.text.en
        return None
    # Whatever is accepted dumps to a frame that parses back to the same message.
    assert parse_message(dump_message(msg)) == msg
    return msg


@given(json_values)
def test_any_json_value_is_a_message_or_a_protocol_error(value: object) -> None:
    _parse_or_refuse(json.dumps(value))


@given(envelopes)
@settings(max_examples=200)
def test_near_miss_messages_are_a_message_or_a_protocol_error(obj: dict[str, object]) -> None:
    _parse_or_refuse(json.dumps(obj))


@given(st.binary(max_size=300))
def test_any_bytes_are_a_message_or_a_protocol_error(raw: bytes) -> None:
    _parse_or_refuse(raw)


@given(st.text(max_size=300))
def test_any_text_is_a_message_or_a_protocol_error(raw: str) -> None:
    _parse_or_refuse(raw)


@given(st.sampled_from([dump_message(m) for m in CLIENT_EXAMPLES]), st.data())
def test_mutated_valid_frames_are_a_message_or_a_protocol_error(
    raw: str, data: st.DataObject
) -> None:
    blob = bytearray(raw.encode())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(blob) - 1))
        blob[i] = data.draw(st.integers(0, 255))
    _parse_or_refuse(bytes(blob))


ids = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)
names = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=200)
sdps = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=2000)
texts = st.builds(Text, names, names)
participant_infos = st.builds(
    ParticipantInfo,
    id=ids,
    display_name=names,
    role=st.sampled_from(RoomRole),
    kind=st.sampled_from(PresenceKind),
    audio_muted=st.booleans(),
    video_muted=st.booleans(),
    hand_raised=st.booleans(),
    speaking=st.booleans(),
    quality=st.sampled_from(Quality),
)
client_messages: st.SearchStrategy[ClientMessage] = st.one_of(
    st.builds(
        Join,
        meeting_id=ids,
        audio_only=st.booleans(),
        client=st.builds(ClientInfo, name=names, version=st.text("0123456789.", max_size=64)),
    ),
    st.builds(Offer, sdp=sdps, ice_restart=st.booleans()),
    st.builds(
        IceCandidate,
        candidate=st.none() | st.text(max_size=300),
        sdp_mid=st.none() | st.text(max_size=64),
        sdp_mline_index=st.none() | st.integers(0, 1023),
        username_fragment=st.none() | st.text(max_size=256),
    ),
    st.builds(Mute, kind=st.sampled_from(MediaKind)),
    st.builds(Ping, nonce=st.integers(0, 2**53 - 1)),
    st.builds(Deny, participant_id=ids, reason=st.just("") | names),
    st.builds(RemoveParticipant, participant_id=ids, reason=st.just("") | names),
    st.builds(CheckIn, member_id=ids),
)
server_messages: st.SearchStrategy[ServerMessage] = st.one_of(
    st.builds(
        Participants,
        participants=st.lists(participant_infos, max_size=20).map(tuple),
        version=st.integers(0, 2**53 - 1),
    ),
    st.builds(
        Presence,
        version=st.integers(0, 2**53 - 1),
        joined=st.lists(participant_infos, max_size=5).map(tuple),
        changed=st.lists(participant_infos, max_size=5).map(tuple),
        left=st.lists(ids, max_size=5).map(tuple),
    ),
    st.builds(
        SlotMap,
        audio=st.lists(st.none() | ids, max_size=16).map(tuple),
        video=st.lists(st.none() | ids, max_size=16).map(tuple),
    ),
    st.builds(Denied, reason=texts),
    st.builds(MeetingEnded, reason=texts),
    st.builds(
        ErrorMessage,
        code=st.sampled_from(ErrorCode),
        message=texts,
        rules=st.lists(st.sampled_from(["A1", "G1", "T7", "E3"]), max_size=4).map(tuple),
    ),
    st.builds(
        MeetingState,
        locked=st.booleans(),
        current_item=st.none() | names,
        recording=st.booleans(),
    ),
)


@given(client_messages)
def test_random_client_messages_round_trip(msg: ClientMessage) -> None:
    assert parse_message(dump_message(msg)) == msg


@given(server_messages)
def test_random_server_messages_round_trip(msg: ServerMessage) -> None:
    assert parse_server_message(dump_message(msg)) == msg
