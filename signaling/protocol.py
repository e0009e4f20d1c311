"""The meeting protocol, version 1: each WebSocket frame is one JSON object `{"v": 1, "type": …}`.

Each message is a frozen, slotted, keyword-only dataclass tagged ``type: Literal[…]``.
:func:`parse_message` / :func:`dump_message` are the pure edge; ``docs/protocol.md`` is the
reference for clients (examples, order of a join, slot layout). Limits are in UTF-8 bytes for
SDP and candidates and in characters for names.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Final, Literal, TypeVar, cast

from policy.error_codes import ErrorCode, ProtocolError
from policy.i18n import Text
from signaling.codec import (
    ID,
    Int,
    Items,
    Str,
    bad_message,
    check_instance,
    decode_object,
    encode,
    load_json_object,
    no_control,
)
from signaling.codec import MAX_FRAME_BYTES as MAX_FRAME_BYTES

PROTOCOL_VERSION: Final = 1
MAX_SDP_BYTES: Final = 32 * 1024
MAX_CANDIDATE_BYTES: Final = 1024
MAX_NAME_CHARS: Final = 200
MAX_SLOTS: Final = 16
MAX_NONCE: Final = 2**53 - 1  # exact in a JavaScript number
MAX_SERVER_FRAME_BYTES: Final = 1024 * 1024  # a presence list of a large cell exceeds 64 KiB

ParticipantId = Annotated[str, ID]
MeetingId = Annotated[str, ID]
MemberId = Annotated[str, ID]
Name = Annotated[str, no_control(MAX_NAME_CHARS, min_len=1)]
Reason = Annotated[str, no_control(MAX_NAME_CHARS)]
Sdp = Annotated[str, Str(MAX_SDP_BYTES, min_len=1, bytes=True)]
Candidate = Annotated[str, Str(MAX_CANDIDATE_BYTES, bytes=True)]
Nonce = Annotated[int, Int(0, MAX_NONCE)]
#: the presence version of a room: +1 for every ``presence`` delta (see docs/protocol.md)
PresenceVersion = Annotated[int, Int(0, 2**53 - 1)]
SlotCount = Annotated[int, Int(1, MAX_SLOTS)]
#: how long a browser holds a slot's audio before playing it (``jitterBufferTarget``: at most 4 s)
HoldMs = Annotated[int, Int(0, 4000)]
RuleId = Annotated[str, Str(32, min_len=1, pattern=ID.pattern)]
#: a moment in UTC, ISO 8601 with seconds and an offset (``2026-12-03T02:15:00+00:00``)
Timestamp = Annotated[
    str,
    Str(
        40,
        min_len=20,
        pattern=re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"),
    ),
]
#: a chat message as sent: the wire only bounds its size; what it may hold (length in
#: characters, no control characters) is the chat service's to refuse, in words a member reads
MAX_CHAT_BYTES: Final = 8 * 1024
#: a chat message as stored and shown (``server/conduct/chat.py`` keeps to it)
MAX_CHAT_CHARS: Final = 1000
DocumentId = Annotated[int, Int(1, 2**53 - 1)]
PageNumber = Annotated[int, Int(1, 100_000)]


class RoomRole(str, Enum):
    """A participant's role in the room (mapped from :class:`policy.model.Role` by the room)."""

    CHAIR = "chair"
    MEMBER = "member"
    ROOM_DEVICE = "room_device"  # the hall's camera and microphone: never counted (A1)
    OBSERVER = "observer"  # superior-committee observer (R5): no chair actions, no vote


class PresenceKind(str, Enum):
    ONLINE = "online"
    ROOM = "room"  # checked in in the hall
    ROOM_DEVICE = "room_device"


class MediaKind(str, Enum):
    AUDIO = "audio"
    VIDEO = "video"


class Quality(str, Enum):
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    UNKNOWN = "unknown"


class _Checked:
    """Mixin: the limits of the fields are checked on construction, wherever it happens."""

    __slots__ = ()

    def __post_init__(self) -> None:
        check_instance(self)


# --- nested values ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientInfo(_Checked):
    name: Annotated[str, no_control(MAX_NAME_CHARS)]  # e.g. "hopchibo-web"
    version: Annotated[str, no_control(64)]


