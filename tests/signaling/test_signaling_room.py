"""The room state machine: lobby, admission, hands, reconnect, lock, removal, roles, A1."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy.error_codes import ErrorCode, ProtocolError
from policy.i18n import tr
from policy.model import Role
from signaling.protocol import (
    CLIENT_TYPES,
    Admit,
    AdmitAll,
    Admitted,
    AllowScreen,
    AudioOnly,
    CheckIn,
    CheckOut,
    ClientInfo,
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
    Quality,
    RaiseHand,
    Removed,
    RemoveParticipant,
    RoomRole,
    ServerMessage,
    ShareScreen,
    Speaking,
    UnlockMeeting,
    Unmute,
    Waiting,
    Welcome,
)
from signaling.room import Audience, Identity, Outgoing, Room, RoomSettings, room_role

MEETING = "m1"

CHAIR = Identity("u-chair", "Bí thư Lê Văn Chủ", Role.SECRETARY, cell_member=True)
DEPUTY = Identity("u-deputy", "Phó bí thư Hà", Role.DEPUTY, cell_member=True)
ANH = Identity("u-anh", "Nguyễn Văn Anh", Role.MEMBER, cell_member=True)
BINH = Identity("u-binh", "Trần Thị Bình", Role.MEMBER, cell_member=True)
CUONG = Identity("u-cuong", "Phạm Cường", Role.COMMITTEE, cell_member=True)
GUEST = Identity("u-guest", "Khách mời", Role.MEMBER, cell_member=False)
OBSERVER = Identity("u-obs", "Đại diện cấp uỷ cấp trên", Role.OBSERVER, cell_member=False)
DEVICE = Identity("u-hall", "Hội trường", Role.ROOM_DEVICE, cell_member=False)
OFFICER = Identity("u-sec", "Cán bộ an ninh", Role.SECURITY_OFFICER, cell_member=False)
ADMIN = Identity("u-admin", "Quản trị", Role.ADMIN, cell_member=False)

CLIENT_MESSAGE_TYPES = tuple(CLIENT_TYPES.values())

PEOPLE = {i.user_id: i for i in (CHAIR, DEPUTY, ANH, BINH, CUONG, GUEST, OBSERVER, DEVICE)}


def join_msg(audio_only: bool = False) -> Join:
    return Join(meeting_id=MEETING, audio_only=audio_only, client=ClientInfo(name="t", version="1"))


def new_room(auto_admit: bool = False) -> Room:
    return Room(RoomSettings(meeting_id=MEETING, auto_admit_members=auto_admit), PEOPLE.get)


def of_type(out: Iterable[Outgoing], cls: type[ServerMessage]) -> list[Outgoing]:
    return [o for o in out if isinstance(o.message, cls)]


def to_conn(out: Iterable[Outgoing], conn: str) -> list[ServerMessage]:
    return [o.message for o in out if conn in o.conn_ids]


class View:
    """What a client holds of the presence: a snapshot, then the deltas applied in order."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.people: dict[str, ParticipantInfo] = {}

    def apply(self, msg: ServerMessage) -> None:
        if isinstance(msg, Participants):
            self.version = msg.version
            self.people = {p.id: p for p in msg.participants}
        elif isinstance(msg, Presence):
            assert self.version is not None, "a delta before any snapshot"
            assert msg.version == self.version + 1, (msg.version, self.version)
            self.version = msg.version
            for gone in msg.left:
                del self.people[gone]
            for p in msg.changed:
                assert p.id in self.people
                self.people[p.id] = p
            for p in msg.joined:
                assert p.id not in self.people
                self.people[p.id] = p

    def participants(self) -> Participants:
        assert self.version is not None
        return Participants(participants=tuple(self.people.values()), version=self.version)


def last_presence(out: Iterable[Outgoing], room: Room) -> Participants:
    """The presence the room's last delta (or snapshot) in ``out`` brings about: the room's
    snapshot, once checked that ``out`` carries a change to that version."""
    (*_, o) = [o for o in out if isinstance(o.message, Participants | Presence)]
    assert isinstance(o.message, Participants | Presence)
    assert o.message.version == room.presence_version
    return room.participants()


def pid(room: Room, conn: str) -> str:
    p = room.participant_id(conn)
    assert p is not None
    return p


@pytest.fixture
def room() -> Room:
    """A meeting with the chair (c-chair) and Anh (c-anh) admitted."""
    r = new_room()
    r.join("c-chair", CHAIR, join_msg())
    r.join("c-anh", ANH, join_msg())
    r.handle("c-chair", Admit(participant_id=pid(r, "c-anh")))
    return r


def refused(room: Room, conn: str, msg: ClientMessage) -> ErrorCode:
    with pytest.raises(ProtocolError) as info:
        room.handle(conn, msg)
    assert info.value.text.vi and info.value.text.en
    return info.value.code


# --- roles ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "group", "expected"),
    [
        (Role.SECRETARY, False, RoomRole.CHAIR),
        (Role.DEPUTY, False, RoomRole.CHAIR),
        (Role.COMMITTEE, False, RoomRole.MEMBER),
        (Role.MEMBER, False, RoomRole.MEMBER),
        (Role.GROUP_LEADER, False, RoomRole.MEMBER),
        (Role.GROUP_LEADER, True, RoomRole.CHAIR),  # 03-HD/TW §II.4.2
        (Role.OBSERVER, False, RoomRole.OBSERVER),  # R5
        (Role.ROOM_DEVICE, False, RoomRole.ROOM_DEVICE),
        (Role.SECURITY_OFFICER, False, None),
        (Role.ADMIN, False, None),
    ],
)
def test_room_role(role: Role, group: bool, expected: RoomRole | None) -> None:
    assert room_role(role, group_meeting=group) is expected


