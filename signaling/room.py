"""The room state machine of one meeting: pure, synchronous, deterministic.

The WebSocket loop calls :meth:`Room.join` with the session's :class:`Identity` for the first
frame, :meth:`Room.handle` for every later frame and :meth:`Room.disconnect` when the socket
closes; the media relay calls :meth:`Room.set_speaking` and :meth:`Room.set_quality`. Each call
returns the :class:`Outgoing` messages to deliver, each with its resolved connection ids, or
raises :class:`~policy.error_codes.ProtocolError` and changes nothing.

Decisions (see docs/protocol.md, "Room rules"):

- Chairs and the room device enter directly. Members of the cell enter directly when
  ``auto_admit_members`` is set and the meeting is not locked; everybody else waits in the lobby
  until a chair admits or denies them.
- A locked meeting keeps every new joiner (but chairs and the room device) in the lobby; it
  does not refuse them, so a member who lost the link can still be let back in by the chair.
- Someone admitted once is admitted again by rule after a dropped link (unless locked);
  someone denied or removed waits in the lobby when joining again, whatever the settings.
- A1: one participant per account. Joining again from a new connection replaces the old one
  (which gets ``removed`` and is closed), keeping the participant id, admission, hand and mute
  state. A member checked in at the hall who also joins online is still one participant.
- The room device and people who are not members of the cell are never counted.
- Screen sharing: chairs may always share; anyone else once a chair allowed it
  (``allow_screen``). One participant shares at a time; a connection that ends stops its share.
- Attendance intervals and the reconnect grace period belong to the attendance service, which
  reads :meth:`Room.counted_members`. Who is checked in at the hall is the attendance records'
  to say: the server applies them with :meth:`Room.sync_hall` (pure and idempotent here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from policy.error_codes import ErrorCode, ProtocolError
from policy.i18n import tr
from policy.model import Role
from signaling.codec import ID, bad_message, check_str, compose, load_json_object, no_control
from signaling.protocol import (
    MAX_NAME_CHARS,
    MAX_SERVER_FRAME_BYTES,
    Admit,
    AdmitAll,
    Admitted,
    AllowScreen,
    AudioOnly,
    Chat,
    ChatMessage,
    CheckIn,
    CheckOut,
    ClientMessage,
    Denied,
    Deny,
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
    MeetingState,
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
    Speaking,
    StopPresenting,
    UnlockMeeting,
    Unmute,
    Waiting,
    WaitingInfo,
    Welcome,
    message_dict,
    server_message_from_dict,
)

ConnId = str
"""A connection id, unique across server processes (the transport chooses it)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is behind a connection, as the server authenticated them."""

    user_id: str
    display_name: str
    role: Role
    cell_member: bool  # a member of the meeting's cell: counted (A1), may be auto-admitted

    def __post_init__(self) -> None:
        check_str(self.user_id, ID, "user_id")
        check_str(self.display_name, no_control(MAX_NAME_CHARS, min_len=1), "display_name")


def room_role(role: Role, *, group_meeting: bool = False) -> RoomRole | None:
    """The room role of an organisation role; ``None``: may not attend (deny by default).

    The secretary and deputy chair a cell meeting; a group leader chairs a group meeting
    (03-HD/TW §II.4.2). Security officers read logs, not meeting content; administrators run
    the system and do not attend; the superior committee's organisation board and standing
    committee decide pilots (V2) and attend only through an observer role (S1).
    """
    match role:
        case Role.SECRETARY | Role.DEPUTY:
            return RoomRole.CHAIR
        case Role.GROUP_LEADER:
            return RoomRole.CHAIR if group_meeting else RoomRole.MEMBER
        case Role.COMMITTEE | Role.MEMBER:
            return RoomRole.MEMBER
        case Role.OBSERVER:
            return RoomRole.OBSERVER
        case Role.ROOM_DEVICE:
            return RoomRole.ROOM_DEVICE
        case Role.SECURITY_OFFICER | Role.ADMIN | Role.ORG_BOARD | Role.STANDING_COMMITTEE:
            return None


@dataclass(frozen=True, slots=True)
class RoomSettings:
    meeting_id: str
    auto_admit_members: bool = False
    group_meeting: bool = False
    slots: SlotCounts = field(default_factory=lambda: SlotCounts(audio=3, video=4))
    locked: bool = False  # the lock as stored, when the room is (re)built

    def __post_init__(self) -> None:
        check_str(self.meeting_id, ID, "meeting_id")


class Audience(str, Enum):
    CONNECTION = "connection"  # one connection (the sender, or the one a chair acted on)
    ADMITTED = "admitted"  # every admitted, connected participant
    CHAIRS = "chairs"  # admitted chairs only


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to deliver; ``conn_ids`` were resolved when the operation ran."""

    audience: Audience
    conn_ids: tuple[ConnId, ...]
    message: ServerMessage
    close: bool = False  # close these connections once the message is sent