@dataclass(frozen=True, slots=True, kw_only=True)
class SlotCounts(_Checked):
    audio: SlotCount
    video: SlotCount
    screen: Annotated[int, Int(0, 1)] = 0
    """Screen slots: 1 when the client may offer a screen line (docs/protocol.md)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IceServer(_Checked):
    urls: Annotated[tuple[Annotated[str, no_control(512, min_len=1)], ...], Items(8)]
    username: Annotated[str, no_control(512)] | None = None
    credential: Annotated[str, no_control(512)] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ParticipantInfo(_Checked):
    id: ParticipantId
    display_name: Name
    role: RoomRole
    kind: PresenceKind
    audio_muted: bool
    video_muted: bool
    hand_raised: bool
    speaking: bool
    quality: Quality
    lost_at: Timestamp | None = None
    """When the socket dropped without ``leave`` (UTC): the participant is kept, shown as lost,
    until they return or the reconnect grace ends."""
    screen_allowed: bool = False
    """May share a screen now: a chair, or allowed by a chair (``allow_screen``)."""
    sharing_screen: bool = False
    """Is sharing a screen (there is at most one such participant)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitingInfo(_Checked):
    id: ParticipantId
    display_name: Name
    role: RoomRole


# --- client → server ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Join(_Checked):
    type: Literal["join"] = "join"
    meeting_id: MeetingId
    audio_only: bool = False
    client: ClientInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class Offer(_Checked):
    type: Literal["offer"] = "offer"
    sdp: Sdp
    ice_restart: bool = False
    screen_mid: Annotated[str, Str(64, min_len=1)] | None = None
    """The mid of the client's screen line (its shared screen out, the meeting's screen in)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IceCandidate(_Checked):
    """A trickled candidate (both directions); ``candidate`` null or ``""`` ends the candidates."""

    type: Literal["ice_candidate"] = "ice_candidate"
    candidate: Candidate | None
    sdp_mid: Annotated[str, Str(64)] | None = field(default=None, metadata={"wire": "sdpMid"})
    sdp_mline_index: Annotated[int, Int(0, 1023)] | None = field(
        default=None, metadata={"wire": "sdpMLineIndex"}
    )
    username_fragment: Annotated[str, Str(256)] | None = field(
        default=None, metadata={"wire": "usernameFragment"}
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Mute(_Checked):
    type: Literal["mute"] = "mute"
    kind: MediaKind


@dataclass(frozen=True, slots=True, kw_only=True)
class Unmute(_Checked):
    type: Literal["unmute"] = "unmute"
    kind: MediaKind


@dataclass(frozen=True, slots=True, kw_only=True)
class RaiseHand(_Checked):
    type: Literal["raise_hand"] = "raise_hand"


@dataclass(frozen=True, slots=True, kw_only=True)
class LowerHand(_Checked):
    type: Literal["lower_hand"] = "lower_hand"


@dataclass(frozen=True, slots=True, kw_only=True)
class Leave(_Checked):
    type: Literal["leave"] = "leave"


@dataclass(frozen=True, slots=True, kw_only=True)
class AudioOnly(_Checked):
    type: Literal["audio_only"] = "audio_only"
    on: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ShareScreen(_Checked):
    """Start (``on``) or stop sharing one's screen on the screen line: a chair, or someone a
    chair allowed; one participant at a time."""

    type: Literal["share_screen"] = "share_screen"
    on: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Ping(_Checked):
    type: Literal["ping"] = "ping"
    nonce: Nonce = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Admit(_Checked):
    type: Literal["admit"] = "admit"
    participant_id: ParticipantId


@dataclass(frozen=True, slots=True, kw_only=True)
class AdmitAll(_Checked):
    """A chair lets in, at once, everyone waiting in the lobby whom no chair denied or removed
    in this meeting (those still need their own ``admit``)."""

    type: Literal["admit_all"] = "admit_all"


@dataclass(frozen=True, slots=True, kw_only=True)
class Deny(_Checked):
    type: Literal["deny"] = "deny"
    participant_id: ParticipantId
    reason: Reason = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MuteParticipant(_Checked):
    type: Literal["mute_participant"] = "mute_participant"
    participant_id: ParticipantId
    kind: MediaKind


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveParticipant(_Checked):
    type: Literal["remove_participant"] = "remove_participant"
    participant_id: ParticipantId
    reason: Reason = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class LockMeeting(_Checked):
    type: Literal["lock_meeting"] = "lock_meeting"


@dataclass(frozen=True, slots=True, kw_only=True)
class UnlockMeeting(_Checked):
    type: Literal["unlock_meeting"] = "unlock_meeting"


@dataclass(frozen=True, slots=True, kw_only=True)
class LowerHandOf(_Checked):
    type: Literal["lower_hand_of"] = "lower_hand_of"
    participant_id: ParticipantId


@dataclass(frozen=True, slots=True, kw_only=True)
class AllowScreen(_Checked):
    """A chair lets a participant share a screen (``on``) or withdraws it (which also stops a
    share in progress)."""

    type: Literal["allow_screen"] = "allow_screen"
    participant_id: ParticipantId
    on: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckIn(_Checked):
    """The chair (secretary) records a member present in the hall (A1)."""

    type: Literal["check_in"] = "check_in"
    member_id: MemberId


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckOut(_Checked):
    type: Literal["check_out"] = "check_out"
    member_id: MemberId


@dataclass(frozen=True, slots=True, kw_only=True)
class Chat(_Checked):
    """A text message to everyone in the meeting (stored encrypted, audited)."""

    type: Literal["chat"] = "chat"
    text: Annotated[str, Str(MAX_CHAT_BYTES, bytes=True)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Present(_Checked):
    """The chair shows page ``page`` of a published PDF document of the meeting to everyone."""

    type: Literal["present"] = "present"
    document_id: DocumentId
    page: PageNumber = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class StopPresenting(_Checked):
    type: Literal["stop_presenting"] = "stop_presenting"


def tag_of(cls: type) -> str:
    """The ``type`` tag of a message class (the default of its ``type`` field)."""
    (tag,) = (f.default for f in dataclasses.fields(cls) if f.name == "type")
    assert isinstance(tag, str)
    return tag


ClientMessage = (
    Join
    | Offer
    | IceCandidate
    | Mute
    | Unmute
    | RaiseHand
    | LowerHand
    | Leave
    | AudioOnly
    | ShareScreen
    | Ping
    | Admit
    | AdmitAll
    | Deny
    | MuteParticipant
    | RemoveParticipant
    | LockMeeting
    | UnlockMeeting
    | LowerHandOf
    | AllowScreen
    | CheckIn
    | CheckOut
    | Chat
    | Present
    | StopPresenting
)
ChairMessage = (
    Admit
    | AdmitAll
    | Deny
    | MuteParticipant
    | RemoveParticipant
    | LockMeeting
    | UnlockMeeting
    | LowerHandOf
    | AllowScreen
    | CheckIn
    | CheckOut
    | Present
    | StopPresenting
)

# --- server → client ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Welcome(_Checked):
    type: Literal["welcome"] = "welcome"
    participant_id: ParticipantId
    role: RoomRole
    slots: SlotCounts
    ice_servers: Annotated[tuple[IceServer, ...], Items(8)]


@dataclass(frozen=True, slots=True, kw_only=True)
class Lobby(_Checked):
    """You are waiting for a chair to admit you."""

    type: Literal["lobby"] = "lobby"
    meeting_id: MeetingId


@dataclass(frozen=True, slots=True, kw_only=True)
class Admitted(_Checked):
    type: Literal["admitted"] = "admitted"
    meeting_id: MeetingId


@dataclass(frozen=True, slots=True, kw_only=True)
class Denied(_Checked):
    type: Literal["denied"] = "denied"
    reason: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer(_Checked):
    type: Literal["answer"] = "answer"
    sdp: Sdp


@dataclass(frozen=True, slots=True, kw_only=True)
class Participants(_Checked):
    """Presence of everyone admitted or checked in, in order of arrival: the snapshot sent to
    one connection when it is admitted (or must resynchronise). ``version`` is the presence
    version it shows; the ``presence`` deltas that follow carry ``version + 1``, ``+ 2``, …"""

    type: Literal["participants"] = "participants"
    participants: tuple[ParticipantInfo, ...]
    version: PresenceVersion = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Presence(_Checked):
    """What changed in the presence since ``version - 1``, to everyone admitted: ``left`` are
    removed, ``changed`` replace the entries of the same id (keeping their place), ``joined``
    are appended in this order. A client whose version is not ``version - 1`` resynchronises
    (it reconnects: ``join`` answers with a snapshot)."""

    type: Literal["presence"] = "presence"
    version: PresenceVersion
    joined: tuple[ParticipantInfo, ...] = ()
    changed: tuple[ParticipantInfo, ...] = ()
    left: tuple[ParticipantId, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Waiting(_Checked):
    """To chairs only: who waits in the lobby, in order of arrival."""

    type: Literal["waiting"] = "waiting"
    participants: tuple[WaitingInfo, ...]


LinkLevel = Literal["full", "fewer_videos", "low_frame_rate", "audio_only"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SlotMap(_Checked):
    """Which participant feeds each receive slot (``null``: nobody); see docs/protocol.md."""

    type: Literal["slots"] = "slots"
    audio: Annotated[tuple[ParticipantId | None, ...], Items(MAX_SLOTS)]
    video: Annotated[tuple[ParticipantId | None, ...], Items(MAX_SLOTS)]
    screen: Annotated[tuple[ParticipantId | None, ...], Items(1)] = ()
    """The screen slot: who is presenting, or ``null`` (empty without a screen line)."""
    link: LinkLevel = "full"
    """What the relay's adaptation leaves of this participant's video (its downlink is
    thin): ``full``, ``fewer_videos``, ``low_frame_rate`` or ``audio_only``."""
    audio_hold: Annotated[tuple[HoldMs, ...], Items(MAX_SLOTS)] = ()
    """Per audio slot, how long to hold its audio before playing it (ms; 0 or absent: the
    browser's own choice): the slot's speaker has a lossy uplink, and what it lost comes again
    a round trip late."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Speaking(_Checked):
    type: Literal["speaking"] = "speaking"
    participant_ids: tuple[ParticipantId, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Hands(_Checked):
    """Raised hands, first raised first."""

    type: Literal["hands"] = "hands"
    queue: tuple[ParticipantId, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingState(_Checked):
    type: Literal["meeting_state"] = "meeting_state"
    locked: bool
    current_item: Annotated[str, no_control(MAX_NAME_CHARS)] | None = None
    recording: bool = False
    """The meeting is being recorded (the chair started it): every client shows it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Removed(_Checked):
    """The chair removed this connection, or (``replaced``) the same participant joined from
    another connection, a device switch, which the page must not present as a removal."""

    type: Literal["removed"] = "removed"
    reason: Text
    replaced: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingEnded(_Checked):
    """The chair closed the meeting: the socket is closed next (1000) and the client must not
    reconnect (unlike ``error`` ``unavailable`` and 1001 when a server restarts)."""

    type: Literal["meeting_ended"] = "meeting_ended"
    reason: Text


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatMessage(_Checked):
    """A chat message as stored (``id``: its row), to everyone admitted."""

    type: Literal["chat_message"] = "chat_message"
    id: Annotated[int, Int(1, 2**53 - 1)]
    participant_id: ParticipantId
    display_name: Name
    text: Annotated[str, Str(MAX_CHAT_CHARS, min_len=1)]
    sent_at: Timestamp


@dataclass(frozen=True, slots=True, kw_only=True)
class Presenting(_Checked):
    """What the chair presents: page ``page`` of ``pages`` of a meeting document, or nothing
    (``document_id`` null). Everyone admitted gets each change; a newcomer gets the state on
    admission while something is presented."""

    type: Literal["presenting"] = "presenting"
    document_id: DocumentId | None
    filename: Annotated[str, no_control(255)] = ""
    page: Annotated[int, Int(0, 100_000)] = 0
    pages: Annotated[int, Int(0, 100_000)] = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorMessage(_Checked):
    type: Literal["error"] = "error"
    code: ErrorCode
    message: Text
    rules: Annotated[tuple[RuleId, ...], Items(32)] = ()

    @classmethod
    def of(cls, error: ProtocolError) -> ErrorMessage:
        return cls(code=error.code, message=error.text, rules=error.rules)


@dataclass(frozen=True, slots=True, kw_only=True)
class Pong(_Checked):
    type: Literal["pong"] = "pong"
    nonce: Nonce = 0


ServerMessage = (
    Welcome
    | Lobby
    | Admitted
    | Denied
    | Answer
    | IceCandidate
    | Participants
    | Presence
    | Waiting
    | SlotMap
    | Speaking
    | Hands
    | MeetingState
    | Removed
    | MeetingEnded
    | ChatMessage
    | Presenting
    | ErrorMessage
    | Pong
)
Message = ClientMessage | ServerMessage

CLIENT_TYPES: Final[dict[str, type[ClientMessage]]] = {
    tag_of(c): c
    for c in (
        Join,
        Offer,
        IceCandidate,
        Mute,
        Unmute,
        RaiseHand,
        LowerHand,
        Leave,
        AudioOnly,
        ShareScreen,
        Ping,
        Admit,
        AdmitAll,
        Deny,
        MuteParticipant,
        RemoveParticipant,
        LockMeeting,
        UnlockMeeting,
        LowerHandOf,
        AllowScreen,
        CheckIn,
        CheckOut,
        Chat,
        Present,
        StopPresenting,
    )
}
SERVER_TYPES: Final[dict[str, type[ServerMessage]]] = {
    tag_of(c): c
    for c in (
        Welcome,
        Lobby,
        Admitted,
        Denied,
        Answer,
        IceCandidate,
        Participants,
        Presence,
        Waiting,
        SlotMap,
        Speaking,
        Hands,
        MeetingState,
        Removed,
        MeetingEnded,
        ChatMessage,
        Presenting,
        ErrorMessage,
        Pong,
    )
}
CHAIR_TYPES: Final = frozenset(
    {
        "admit",
        "admit_all",
        "deny",
        "mute_participant",
        "remove_participant",
        "lock_meeting",
        "unlock_meeting",
        "lower_hand_of",
        "allow_screen",
        "check_in",
        "check_out",
        "present",
        "stop_presenting",
    }
)

_ENVELOPE: Final = frozenset({"v", "type"})
M = TypeVar("M", ClientMessage, ServerMessage)


def _check_envelope(obj: dict[str, object]) -> str:
    """Check ``v`` and ``type``; the tag."""
    if "v" not in obj:
        raise bad_message("media.detail.missing_field", field="v")
    version = obj["v"]
    if type(version) is not int:
        raise bad_message("media.detail.wrong_type", field="v", expected="integer")
    if version != PROTOCOL_VERSION:
        raise ProtocolError(
            ErrorCode.UNSUPPORTED_VERSION,
            ErrorCode.UNSUPPORTED_VERSION.text(
                version=str(version)[:20], supported=PROTOCOL_VERSION
            ),
        )
    if "type" not in obj:
        raise bad_message("media.detail.missing_field", field="type")
    tag = obj["type"]
    if not isinstance(tag, str):
        raise bad_message("media.detail.wrong_type", field="type", expected="string")
    return tag


def _from_dict(obj: dict[str, object], registry: Mapping[str, type[M]]) -> M:
    tag = _check_envelope(obj)
    cls = registry.get(tag)
    if cls is None:
        raise bad_message("media.detail.unknown_type", type=tag[:64])
    return cast(M, decode_object(cls, obj, "", _ENVELOPE))


def parse_message(raw: str | bytes) -> ClientMessage:
    """Parse one client frame of at most 64 KiB.

    Raises :class:`ProtocolError` (``bad_message``, ``message_too_large`` or
    ``unsupported_version``) and nothing else.
    """
    return _from_dict(load_json_object(raw, MAX_FRAME_BYTES), CLIENT_TYPES)


def parse_server_message(raw: str | bytes) -> ServerMessage:
    """Parse one server frame (for clients written in Python: tests, bots, benchmarks)."""
    return _from_dict(load_json_object(raw, MAX_SERVER_FRAME_BYTES), SERVER_TYPES)


def server_message_from_dict(obj: dict[str, object]) -> ServerMessage:
    """The inverse of :func:`message_dict` for server messages carried inside other JSON."""
    return _from_dict(obj, SERVER_TYPES)


def message_dict(msg: Message) -> dict[str, object]:
    """The JSON object of ``msg``, ``v`` and ``type`` first (for the bus and for tests)."""
    body = encode(msg)
    assert isinstance(body, dict)
    return {"v": PROTOCOL_VERSION, **body}


def dump_message(msg: Message) -> str:
    """Compact JSON of ``msg``; non-ASCII kept as UTF-8 (Vietnamese texts)."""
    return json.dumps(message_dict(msg), ensure_ascii=False, separators=(",", ":"))