@pytest.mark.parametrize("who", [OFFICER, ADMIN])
def test_roles_without_meeting_access_are_forbidden(who: Identity) -> None:
    r = new_room()
    with pytest.raises(ProtocolError) as info:
        r.join("c1", who, join_msg())
    assert info.value.code is ErrorCode.FORBIDDEN
    assert r.participant_id("c1") is None


def test_join_for_another_meeting_is_not_found() -> None:
    r = new_room()
    with pytest.raises(ProtocolError) as info:
        r.join("c1", ANH, Join(meeting_id="other", client=ClientInfo(name="t", version="1")))
    assert info.value.code is ErrorCode.NOT_FOUND


# --- the order of a join ---------------------------------------------------------------------


def test_member_waits_in_lobby_until_admitted() -> None:
    r = new_room()
    out = r.join("c-chair", CHAIR, join_msg(), ice_servers=[IceServer(urls=("stun:s:3478",))])
    assert [type(m) for m in to_conn(out, "c-chair")] == [
        Welcome,
        Admitted,
        MeetingState,
        Hands,
        Waiting,
        Participants,
    ]
    welcome = out[0].message
    assert isinstance(welcome, Welcome)
    assert welcome.role is RoomRole.CHAIR
    assert welcome.ice_servers == (IceServer(urls=("stun:s:3478",)),)

    out = r.join("c-anh", ANH, join_msg())
    assert [type(m) for m in to_conn(out, "c-anh")] == [Welcome, Lobby]
    (waiting,) = of_type(out, Waiting)
    assert waiting.audience is Audience.CHAIRS and waiting.conn_ids == ("c-chair",)
    assert isinstance(waiting.message, Waiting)
    assert [w.display_name for w in waiting.message.participants] == [ANH.display_name]
    assert not r.is_admitted("c-anh")
    assert r.counted_members() == {CHAIR.user_id}

    out = r.handle("c-chair", Admit(participant_id=pid(r, "c-anh")))
    assert [type(m) for m in to_conn(out, "c-anh")] == [
        Admitted,
        MeetingState,
        Hands,
        Participants,
    ]
    presence = last_presence(out, r)
    assert [p.display_name for p in presence.participants] == [
        CHAIR.display_name,
        ANH.display_name,
    ]
    # the newcomer gets the snapshot, the others the delta
    assert of_type(out, Participants)[-1].conn_ids == ("c-anh",)
    (delta,) = of_type(out, Presence)
    assert delta.conn_ids == ("c-chair",)
    assert isinstance(delta.message, Presence)
    assert [p.id for p in delta.message.joined] == ["p2"]
    assert delta.message.version == presence.version
    assert of_type(out, Waiting)[-1].message == Waiting(participants=())
    assert r.counted_members() == {CHAIR.user_id, ANH.user_id}


def test_offer_and_candidates_before_admission_are_out_of_turn() -> None:
    r = new_room()
    r.join("c-anh", ANH, join_msg())
    assert refused(r, "c-anh", Offer(sdp="v=0")) is ErrorCode.OUT_OF_TURN
    assert refused(r, "c-anh", IceCandidate(candidate=None)) is ErrorCode.OUT_OF_TURN
    assert refused(r, "c-anh", RaiseHand()) is ErrorCode.OUT_OF_TURN


def test_offer_after_admission_goes_to_the_relay(room: Room) -> None:
    assert room.handle("c-anh", Offer(sdp="v=0")) == ()
    assert room.require_admitted("c-anh") == pid(room, "c-anh")


def test_ping_answers_even_before_join() -> None:
    r = new_room()
    assert r.handle("c-x", Ping(nonce=5)) == (
        Outgoing(Audience.CONNECTION, ("c-x",), Pong(nonce=5)),
    )


