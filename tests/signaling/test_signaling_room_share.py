"""The room's part in chat, presenting a document and the lost state (pure, no server)."""

from __future__ import annotations

import pytest

from policy.error_codes import ErrorCode, ProtocolError
from signaling.protocol import (
    Admit,
    Chat,
    ChatMessage,
    Participants,
    Present,
    Presenting,
    Quality,
    StopPresenting,
)
from signaling.room import Audience, Identity, Room
from tests.signaling.test_signaling_room import (
    ANH,
    BINH,
    CHAIR,
    DEVICE,
    join_msg,
    new_room,
    to_conn,
)

SHOWN = Presenting(document_id=7, filename="Du-thao.pdf", page=2, pages=5)


def seated(room: Room) -> None:
    """The chair (c1), two members admitted (c2, c3) and the hall's device (c4)."""
    room.join("c1", CHAIR, join_msg())
    for conn, who in (("c2", ANH), ("c3", BINH)):
        room.join(conn, who, join_msg())
        pid = room.participant_id(conn)
        assert pid is not None
        room.handle("c1", Admit(participant_id=pid))
    room.join("c4", DEVICE, join_msg())


def test_chat_is_for_those_admitted_and_not_the_hall_device() -> None:
    room = new_room()
    seated(room)
    assert room.handle("c2", Chat(text="xin chào")) == ()  # the server stores, then broadcasts
    with pytest.raises(ProtocolError) as err:
        room.handle("c4", Chat(text="hội trường"))
    assert err.value.code is ErrorCode.FORBIDDEN
    room.join("c5", Identity("u-x", "Người chờ", BINH.role, cell_member=True), join_msg())
    with pytest.raises(ProtocolError) as err:
        room.handle("c5", Chat(text="trong phòng chờ"))
    assert err.value.code is ErrorCode.OUT_OF_TURN
    posted = ChatMessage(
        id=1,
        participant_id="p2",
        display_name=ANH.display_name,
        text="xin chào",
        sent_at="2026-12-03T02:15:07+00:00",
    )
    (out,) = room.chat_posted(posted)
    assert out.audience is Audience.ADMITTED and set(out.conn_ids) == {"c1", "c2", "c3", "c4"}


def test_presenting_is_a_chair_action_told_to_everyone_and_to_late_joiners() -> None:
    room = new_room()
    seated(room)
    with pytest.raises(ProtocolError) as err:
        room.handle("c2", Present(document_id=7, page=2))
    assert err.value.code is ErrorCode.FORBIDDEN
    assert room.handle("c1", Present(document_id=7, page=2)) == ()  # checked by the server
    (out,) = room.set_presenting(SHOWN)
    assert out.message == SHOWN and set(out.conn_ids) == {"c1", "c2", "c3", "c4"}
    assert room.set_presenting(SHOWN) == ()  # the same page: nothing to tell
    # a member admitted now gets the page everyone sees
    late = Identity("u-late", "Vào muộn", BINH.role, cell_member=True)
    room.join("c6", late, join_msg())
    pid = room.participant_id("c6")
    assert pid is not None
    assert SHOWN in to_conn(room.handle("c1", Admit(participant_id=pid)), "c6")
    assert room.handle("c1", StopPresenting()) == ()
    (stopped,) = room.set_presenting(None)
    assert stopped.message == Presenting(document_id=None) and room.presenting is None


def test_a_dropped_participant_is_lost_until_they_rejoin() -> None:
    room = new_room()
    seated(room)
    pid = room.participant_id("c2")
    assert pid is not None
    outs = room.set_lost(pid, "2026-12-03T02:16:40+00:00")
    (entry,) = [p for o in outs for p in getattr(o.message, "changed", ())]
    assert (entry.id, entry.lost_at, entry.quality) == (
        pid,
        "2026-12-03T02:16:40+00:00",
        Quality.POOR,
    )
    assert room.set_lost(pid, "2026-12-03T02:16:40+00:00") == ()
    out = room.join("c7", ANH, join_msg())  # back within the grace: the same participant
    assert room.participant_id("c7") == pid
    (snapshot,) = [m for m in to_conn(out, "c7") if isinstance(m, Participants)]
    assert [p.lost_at for p in snapshot.participants if p.id == pid] == [None]