def outgoing_to_dict(out: Outgoing) -> dict[str, object]:
    """The JSON form of ``out`` for the bus: each process delivers to the connections it holds."""
    return {
        "audience": out.audience.value,
        "conn_ids": list(out.conn_ids),
        "close": out.close,
        "message": message_dict(out.message),
    }


def outgoing_from_bytes(payload: bytes) -> Outgoing:
    """The inverse of :func:`outgoing_to_dict` as published; :class:`ProtocolError` if bad."""
    obj = load_json_object(payload, MAX_SERVER_FRAME_BYTES)
    audience, conn_ids, close, message = (
        obj.get("audience"),
        obj.get("conn_ids"),
        obj.get("close"),
        obj.get("message"),
    )
    if (
        set(obj) != {"audience", "conn_ids", "close", "message"}
        or audience not in {a.value for a in Audience}
        or not isinstance(conn_ids, list)
        or not all(isinstance(c, str) for c in conn_ids)
        or not isinstance(close, bool)
        or not isinstance(message, dict)
    ):
        raise bad_message("media.detail.bad_value", field="outgoing")
    return Outgoing(
        Audience(audience),
        tuple(str(c) for c in conn_ids),
        server_message_from_dict(message),
        close=close,
    )


Directory = Callable[[str], Identity | None]
"""Looks up an account for check-in; ``None`` if it does not exist."""


def _nobody(_user_id: str) -> Identity | None:
    return None


@dataclass(slots=True)
class _Participant:
    id: str
    identity: Identity
    role: RoomRole
    conn_id: ConnId | None = None
    admitted: bool = False
    checked_in: bool = False
    audio_muted: bool = False
    video_muted: bool = False
    audio_only: bool = False
    quality: Quality = Quality.UNKNOWN
    lost_at: str | None = None  # the socket dropped without ``leave`` then (UTC, ISO 8601)
    screen_allowed: bool = False  # by a chair; chairs may share anyway
    sharing_screen: bool = False

    @property
    def online(self) -> bool:
        return self.admitted and self.conn_id is not None

    @property
    def may_share_screen(self) -> bool:
        return self.role is RoomRole.CHAIR or self.screen_allowed

    @property
    def present(self) -> bool:
        return self.online or self.checked_in


def _turn(key: str, **params: object) -> ProtocolError:
    return ProtocolError(ErrorCode.OUT_OF_TURN, compose(ErrorCode.OUT_OF_TURN, key, **params))


def _forbidden() -> ProtocolError:
    return ProtocolError(ErrorCode.FORBIDDEN, ErrorCode.FORBIDDEN.text())


def _not_found(what: str, ident: str) -> ProtocolError:
    return ProtocolError(ErrorCode.NOT_FOUND, compose(ErrorCode.NOT_FOUND, what, "what", id=ident))