OUT_OF_TURN_CASES: list[tuple[str, str, ClientMessage, ErrorCode]] = [
    ("message before join", "c-nobody", RaiseHand(), ErrorCode.OUT_OF_TURN),
    ("leave before join", "c-nobody", Leave(), ErrorCode.OUT_OF_TURN),
    ("join twice", "c-anh", join_msg(), ErrorCode.OUT_OF_TURN),
    ("join message before join", "c-nobody", join_msg(), ErrorCode.OUT_OF_TURN),
    ("offer from lobby", "c-binh", Offer(sdp="v=0"), ErrorCode.OUT_OF_TURN),
    ("mute from lobby", "c-binh", Mute(kind=MediaKind.AUDIO), ErrorCode.OUT_OF_TURN),
    ("chair action from lobby", "c-binh", LockMeeting(), ErrorCode.OUT_OF_TURN),
    ("member admits", "c-anh", Admit(participant_id="p3"), ErrorCode.FORBIDDEN),
    ("member denies", "c-anh", Deny(participant_id="p3"), ErrorCode.FORBIDDEN),
    ("member locks", "c-anh", LockMeeting(), ErrorCode.FORBIDDEN),
    ("member unlocks", "c-anh", UnlockMeeting(), ErrorCode.FORBIDDEN),
    (
        "member mutes other",
        "c-anh",
        MuteParticipant(participant_id="p1", kind=MediaKind.AUDIO),
        ErrorCode.FORBIDDEN,
    ),
    ("member removes", "c-anh", RemoveParticipant(participant_id="p1"), ErrorCode.FORBIDDEN),
    ("member lowers other hand", "c-anh", LowerHandOf(participant_id="p1"), ErrorCode.FORBIDDEN),
    ("member checks in", "c-anh", CheckIn(member_id="u-cuong"), ErrorCode.FORBIDDEN),
    ("member checks out", "c-anh", CheckOut(member_id="u-cuong"), ErrorCode.FORBIDDEN),
    ("observer admits", "c-obs", Admit(participant_id="p3"), ErrorCode.FORBIDDEN),
    ("observer removes", "c-obs", RemoveParticipant(participant_id="p2"), ErrorCode.FORBIDDEN),
    ("observer locks", "c-obs", LockMeeting(), ErrorCode.FORBIDDEN),
    ("device admits", "c-hall", Admit(participant_id="p3"), ErrorCode.FORBIDDEN),
    ("admit unknown", "c-chair", Admit(participant_id="p99"), ErrorCode.NOT_FOUND),
    ("admit admitted", "c-chair", Admit(participant_id="p2"), ErrorCode.OUT_OF_TURN),
    ("deny admitted", "c-chair", Deny(participant_id="p2"), ErrorCode.OUT_OF_TURN),
    ("remove from lobby", "c-chair", RemoveParticipant(participant_id="p3"), ErrorCode.OUT_OF_TURN),
    ("remove self", "c-chair", RemoveParticipant(participant_id="p1"), ErrorCode.OUT_OF_TURN),
    (
        "mute someone in lobby",
        "c-chair",
        MuteParticipant(participant_id="p3", kind=MediaKind.AUDIO),
        ErrorCode.OUT_OF_TURN,
    ),
    ("lower hand of unknown", "c-chair", LowerHandOf(participant_id="p99"), ErrorCode.NOT_FOUND),
    ("check in unknown", "c-chair", CheckIn(member_id="u-nobody"), ErrorCode.NOT_FOUND),
    ("check in observer", "c-chair", CheckIn(member_id="u-obs"), ErrorCode.OUT_OF_TURN),
    ("check in device", "c-chair", CheckIn(member_id="u-hall"), ErrorCode.OUT_OF_TURN),
    ("check in non-member", "c-chair", CheckIn(member_id="u-guest"), ErrorCode.OUT_OF_TURN),
    ("check out absent", "c-chair", CheckOut(member_id="u-cuong"), ErrorCode.OUT_OF_TURN),
]


@pytest.mark.parametrize(
    ("conn", "msg", "code"),
    [c[1:] for c in OUT_OF_TURN_CASES],
    ids=[c[0] for c in OUT_OF_TURN_CASES],
)
def test_refusals(room: Room, conn: str, msg: ClientMessage, code: ErrorCode) -> None:
    # p1 chair (c-chair), p2 Anh (c-anh, admitted), p3 Bình (c-binh, lobby),
    # p4 observer (c-obs, admitted), p5 room device (c-hall)
    room.join("c-binh", BINH, join_msg())
    room.join("c-obs", OBSERVER, join_msg())
    room.handle("c-chair", Admit(participant_id="p4"))
    room.join("c-hall", DEVICE, join_msg())
    assert [room.participant_id(c) for c in ("c-chair", "c-anh", "c-binh", "c-obs", "c-hall")] == [
        "p1",
        "p2",
        "p3",
        "p4",
        "p5",
    ]
    before = (room.participants(), room.waiting(), room.hands(), room.meeting_state())
    assert refused(room, conn, msg) is code
    assert (room.participants(), room.waiting(), room.hands(), room.meeting_state()) == before


# --- deny, admission rules, lock -----------------------------------------------------------------


def test_deny_closes_and_keeps_the_member_waiting_next_time() -> None:
    r = new_room(auto_admit=True)
    r.join("c-chair", CHAIR, join_msg())
    r.join("c-guest", GUEST, join_msg())  # not a cell member: waits even with auto-admit
    assert not r.is_admitted("c-guest")
    out = r.handle("c-chair", Deny(participant_id=pid(r, "c-guest"), reason="Không được mời"))
    (bye,) = of_type(out, Denied)
    assert bye.conn_ids == ("c-guest",) and bye.close
    assert bye.message == Denied(reason=tr("media.denied.reason", reason="Không được mời"))
    assert r.participant_id("c-guest") is None
    assert of_type(out, Waiting)[-1].message == Waiting(participants=())


def test_denied_member_is_not_admitted_by_rule_again() -> None:
    r = new_room(auto_admit=True)
    r.join("c-chair", CHAIR, join_msg())
    r.join("c-anh", ANH, join_msg())
    assert r.is_admitted("c-anh")
    r.handle("c-chair", RemoveParticipant(participant_id=pid(r, "c-anh")))
    out = r.join("c-anh-2", ANH, join_msg())
    assert [type(m) for m in to_conn(out, "c-anh-2")] == [Welcome, Lobby]
    r.handle("c-chair", Admit(participant_id=pid(r, "c-anh-2")))
    assert r.is_admitted("c-anh-2")


def test_admit_all_lets_in_the_lobby_in_one_operation_but_not_those_kept_out() -> None:
    """``admit_all``: everyone waiting, in order, one lobby update and one presence delta to
    those already in; someone a chair removed waits for their own ``admit``."""
    r = new_room()
    r.join("c-chair", CHAIR, join_msg())
    r.join("c-anh", ANH, join_msg())
    r.handle("c-chair", Admit(participant_id=pid(r, "c-anh")))
    r.handle("c-chair", RemoveParticipant(participant_id=pid(r, "c-anh")))
    r.join("c-anh-2", ANH, join_msg())  # removed: kept out of admit_all
    joiners = (("c-binh", BINH), ("c-guest", GUEST), ("c-obs", OBSERVER))
    for conn, who in joiners:
        r.join(conn, who, join_msg())
    chair_view = View()
    chair_view.apply(r.participants())
    version = r.presence_version
    out = r.handle("c-chair", AdmitAll())
    assert [c for c, _ in joiners if r.is_admitted(c)] == [c for c, _ in joiners]
    assert not r.is_admitted("c-anh-2")
    for conn, _ in joiners:
        mine = to_conn(out, conn)
        assert [type(m) for m in mine][:1] == [Admitted]
        (snapshot,) = [m for m in mine if isinstance(m, Participants)]
        assert snapshot.version == version + 1
    (delta,) = of_type(out, Presence)  # one delta for all of them, to those already in
    assert delta.conn_ids == ("c-chair",)
    assert isinstance(delta.message, Presence) and delta.message.version == version + 1
    assert [p.id for p in delta.message.joined] == [pid(r, c) for c, _ in joiners]
    chair_view.apply(delta.message)
    assert chair_view.participants() == r.participants()
    (lobby,) = of_type(out, Waiting)
    assert lobby.message == r.waiting()
    assert [w.id for w in r.waiting().participants] == [pid(r, "c-anh-2")]
    # nobody admissible left: refused, nothing changed
    assert refused(r, "c-chair", AdmitAll()) is ErrorCode.OUT_OF_TURN
    # and only a chair may
    assert refused(r, "c-binh", AdmitAll()) is ErrorCode.FORBIDDEN


def test_a_rebuilt_room_keeps_the_chairs_admission_decisions() -> None:
    """After the process holding the room was lost: whoever the chair let in is let in again by
    rule, whoever was denied or removed waits in the lobby, everyone else as usual."""
    r = new_room(auto_admit=True)
    r.restore_admissions({ANH.user_id: True, GUEST.user_id: True, BINH.user_id: False})
    r.join("c-chair", CHAIR, join_msg())
    for conn, who in (("c-anh", ANH), ("c-guest", GUEST), ("c-binh", BINH), ("c-obs", OBSERVER)):
        r.join(conn, who, join_msg())
    admitted = {c: r.is_admitted(c) for c in ("c-anh", "c-guest", "c-binh", "c-obs")}
    assert admitted == {"c-anh": True, "c-guest": True, "c-binh": False, "c-obs": False}


def test_auto_admit_members_of_the_cell() -> None:
    r = new_room(auto_admit=True)
    r.join("c-anh", ANH, join_msg())
    r.join("c-obs", OBSERVER, join_msg())
    assert r.is_admitted("c-anh")
    assert not r.is_admitted("c-obs")  # observers wait for the chair


def test_chairs_and_room_device_enter_directly_even_when_locked() -> None:
    r = new_room(auto_admit=True)
    r.join("c-chair", CHAIR, join_msg())
    out = r.handle("c-chair", LockMeeting())
    assert [o.message for o in out] == [MeetingState(locked=True)]
    r.join("c-deputy", DEPUTY, join_msg())
    r.join("c-hall", DEVICE, join_msg())
    r.join("c-anh", ANH, join_msg())
    assert r.is_admitted("c-deputy") and r.is_admitted("c-hall")
    assert not r.is_admitted("c-anh")  # locked: kept in the lobby, not refused
    assert r.handle("c-chair", LockMeeting()) == ()  # idempotent
    out = r.handle("c-chair", UnlockMeeting())
    assert [o.message for o in out] == [MeetingState(locked=False)]
    assert not r.is_admitted("c-anh")  # unlocking does not admit those already waiting


def test_lobby_list_goes_to_every_chair() -> None:
    r = new_room()
    r.join("c-chair", CHAIR, join_msg())
    r.join("c-deputy", DEPUTY, join_msg())
    r.join("c-anh", ANH, join_msg())
    out = r.join("c-binh", BINH, join_msg())
    (waiting,) = of_type(out, Waiting)
    assert waiting.conn_ids == ("c-chair", "c-deputy")
    assert isinstance(waiting.message, Waiting)
    assert [w.id for w in waiting.message.participants] == ["p3", "p4"]
    out = r.handle("c-anh", Leave())  # leaving the lobby updates the chairs' list
    assert of_type(out, Waiting)[-1].message == r.waiting()
    assert [w.id for w in r.waiting().participants] == ["p4"]


# --- hands ---------------------------------------------------------------------------------------