class Room:
    """State of one meeting's room. Not thread-safe: one owner task calls it."""

    def __init__(self, settings: RoomSettings, directory: Directory = _nobody) -> None:
        self.settings = settings
        self._directory = directory
        self._participants: dict[str, _Participant] = {}  # in order of arrival
        self._by_user: dict[str, str] = {}
        self._by_conn: dict[ConnId, str] = {}
        self._hands: list[str] = []
        self._speaking: tuple[str, ...] = ()
        self._held: set[str] = set()  # user ids denied or removed: never admitted by rule
        self._seen: set[str] = set()  # user ids admitted once: a reconnect is admitted by rule
        self._locked = settings.locked
        self._current_item: str | None = None
        self._recording = False
        self._presenting: Presenting | None = None
        self._counter = 0
        self._version = 0  # presence version: +1 per ``presence`` delta
        self._dirty: dict[str, bool] = {}  # participant id → present before this operation
        self._snapshots: list[ConnId] = []  # connections owed a snapshot by this operation

    # --- queries ----------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self._locked

    def participant_id(self, conn_id: ConnId) -> str | None:
        return self._by_conn.get(conn_id)

    def is_admitted(self, conn_id: ConnId) -> bool:
        pid = self._by_conn.get(conn_id)
        return pid is not None and self._participants[pid].admitted

    def counted_members(self) -> frozenset[str]:
        """A1: user ids of cell members present online (admitted) or checked in, each once."""
        return frozenset(
            p.identity.user_id
            for p in self._participants.values()
            if p.present and p.identity.cell_member and p.role is not RoomRole.ROOM_DEVICE
        )

    def may_vote(self, participant_id: str) -> bool:
        """Present, a member of the cell, and not an observer or the room device.

        Necessary, not sufficient: A4 (full members only) and quorum are the vote's rules.
        """
        p = self._participants.get(participant_id)
        return (
            p is not None
            and p.present
            and p.identity.cell_member
            and p.role in (RoomRole.CHAIR, RoomRole.MEMBER)
        )

    @property
    def screen_presenter(self) -> str | None:
        """The participant sharing a screen now (connected), if any: the relay forwards only
        that participant's screen line."""
        return next(
            (p.id for p in self._participants.values() if p.sharing_screen and p.online), None
        )

    @property
    def presence_version(self) -> int:
        return self._version

    def participants(self) -> Participants:
        """The snapshot of the presence at :attr:`presence_version`."""
        speaking = set(self._speaking)
        return Participants(
            participants=tuple(
                self._info(p, speaking) for p in self._participants.values() if p.present
            ),
            version=self._version,
        )

    def _info(self, p: _Participant, speaking: set[str] | None = None) -> ParticipantInfo:
        return ParticipantInfo(
            id=p.id,
            display_name=p.identity.display_name,
            role=p.role,
            kind=(
                PresenceKind.ROOM_DEVICE
                if p.role is RoomRole.ROOM_DEVICE
                else PresenceKind.ONLINE
                if p.online
                else PresenceKind.ROOM
            ),
            audio_muted=p.audio_muted,
            video_muted=p.video_muted,
            hand_raised=p.id in self._hands,
            speaking=p.id in (speaking if speaking is not None else self._speaking),
            quality=p.quality,
            lost_at=p.lost_at,
            screen_allowed=p.may_share_screen,
            sharing_screen=p.sharing_screen,
        )

    def online(self) -> dict[str, tuple[str, RoomRole]]:
        """Participant id → (user id, role) of everyone admitted and connected, in order of
        arrival (cheaper than :meth:`participants` for the server's per-change bookkeeping)."""
        return {p.id: (p.identity.user_id, p.role) for p in self._participants.values() if p.online}

    def resync(self, conn_id: ConnId) -> tuple[ServerMessage, ...]:
        """The state a connection that missed presence messages needs to be whole again: the
        snapshot, hands, speakers, and the lobby for a chair (nothing if not admitted)."""
        pid = self._by_conn.get(conn_id)
        p = self._participants.get(pid) if pid is not None else None
        if p is None or not p.online:
            return ()
        msgs: list[ServerMessage] = [
            self.participants(),
            self.hands(),
            Speaking(participant_ids=self._speaking),
        ]
        if p.role is RoomRole.CHAIR:
            msgs.append(self.waiting())
        return tuple(msgs)

    def waiting(self) -> Waiting:
        return Waiting(
            participants=tuple(
                WaitingInfo(id=p.id, display_name=p.identity.display_name, role=p.role)
                for p in self._participants.values()
                if p.conn_id is not None and not p.admitted
            )
        )

    def admissible(self) -> list[_Participant]:
        """Who ``admit_all`` lets in: those waiting in the lobby now, in order of arrival, but
        anyone a chair denied or removed in this meeting (they need their own ``admit``)."""
        return [
            p
            for p in self._participants.values()
            if p.conn_id is not None and not p.admitted and p.identity.user_id not in self._held
        ]

    def hands(self) -> Hands:
        return Hands(queue=tuple(self._hands))

    def meeting_state(self) -> MeetingState:
        return MeetingState(
            locked=self._locked, current_item=self._current_item, recording=self._recording
        )

    def require_admitted(self, conn_id: ConnId) -> str:
        """The participant id of an admitted connection (before forwarding SDP to the relay)."""
        return self._sender(conn_id).id

    def require_chair(self, conn_id: ConnId) -> str:
        """The participant id of an admitted chair (before a chair action the server records)."""
        return self._chair(conn_id).id

    def require_hall_member(self, user_id: str) -> Identity:
        """Who ``user_id`` is, if they may be checked in at the hall: a member of the cell who
        is not an observer or the room device (A1); else the refusal :meth:`check_in` gives."""
        identity = self._directory(user_id)
        if identity is None:
            raise _not_found("media.what.member", user_id)
        role = room_role(identity.role, group_meeting=self.settings.group_meeting)
        if not identity.cell_member or role not in (RoomRole.CHAIR, RoomRole.MEMBER):
            raise _turn("media.turn.not_a_member")
        return identity

    def checked_in(self) -> tuple[str, ...]:
        """User ids of those checked in at the hall, in order of arrival."""
        return tuple(p.identity.user_id for p in self._participants.values() if p.checked_in)

    def hall_user(self, participant_id: str) -> str | None:
        """The user id of ``participant_id`` if they are checked in at the hall."""
        p = self._participants.get(participant_id)
        return p.identity.user_id if p is not None and p.checked_in else None

    def restore_admissions(self, decisions: Mapping[str, bool]) -> None:
        """A room rebuilt in a process after the one that held it was lost: the chair's
        decisions as recorded (user id → let in, or kept out) hold again, so a member let in
        rejoins without the lobby and one denied or removed waits there."""
        for user_id, admitted in decisions.items():
            if admitted:
                self._held.discard(user_id)
                self._seen.add(user_id)
            else:
                self._held.add(user_id)
                self._seen.discard(user_id)

    # --- entry ------------------------------------------------------------------------------

    def join(
        self,
        conn_id: ConnId,
        identity: Identity,
        msg: Join,
        ice_servers: Iterable[IceServer] = (),
    ) -> tuple[Outgoing, ...]:
        if conn_id in self._by_conn:
            raise _turn("media.turn.already_joined")
        if msg.meeting_id != self.settings.meeting_id:
            raise _not_found("media.what.meeting", msg.meeting_id)
        role = room_role(identity.role, group_meeting=self.settings.group_meeting)
        if role is None:
            raise _forbidden()
        pid = self._by_user.get(identity.user_id)
        welcome = Welcome(  # built first: a bad ICE server list must not leave half a join
            participant_id=pid or f"p{self._counter + 1}",
            role=role,
            slots=self.settings.slots,
            ice_servers=tuple(ice_servers),
        )
        out: list[Outgoing] = []
        if pid is not None:
            p = self._participants[pid]
            self._mark(p)
            if p.conn_id is not None:  # A1: the new connection replaces the old one
                replaced = Removed(reason=tr("media.removed.replaced"), replaced=True)
                out.append(Outgoing(Audience.CONNECTION, (p.conn_id,), replaced, close=True))
                del self._by_conn[p.conn_id]
            p.sharing_screen = False  # the screen was captured by the old connection
            p.identity, p.role = identity, role
            p.lost_at = None  # back within the grace
            if p.checked_in:
                p.admitted = True
        else:
            self._counter += 1
            p = _Participant(id=f"p{self._counter}", identity=identity, role=role)
            self._participants[p.id] = p
            self._by_user[identity.user_id] = p.id
            self._mark(p)
        p.conn_id = conn_id
        self._by_conn[conn_id] = p.id
        p.audio_only = msg.audio_only
        p.video_muted = p.video_muted or msg.audio_only
        if not p.admitted and self._admitted_by_rule(p):
            p.admitted = True
        out.append(self._one(conn_id, welcome))
        if p.admitted:
            out += self._on_admitted(p)
        else:
            out.append(self._one(conn_id, Lobby(meeting_id=self.settings.meeting_id)))
            out += self._to(Audience.CHAIRS, self.waiting())
        return (*out, *self._flush())

    def _admitted_by_rule(self, p: _Participant) -> bool:
        if p.identity.user_id in self._held:
            return False
        if p.role in (RoomRole.CHAIR, RoomRole.ROOM_DEVICE):
            return True
        if self._locked:
            return False
        return p.identity.user_id in self._seen or (
            self.settings.auto_admit_members
            and p.role is RoomRole.MEMBER
            and p.identity.cell_member
        )

    def _on_admitted(self, p: _Participant) -> list[Outgoing]:
        assert p.conn_id is not None
        self._seen.add(p.identity.user_id)
        out = [
            self._one(p.conn_id, Admitted(meeting_id=self.settings.meeting_id)),
            self._one(p.conn_id, self.meeting_state()),
            self._one(p.conn_id, self.hands()),
        ]
        if p.role is RoomRole.CHAIR:
            out.append(self._one(p.conn_id, self.waiting()))
        if self._presenting is not None:  # a late joiner sees the page everyone sees
            out.append(self._one(p.conn_id, self._presenting))
        self._snapshots.append(p.conn_id)  # sent by _flush, at the version after this change
        return out

    def disconnect(self, conn_id: ConnId) -> tuple[Outgoing, ...]:
        """The transport closed (or the client sent ``leave``). Unknown connections: no-op."""
        return (*self._disconnect(conn_id), *self._flush())

    def _disconnect(self, conn_id: ConnId) -> list[Outgoing]:
        pid = self._by_conn.pop(conn_id, None)
        if pid is None:
            return []
        p = self._participants[pid]
        self._mark(p)
        p.conn_id = None
        p.sharing_screen = False
        was_admitted = p.admitted
        if p.checked_in:
            return []
        return self._drop(p, was_admitted)

    def _drop(self, p: _Participant, was_admitted: bool) -> list[Outgoing]:
        """Forget ``p`` entirely; the broadcasts that follow (the presence delta: _flush)."""
        self._mark(p)
        del self._participants[p.id]
        del self._by_user[p.identity.user_id]
        if p.conn_id is not None:
            del self._by_conn[p.conn_id]
            p.conn_id = None
        out: list[Outgoing] = []
        if not was_admitted:
            return self._to(Audience.CHAIRS, self.waiting())
        if p.id in self._hands:
            self._hands.remove(p.id)
            out += self._to(Audience.ADMITTED, self.hands())
        if p.id in self._speaking:
            self._speaking = tuple(s for s in self._speaking if s != p.id)
            out += self._to(Audience.ADMITTED, Speaking(participant_ids=self._speaking))
        return out

    # --- messages ---------------------------------------------------------------------------

    def handle(self, conn_id: ConnId, msg: ClientMessage) -> tuple[Outgoing, ...]:
        """Apply one client message (other than the first ``join``)."""
        try:
            out = self._handle(conn_id, msg)
        except ProtocolError:
            self._dirty.clear()  # refused: nothing changed
            self._snapshots.clear()
            raise
        return (*out, *self._flush())

    def _handle(self, conn_id: ConnId, msg: ClientMessage) -> tuple[Outgoing, ...]:
        match msg:
            case Ping(nonce=nonce):
                return (self._one(conn_id, Pong(nonce=nonce)),)
            case Join():
                if conn_id in self._by_conn:
                    raise _turn("media.turn.already_joined")
                raise _turn("media.turn.not_joined")
            case Leave():
                self._joined(conn_id)
                return tuple(self._disconnect(conn_id))
            case Offer() | IceCandidate():
                self._sender(conn_id)
                return ()  # the server hands the SDP to the media relay
            case AudioOnly(on=on):
                p = self._sender(conn_id)
                if p.audio_only != on or (on and not p.video_muted):
                    self._mark(p)
                p.audio_only = on
                p.video_muted = p.video_muted or on
                return ()
            case Mute(kind=kind) | Unmute(kind=kind):
                return self._set_muted(self._sender(conn_id), kind, isinstance(msg, Mute))
            case ShareScreen(on=on):
                return self._share_screen(self._sender(conn_id), on)
            case RaiseHand():
                p = self._sender(conn_id)
                if p.id in self._hands:
                    return ()
                self._hands.append(p.id)
                return self._hands_changed(p)
            case LowerHand():
                return self._lower(self._sender(conn_id))
            case Chat():
                if self._sender(conn_id).role is RoomRole.ROOM_DEVICE:
                    raise _forbidden()  # the hall's camera speaks through the people in the hall
                return ()  # the server stores it, then calls :meth:`chat_posted`
            case _:
                return self._chair_action(self._chair(conn_id), msg)

    def _chair_action(self, chair: _Participant, msg: ClientMessage) -> tuple[Outgoing, ...]:
        match msg:
            case Admit(participant_id=pid):
                target = self._target(pid)
                if target.admitted or target.conn_id is None:
                    raise _turn("media.turn.not_waiting", participant=pid)
                self._mark(target)
                target.admitted = True
                self._held.discard(target.identity.user_id)
                return (*self._on_admitted(target), *self._to(Audience.CHAIRS, self.waiting()))
            case AdmitAll():
                targets = self.admissible()
                if not targets:
                    raise _turn("media.turn.nobody_waiting")
                let_in: list[Outgoing] = []
                for target in targets:
                    self._mark(target)
                    target.admitted = True
                    let_in += self._on_admitted(target)
                return (*let_in, *self._to(Audience.CHAIRS, self.waiting()))
            case Deny(participant_id=pid, reason=reason):
                target = self._target(pid)
                if target.admitted or target.conn_id is None:
                    raise _turn("media.turn.not_waiting", participant=pid)
                text = (
                    tr("media.denied.reason", reason=reason)
                    if reason
                    else tr("media.denied.default")
                )
                self._held.add(target.identity.user_id)
                bye = Outgoing(
                    Audience.CONNECTION, (target.conn_id,), Denied(reason=text), close=True
                )
                return (bye, *self._drop(target, was_admitted=False))
            case RemoveParticipant(participant_id=pid, reason=reason):
                target = self._target(pid)
                if target is chair:
                    raise _turn("media.turn.not_self")
                if not target.present:
                    raise _turn("media.turn.not_admitted", participant=pid)
                text = (
                    tr("media.removed.reason", reason=reason)
                    if reason
                    else tr("media.removed.default")
                )
                self._held.add(target.identity.user_id)
                self._seen.discard(target.identity.user_id)
                out: list[Outgoing] = []
                if target.conn_id is not None:
                    out.append(
                        Outgoing(
                            Audience.CONNECTION, (target.conn_id,), Removed(reason=text), close=True
                        )
                    )
                return (*out, *self._drop(target, was_admitted=True))
            case MuteParticipant(participant_id=pid, kind=kind):
                target = self._target(pid)
                if not target.online:
                    raise _turn("media.turn.not_connected", participant=pid)
                return self._set_muted(target, kind, True)
            case LockMeeting() | UnlockMeeting():
                locked = isinstance(msg, LockMeeting)
                if locked == self._locked:
                    return ()
                self._locked = locked
                return tuple(self._to(Audience.ADMITTED, self.meeting_state()))
            case LowerHandOf(participant_id=pid):
                return self._lower(self._target(pid))
            case AllowScreen(participant_id=pid, on=on):
                target = self._target(pid)
                if not target.online:
                    raise _turn("media.turn.not_connected", participant=pid)
                if target.screen_allowed != on or (not on and target.sharing_screen):
                    self._mark(target)
                target.screen_allowed = on
                target.sharing_screen = target.sharing_screen and target.may_share_screen
                return ()
            case CheckIn(member_id=uid):
                return self._check_in(uid)
            case CheckOut(member_id=uid):
                return self._check_out(uid)
            case Present() | StopPresenting():
                return ()  # the server checks the document, then calls :meth:`set_presenting`
        raise AssertionError(f"unhandled message {msg.type}")  # pragma: no cover

    def check_in(self, user_id: str) -> tuple[Outgoing, ...]:
        """A1: a cell member is present in the hall (by the secretary, or a scanned code)."""
        return (*self._check_in(user_id), *self._flush())

    def check_out(self, user_id: str) -> tuple[Outgoing, ...]:
        try:
            out = self._check_out(user_id)
        except ProtocolError:
            self._dirty.clear()
            raise
        return (*out, *self._flush())

    def _check_in(self, user_id: str) -> tuple[Outgoing, ...]:
        identity = self.require_hall_member(user_id)
        pid = self._by_user.get(user_id)
        if pid is None:
            role = room_role(identity.role, group_meeting=self.settings.group_meeting)
            assert role is not None  # checked by require_hall_member
            self._counter += 1
            p = _Participant(id=f"p{self._counter}", identity=identity, role=role)
            self._participants[p.id] = p
            self._by_user[user_id] = p.id
        else:
            p = self._participants[pid]
        if p.checked_in:
            return ()
        self._mark(p)
        p.checked_in = True
        self._held.discard(user_id)
        return ()

    def _check_out(self, user_id: str) -> tuple[Outgoing, ...]:
        pid = self._by_user.get(user_id)
        p = self._participants.get(pid) if pid is not None else None
        if p is None or not p.checked_in:
            raise _turn("media.turn.no_checkin", member=user_id)
        self._mark(p)
        p.checked_in = False
        if p.conn_id is None:
            return tuple(self._drop(p, was_admitted=True))
        return ()

    def sync_hall(self, user_ids: Iterable[str]) -> tuple[Outgoing, ...]:
        """A1: exactly ``user_ids`` are checked in at the hall, as the attendance records say.

        Idempotent. Ids the directory does not know, or who may not be checked in, are skipped
        (the records were checked when written). One broadcast of each kind, however many
        members changed: one presence delta for all of them.
        """
        wanted = dict.fromkeys(user_ids)
        out: list[Outgoing] = []
        for user_id in wanted:
            try:
                out += self._check_in(user_id)
            except ProtocolError:
                continue
        for user_id in self.checked_in():
            if user_id not in wanted:
                out += self._check_out(user_id)
        last = {(o.audience, o.message.type): i for i, o in enumerate(out)}
        # each broadcast carries the whole state and no connection changed meanwhile
        return (
            *(
                o
                for i, o in enumerate(out)
                if o.audience is Audience.CONNECTION or last[(o.audience, o.message.type)] == i
            ),
            *self._flush(),
        )

    # --- from the media relay ---------------------------------------------------------------

    def set_speaking(self, participant_ids: Iterable[str]) -> tuple[Outgoing, ...]:
        """The active speakers, loudest first; ids of absent participants are ignored."""
        speaking = tuple(
            pid
            for pid in dict.fromkeys(participant_ids)
            if pid in self._participants and self._participants[pid].online
        )
        if speaking == self._speaking:
            return ()
        self._speaking = speaking
        return tuple(self._to(Audience.ADMITTED, Speaking(participant_ids=speaking)))

    def set_quality(self, participant_id: str, quality: Quality) -> tuple[Outgoing, ...]:
        p = self._participants.get(participant_id)
        if p is None or p.quality is quality:
            return ()
        self._mark(p)
        p.quality = quality
        return tuple(self._flush())

    def set_lost(self, participant_id: str, at: str) -> tuple[Outgoing, ...]:
        """``participant_id``'s socket dropped without ``leave`` at ``at``: kept in the room,
        shown as lost with the time (link quality poor), until they rejoin (:meth:`join`
        clears it) or the server drops them when the reconnect grace ends."""
        return tuple(self._flush()) if self._lose(participant_id, at) else ()

    def drop_many(self, lost: Mapping[str, str], gone: Iterable[ConnId]) -> tuple[Outgoing, ...]:
        """Many links at once (a ship's link falls, a crowd leaves): ``lost`` participants
        dropped without ``leave`` (:meth:`set_lost`, id → when), and the connections ``gone``
        whose grace ended (:meth:`disconnect`), told to everyone left in ONE presence delta
        rather than one each: n drops cost O(n) frames, not O(n²)."""
        for participant_id, at in lost.items():
            self._lose(participant_id, at)
        out: list[Outgoing] = []
        for conn_id in gone:
            out += self._disconnect(conn_id)
        return (*out, *self._flush())

    def _lose(self, participant_id: str, at: str) -> bool:
        p = self._participants.get(participant_id)
        if p is None or p.lost_at == at:
            return False
        self._mark(p)
        p.lost_at = at
        p.quality = Quality.POOR
        p.sharing_screen = False  # captured by the connection that is gone: others may share
        return True

    def chat_posted(self, msg: ChatMessage) -> tuple[Outgoing, ...]:
        """A chat message the server stored: to everyone admitted."""
        return tuple(self._to(Audience.ADMITTED, msg))

    @property
    def presenting(self) -> Presenting | None:
        return self._presenting

    def set_presenting(self, state: Presenting | None) -> tuple[Outgoing, ...]:
        """What the chair presents (``None``: nothing), checked by the server: to everyone."""
        if state is not None and state.document_id is None:
            state = None
        if state == self._presenting:
            return ()
        self._presenting = state
        return tuple(self._to(Audience.ADMITTED, state or Presenting(document_id=None)))

    def set_current_item(self, title: str | None) -> tuple[Outgoing, ...]:
        """Placeholder for the agenda: the title of the open item, shown to everyone."""
        if title == self._current_item:
            return ()
        state = MeetingState(  # checks the title first
            locked=self._locked, current_item=title, recording=self._recording
        )
        self._current_item = title
        return tuple(self._to(Audience.ADMITTED, state))

    def set_recording(self, on: bool) -> tuple[Outgoing, ...]:
        """The meeting is (no longer) being recorded: everyone admitted is told."""
        if on == self._recording:
            return ()
        self._recording = on
        return tuple(self._to(Audience.ADMITTED, self.meeting_state()))

    # --- helpers ----------------------------------------------------------------------------

    def _joined(self, conn_id: ConnId) -> _Participant:
        pid = self._by_conn.get(conn_id)
        if pid is None:
            raise _turn("media.turn.not_joined")
        return self._participants[pid]

    def _sender(self, conn_id: ConnId) -> _Participant:
        p = self._joined(conn_id)
        if not p.admitted:
            raise _turn("media.turn.in_lobby")
        return p

    def _chair(self, conn_id: ConnId) -> _Participant:
        p = self._sender(conn_id)
        if p.role is not RoomRole.CHAIR:
            raise _forbidden()
        return p

    def _target(self, participant_id: str) -> _Participant:
        p = self._participants.get(participant_id)
        if p is None:
            raise _not_found("media.what.participant", participant_id)
        return p

    def _set_muted(self, p: _Participant, kind: MediaKind, muted: bool) -> tuple[Outgoing, ...]:
        if kind is MediaKind.AUDIO:
            if p.audio_muted == muted:
                return ()
            self._mark(p)
            p.audio_muted = muted
        else:
            if p.video_muted == muted:
                return ()
            self._mark(p)
            p.video_muted = muted
        return ()

    def _share_screen(self, p: _Participant, on: bool) -> tuple[Outgoing, ...]:
        if on and not p.may_share_screen:
            raise ProtocolError(ErrorCode.FORBIDDEN, tr("media.screen.not_allowed"))
        presenter = self.screen_presenter
        if on and presenter is not None and presenter != p.id:
            name = self._participants[presenter].identity.display_name
            raise ProtocolError(ErrorCode.CONFLICT, tr("media.screen.busy", name=name))
        if p.sharing_screen != on:
            self._mark(p)
            p.sharing_screen = on
        return ()

    def _lower(self, p: _Participant) -> tuple[Outgoing, ...]:
        if p.id not in self._hands:
            return ()
        self._hands.remove(p.id)
        return self._hands_changed(p)

    def _hands_changed(self, p: _Participant) -> tuple[Outgoing, ...]:
        self._mark(p)
        return tuple(self._to(Audience.ADMITTED, self.hands()))

    def _mark(self, p: _Participant) -> None:
        """``p``'s presence is about to change in this operation (before the change)."""
        self._dirty.setdefault(p.id, p.present)

    def _flush(self) -> list[Outgoing]:
        """End of an operation: one ``presence`` delta for what it changed, to everyone
        admitted but those owed a snapshot, who get the snapshot at the new version."""
        dirty, self._dirty = self._dirty, {}
        owed, self._snapshots = self._snapshots, []
        joined: list[ParticipantInfo] = []
        changed: list[ParticipantInfo] = []
        left: list[str] = []
        for pid, was in dirty.items():
            p = self._participants.get(pid)
            if p is not None and p.present:
                if was:
                    changed.append(self._info(p))
                else:
                    # clients append who joins: keep the server's order the same
                    self._participants[pid] = self._participants.pop(pid)
                    joined.append(self._info(p))
            elif was:
                left.append(pid)
        out: list[Outgoing] = []
        if joined or changed or left:
            self._version += 1
            delta = Presence(
                version=self._version,
                joined=tuple(joined),
                changed=tuple(changed),
                left=tuple(left),
            )
            out += self._to(Audience.ADMITTED, delta, exclude=frozenset(owed))
        if owed:
            snapshot = self.participants()
            out += [
                self._one(c, snapshot) for c in owed if c in self._by_conn and self.is_admitted(c)
            ]
        return out

    def _one(self, conn_id: ConnId, msg: ServerMessage) -> Outgoing:
        return Outgoing(Audience.CONNECTION, (conn_id,), msg)

    def _to(
        self, audience: Audience, msg: ServerMessage, exclude: frozenset[ConnId] = frozenset()
    ) -> list[Outgoing]:
        """Broadcast to the connections of ``audience`` now; nothing if there are none."""
        conns = tuple(
            p.conn_id
            for p in self._participants.values()
            if p.online
            and p.conn_id is not None
            and p.conn_id not in exclude
            and (audience is Audience.ADMITTED or p.role is RoomRole.CHAIR)
        )
        return [Outgoing(audience, conns, msg)] if conns else []