def test_hands_in_order_idempotent_and_lowered_by_chair(room: Room) -> None:
    room.join("c-binh", BINH, join_msg())
    room.handle("c-chair", Admit(participant_id="p3"))
    out = room.handle("c-binh", RaiseHand())
    assert of_type(out, Hands)[0].message == Hands(queue=("p3",))
    assert of_type(out, Hands)[0].conn_ids == ("c-chair", "c-anh", "c-binh")
    room.handle("c-anh", RaiseHand())
    room.handle("c-chair", RaiseHand())
    assert room.handle("c-binh", RaiseHand()) == ()  # raising twice keeps the place
    assert room.hands() == Hands(queue=("p3", "p2", "p1"))
    assert [p.hand_raised for p in room.participants().participants] == [True, True, True]
    out = room.handle("c-chair", LowerHandOf(participant_id="p3"))
    assert of_type(out, Hands)[0].message == Hands(queue=("p2", "p1"))
    assert room.handle("c-chair", LowerHandOf(participant_id="p3")) == ()
    room.handle("c-anh", LowerHand())
    assert room.handle("c-anh", LowerHand()) == ()
    assert room.hands() == Hands(queue=("p1",))
    room.handle("c-anh", RaiseHand())  # back of the queue
    assert room.hands() == Hands(queue=("p1", "p2"))


def test_leaving_drops_the_hand(room: Room) -> None:
    room.handle("c-anh", RaiseHand())
    out = room.handle("c-anh", Leave())
    assert of_type(out, Hands)[0].message == Hands(queue=())
    assert all("c-anh" not in o.conn_ids for o in out)
    assert [p.id for p in last_presence(out, room).participants] == ["p1"]


# --- mute, audio-only, speaking, quality ---------------------------------------------------------


def test_mute_unmute_self_and_chair_mutes(room: Room) -> None:
    out = room.handle("c-anh", Mute(kind=MediaKind.VIDEO))
    anh = last_presence(out, room).participants[1]
    assert anh.video_muted and not anh.audio_muted
    assert room.handle("c-anh", Mute(kind=MediaKind.VIDEO)) == ()
    out = room.handle("c-chair", MuteParticipant(participant_id="p2", kind=MediaKind.AUDIO))
    assert last_presence(out, room).participants[1].audio_muted
    out = room.handle("c-anh", Unmute(kind=MediaKind.AUDIO))
    assert not last_presence(out, room).participants[1].audio_muted


def test_audio_only_mutes_video(room: Room) -> None:
    out = room.handle("c-anh", AudioOnly(on=True))
    assert last_presence(out, room).participants[1].video_muted
    assert room.handle("c-anh", AudioOnly(on=True)) == ()
    r = new_room()
    r.join("c-chair", CHAIR, join_msg(audio_only=True))
    assert r.participants().participants[0].video_muted


def test_screen_sharing_needs_the_chairs_leave_and_one_presenter_at_a_time(room: Room) -> None:
    assert room.participants().participants[0].screen_allowed  # a chair may always share
    assert not room.participants().participants[1].screen_allowed
    assert refused(room, "c-anh", ShareScreen(on=True)) is ErrorCode.FORBIDDEN
    assert refused(room, "c-anh", AllowScreen(participant_id="p1", on=True)) is (
        ErrorCode.FORBIDDEN  # a chair action
    )
    out = room.handle("c-chair", AllowScreen(participant_id="p2", on=True))
    assert last_presence(out, room).participants[1].screen_allowed
    assert room.handle("c-chair", AllowScreen(participant_id="p2", on=True)) == ()
    out = room.handle("c-anh", ShareScreen(on=True))
    assert last_presence(out, room).participants[1].sharing_screen
    assert room.screen_presenter == "p2"
    assert room.handle("c-anh", ShareScreen(on=True)) == ()
    # the chair cannot share over Anh: the name of who shares is in the refusal
    with pytest.raises(ProtocolError) as busy:
        room.handle("c-chair", ShareScreen(on=True))
    assert busy.value.code is ErrorCode.CONFLICT and ANH.display_name in busy.value.text.vi
    out = room.handle("c-anh", ShareScreen(on=False))
    assert not last_presence(out, room).participants[1].sharing_screen
    assert room.screen_presenter is None
    room.handle("c-anh", ShareScreen(on=True))
    # withdrawing the leave stops the share at once
    out = room.handle("c-chair", AllowScreen(participant_id="p2", on=False))
    anh = last_presence(out, room).participants[1]
    assert not anh.screen_allowed and not anh.sharing_screen
    assert room.screen_presenter is None
    assert refused(room, "c-anh", ShareScreen(on=True)) is ErrorCode.FORBIDDEN
    assert room.handle("c-chair", ShareScreen(on=True)) != ()
    assert room.screen_presenter == "p1"


def test_a_share_ends_with_its_connection(room: Room) -> None:
    room.handle("c-chair", AllowScreen(participant_id="p2", on=True))
    room.handle("c-anh", ShareScreen(on=True))
    # a new tab of the same account replaces the connection that captured the screen
    room.join("c-anh-2", ANH, join_msg())
    anh = room.participants().participants[1]
    assert anh.screen_allowed and not anh.sharing_screen  # the leave stays, the share not
    room.handle("c-anh-2", ShareScreen(on=True))
    # a dropped link (kept in the room for the grace) ends the share at once: others may share
    out = room.set_lost("p2", "2026-12-03T02:15:00+00:00")
    assert not last_presence(out, room).participants[1].sharing_screen
    assert room.screen_presenter is None
    room.handle("c-chair", ShareScreen(on=True))
    room.handle("c-chair", ShareScreen(on=False))
    room.join("c-anh-3", ANH, join_msg())  # back within the grace: allowed, not sharing
    room.handle("c-anh-3", ShareScreen(on=True))
    room.disconnect("c-anh-3")
    assert room.screen_presenter is None
    room.join("c-binh", BINH, join_msg())
    assert refused(room, "c-chair", AllowScreen(participant_id="p3", on=True)) is (
        ErrorCode.OUT_OF_TURN  # in the lobby
    )
    assert refused(room, "c-chair", AllowScreen(participant_id="p9", on=True)) is (
        ErrorCode.NOT_FOUND
    )


def test_many_drops_at_once_are_one_presence_delta(room: Room) -> None:
    """Issue 15: links that fall together (lost, and the grace ends of others) reach each one
    left as one ``presence`` delta, not one per drop."""
    for conn, who in (("c-binh", BINH), ("c-cuong", CUONG)):
        room.join(conn, who, join_msg())
        room.handle("c-chair", Admit(participant_id=pid(room, conn)))
    at = "2026-12-03T02:15:00+00:00"
    out = room.drop_many({"p2": at, "p3": at, "p9": at}, ["c-cuong", "c-unknown"])
    deltas = [o for o in out if isinstance(o.message, Presence)]
    assert len(deltas) == 1 and set(deltas[0].conn_ids) == {"c-chair", "c-anh", "c-binh"}
    delta = deltas[0].message
    assert isinstance(delta, Presence) and delta.version == room.presence_version
    assert delta.left == ("p4",) and [p.id for p in delta.changed] == ["p2", "p3"]
    assert all(p.lost_at == at for p in delta.changed)
    assert room.drop_many({"p2": at}, []) == ()  # told already: nothing new


def test_speaking_and_quality(room: Room) -> None:
    out = room.set_speaking(["p2", "p99", "p2", "p1"])
    assert [o.message for o in out] == [Speaking(participant_ids=("p2", "p1"))]
    assert room.set_speaking(["p2", "p1"]) == ()
    assert [p.speaking for p in room.participants().participants] == [True, True]
    out = room.set_quality("p2", Quality.POOR)
    assert last_presence(out, room).participants[1].quality is Quality.POOR
    assert room.set_quality("p2", Quality.POOR) == ()
    out = room.handle("c-anh", Leave())
    assert Speaking(participant_ids=("p1",)) in [o.message for o in out]


def test_current_item_placeholder(room: Room) -> None:
    out = room.set_current_item("Học tập Chỉ thị 50-CT/TW")
    assert [o.message for o in out] == [
        MeetingState(locked=False, current_item="Học tập Chỉ thị 50-CT/TW")
    ]
    assert room.set_current_item("Học tập Chỉ thị 50-CT/TW") == ()
    with pytest.raises(ProtocolError):
        room.set_current_item("x" * 201)
    assert room.meeting_state().current_item == "Học tập Chỉ thị 50-CT/TW"


# --- reconnect and A1 ----------------------------------------------------------------------------


def test_reconnect_replaces_the_old_connection(room: Room) -> None:
    room.handle("c-anh", RaiseHand())
    room.handle("c-anh", Mute(kind=MediaKind.AUDIO))
    out = room.join("c-anh-2", ANH, join_msg())
    (replaced,) = of_type(out, Removed)
    assert replaced.conn_ids == ("c-anh",) and replaced.close
    assert replaced.message == Removed(reason=tr("media.removed.replaced"), replaced=True)
    assert [type(m) for m in to_conn(out, "c-anh-2")][:2] == [Welcome, Admitted]
    assert room.participant_id("c-anh") is None
    assert room.participant_id("c-anh-2") == "p2"  # same participant, no duplicate
    people = room.participants().participants
    assert [p.id for p in people] == ["p1", "p2"]
    assert people[1].hand_raised and people[1].audio_muted
    assert room.counted_members() == {CHAIR.user_id, ANH.user_id}
    assert all(
        "c-anh" not in o.conn_ids for o in of_type(out, Participants) + of_type(out, Presence)
    )
    # the old connection closing afterwards changes nothing
    assert room.disconnect("c-anh") == ()
    assert room.is_admitted("c-anh-2")


def test_reconnect_from_the_lobby_stays_in_the_lobby() -> None:
    r = new_room()
    r.join("c-chair", CHAIR, join_msg())
    r.join("c-anh", ANH, join_msg())
    out = r.join("c-anh-2", ANH, join_msg())
    assert [type(m) for m in to_conn(out, "c-anh-2")] == [Welcome, Lobby]
    assert r.waiting().participants[0].id == "p2" and len(r.waiting().participants) == 1


def test_rejoin_after_a_dropped_link_is_admitted_again(room: Room) -> None:
    out = room.disconnect("c-anh")  # the link drops; auto-admit is off in this meeting
    assert [p.id for p in last_presence(out, room).participants] == ["p1"]
    assert room.counted_members() == {CHAIR.user_id}
    out = room.join("c-anh-2", ANH, join_msg())
    assert [type(m) for m in to_conn(out, "c-anh-2")][:2] == [Welcome, Admitted]
    assert room.counted_members() == {CHAIR.user_id, ANH.user_id}


def test_disconnect_then_rejoin_of_admitted_member_in_locked_meeting_waits() -> None:
    r = new_room(auto_admit=True)
    r.join("c-chair", CHAIR, join_msg())
    r.join("c-anh", ANH, join_msg())
    r.handle("c-chair", LockMeeting())
    r.disconnect("c-anh")
    assert r.counted_members() == {CHAIR.user_id}
    r.join("c-anh-2", ANH, join_msg())
    assert not r.is_admitted("c-anh-2")


def test_room_device_and_observers_are_never_counted(room: Room) -> None:
    room.join("c-hall", DEVICE, join_msg())
    room.join("c-obs", OBSERVER, join_msg())
    room.handle("c-chair", Admit(participant_id=pid(room, "c-obs")))
    kinds = {p.id: (p.role, p.kind) for p in room.participants().participants}
    assert kinds[pid(room, "c-hall")] == (RoomRole.ROOM_DEVICE, PresenceKind.ROOM_DEVICE)
    assert kinds[pid(room, "c-obs")] == (RoomRole.OBSERVER, PresenceKind.ONLINE)
    assert room.counted_members() == {CHAIR.user_id, ANH.user_id}


def test_observers_and_room_device_may_not_vote(room: Room) -> None:
    room.join("c-hall", DEVICE, join_msg())
    room.join("c-obs", OBSERVER, join_msg())
    room.handle("c-chair", Admit(participant_id=pid(room, "c-obs")))
    room.check_in("u-cuong")
    votes = {p.display_name: room.may_vote(p.id) for p in room.participants().participants}
    assert votes == {
        CHAIR.display_name: True,
        ANH.display_name: True,
        DEVICE.display_name: False,
        OBSERVER.display_name: False,
        CUONG.display_name: True,
    }
    room.join("c-binh", BINH, join_msg())  # in the lobby: not present
    assert not room.may_vote(pid(room, "c-binh"))
    assert not room.may_vote("p99")


def test_check_in_counts_a_member_once(room: Room) -> None:
    out = room.handle("c-chair", CheckIn(member_id="u-cuong"))
    cuong = last_presence(out, room).participants[-1]
    assert (cuong.display_name, cuong.kind) == (CUONG.display_name, PresenceKind.ROOM)
    assert room.handle("c-chair", CheckIn(member_id="u-cuong")) == ()
    assert room.counted_members() == {CHAIR.user_id, ANH.user_id, CUONG.user_id}
    # Anh is online and also checked in at the hall: still one participant, counted once.
    room.handle("c-chair", CheckIn(member_id="u-anh"))
    assert len(room.participants().participants) == 3
    assert len(room.counted_members()) == 3
    # Cường, checked in, joins from a phone in the hall: admitted directly, same participant.
    out = room.join("c-cuong", CUONG, join_msg())
    assert Admitted(meeting_id=MEETING) in to_conn(out, "c-cuong")
    assert room.participant_id("c-cuong") == cuong.id
    assert len(room.participants().participants) == 3
    # Leaving the online connection keeps him present in the hall.
    out = room.handle("c-cuong", Leave())
    assert last_presence(out, room).participants[-1].kind is PresenceKind.ROOM
    assert CUONG.user_id in room.counted_members()
    out = room.handle("c-chair", CheckOut(member_id="u-cuong"))
    assert [p.id for p in last_presence(out, room).participants] == ["p1", "p2"]
    assert room.counted_members() == {CHAIR.user_id, ANH.user_id}
    # Anh checked out of the hall stays online.
    room.handle("c-chair", CheckOut(member_id="u-anh"))
    assert room.counted_members() == {CHAIR.user_id, ANH.user_id}


def test_room_check_in_by_code_uses_the_same_path() -> None:
    r = new_room()
    out = r.check_in("u-binh")
    assert out == ()  # nobody online to tell
    assert r.counted_members() == {BINH.user_id}


# --- removal -------------------------------------------------------------------------------------


def test_chair_removes_a_participant(room: Room) -> None:
    room.handle("c-anh", RaiseHand())
    out = room.handle(
        "c-chair", RemoveParticipant(participant_id="p2", reason="Mất trật tự cuộc họp")
    )
    (gone,) = of_type(out, Removed)
    assert gone.conn_ids == ("c-anh",) and gone.close
    assert gone.message == Removed(reason=tr("media.removed.reason", reason="Mất trật tự cuộc họp"))
    assert of_type(out, Hands)[0].message == Hands(queue=())
    assert [p.id for p in last_presence(out, room).participants] == ["p1"]
    assert of_type(out, Presence)[-1].conn_ids == ("c-chair",)
    assert of_type(out, Presence)[-1].message == Presence(
        version=room.presence_version, left=("p2",)
    )
    assert room.participant_id("c-anh") is None
    assert room.counted_members() == {CHAIR.user_id}
    assert refused(room, "c-anh", RaiseHand()) is ErrorCode.OUT_OF_TURN


def test_chair_removes_a_member_checked_in_at_the_hall(room: Room) -> None:
    room.handle("c-chair", CheckIn(member_id="u-cuong"))
    out = room.handle("c-chair", RemoveParticipant(participant_id="p3"))
    assert of_type(out, Removed) == []  # nobody online to tell
    assert room.counted_members() == {CHAIR.user_id, ANH.user_id}


def test_disconnect_of_unknown_connection_is_a_no_op(room: Room) -> None:
    assert room.disconnect("c-unknown") == ()


def test_a_bad_ice_server_list_leaves_no_half_join() -> None:
    r = new_room()
    servers = [IceServer(urls=("stun:s:3478",))] * 9
    with pytest.raises(ProtocolError):
        r.join("c-anh", ANH, join_msg(), ice_servers=servers)
    assert r.participant_id("c-anh") is None
    out = r.join("c-anh", ANH, join_msg())
    assert isinstance(out[0].message, Welcome) and out[0].message.participant_id == "p1"


def test_identity_is_checked() -> None:
    with pytest.raises(ProtocolError):
        Identity("u 1", "Tên", Role.MEMBER, cell_member=True)
    with pytest.raises(ProtocolError):
        Identity("u1", "Tên\nxuống dòng", Role.MEMBER, cell_member=True)


# --- property: any sequence of operations keeps the invariants ---------------------------------

CONNS = ["c1", "c2", "c3", "c4", "c5", "c6"]
WHO = [CHAIR, DEPUTY, ANH, BINH, GUEST, OBSERVER, DEVICE]
TARGETS = ["p1", "p2", "p3", "p4", "p5", "p9"]

actions = st.one_of(
    st.tuples(st.just("join"), st.sampled_from(CONNS), st.sampled_from(WHO)),
    st.tuples(st.just("disconnect"), st.sampled_from(CONNS)),
    st.tuples(st.just("check_in"), st.sampled_from(sorted(PEOPLE))),
    st.tuples(
        st.just("handle"),
        st.sampled_from(CONNS),
        st.one_of(
            st.sampled_from(
                [
                    RaiseHand(),
                    LowerHand(),
                    Leave(),
                    LockMeeting(),
                    UnlockMeeting(),
                    Mute(kind=MediaKind.AUDIO),
                    Unmute(kind=MediaKind.AUDIO),
                    AudioOnly(on=True),
                    Offer(sdp="v=0"),
                    Ping(),
                    CheckOut(member_id="u-binh"),
                    AdmitAll(),
                    ShareScreen(on=True),
                    ShareScreen(on=False),
                ]
            ),
            st.builds(AllowScreen, participant_id=st.sampled_from(TARGETS), on=st.booleans()),
            st.builds(Admit, participant_id=st.sampled_from(TARGETS)),
            st.builds(Deny, participant_id=st.sampled_from(TARGETS)),
            st.builds(RemoveParticipant, participant_id=st.sampled_from(TARGETS)),
            st.builds(LowerHandOf, participant_id=st.sampled_from(TARGETS)),
            st.builds(
                MuteParticipant,
                participant_id=st.sampled_from(TARGETS),
                kind=st.sampled_from(MediaKind),
            ),
            st.builds(CheckIn, member_id=st.sampled_from(sorted(PEOPLE))),
        ),
    ),
)


def _snapshot(r: Room) -> tuple[object, ...]:
    return (r.participants(), r.waiting(), r.hands(), r.meeting_state(), r.counted_members())


@given(st.booleans(), st.lists(actions, max_size=40))
@settings(max_examples=300, deadline=None)  # 40 steps, each checked whole: ~30 ms, 270 under load
def test_any_sequence_keeps_the_room_consistent(
    auto: bool, steps: list[tuple[object, ...]]
) -> None:
    r = new_room(auto_admit=auto)
    live: set[str] = set()
    views: dict[str, View] = {}  # what each connection's client holds
    for step in steps:
        before = _snapshot(r)
        try:
            match step:
                case ("join", str(conn), Identity() as who):
                    out = r.join(conn, who, join_msg())
                case ("disconnect", str(conn)):
                    out = r.disconnect(conn)
                case ("check_in", str(uid)):
                    out = r.check_in(uid)
                case ("handle", str(conn), msg):
                    assert isinstance(msg, CLIENT_MESSAGE_TYPES)
                    out = r.handle(conn, msg)
                case _:
                    raise AssertionError(step)
        except ProtocolError:
            assert _snapshot(r) == before  # a refusal changes nothing
            continue
        closed = {c for o in out if o.close for c in o.conn_ids}
        live = {c for c in CONNS if r.participant_id(c) is not None}
        for o in out:
            for c in o.conn_ids:
                if isinstance(o.message, Welcome):
                    views[c] = View()  # a new socket: a new client
                views.setdefault(c, View()).apply(o.message)
        for c in live:  # deltas keep every admitted client's presence equal to the room's
            if r.is_admitted(c):
                assert views[c].participants() == r.participants()
        for o in out:  # messages go to live connections, or to the one just closed
            assert isinstance(o.message, Pong) or set(o.conn_ids) <= live | closed
        people = r.participants().participants
        ids = [p.id for p in people]
        assert len(ids) == len(set(ids))
        names = [p.display_name for p in people]
        assert len(names) == len(set(names))  # A1: one entry per account
        assert set(r.hands().queue) <= set(ids)
        assert not {w.id for w in r.waiting().participants} & {
            p.id for p in people if p.kind is PresenceKind.ONLINE
        }
        counted = r.counted_members()
        assert counted <= {i.user_id for i in PEOPLE.values() if i.cell_member}
        assert len(counted) <= len([p for p in people if p.role is not RoomRole.ROOM_DEVICE])
        sharing = [p for p in people if p.sharing_screen]  # one presenter, allowed, online
        assert len(sharing) <= 1
        assert all(p.screen_allowed and p.kind is PresenceKind.ONLINE for p in sharing)
        assert r.screen_presenter == (sharing[0].id if sharing else None)
    assert live == {c for c in CONNS if r.participant_id(c) is not None}


def test_room_rebuilt_with_a_stored_lock_starts_locked() -> None:
    r = Room(RoomSettings(meeting_id=MEETING, auto_admit_members=True, locked=True))
    assert r.locked and r.meeting_state() == MeetingState(locked=True)
    r.join("c-anh", ANH, join_msg())
    assert not r.is_admitted("c-anh")
