"""One meeting in progress in this process: its room, its media relay and its attendance.

The room (``signaling.room``) decides; this module carries its outputs to the WebSockets, the
SDP to the relay and the relay's events back to the room. Everything runs on one event loop.

Who is in the hall is the hall records' to say (open room intervals, A1): the room loads them when
the meeting starts here and again after every change, made here or announced on the bus by
another process (:mod:`server.meeting.live_attendance`).

When the chair closes the meeting it ends (:meth:`LiveMeeting.end`): everyone connected gets
``meeting_ended`` and a normal close, in this process and, told on the same bus channel, in any
other.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import io
import logging
import struct
import uuid
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import WSCloseCode, web

from policy.error_codes import ErrorCode, ProtocolError
from policy.i18n import tr
from server.audit import AuditLog
from server.config import MediaSettings
from server.errors import AppError
from server.leases import Leases
from server.media import ice
from server.media.recorder import MeetingRecorder
from server.media.relay import (
    ActiveSpeakers,
    MeetingRelay,
    PeerStateChanged,
    RelayConfig,
    RelayEvent,
    SlotsChanged,
    UnknownParticipantError,
)
from server.media.shards import ShardedRelay, WorkerPool
from server.meeting import live_share
from server.meeting.admission import (
    Attendee,
    MeetingInfo,
    member_id_of,
    remember_admission,
    remember_admissions,
    require_live,
    room_admissions,
    user_id_of,
)
from server.meeting.journal import AuditJournal
from server.meeting.live_attendance import (
    CLOSED_NOTICE,
    Attendance,
    announce_hall,
    hall_channel,
    hall_members,
    notice_kind,
    record_hall,
)
from server.storage.db import Database
from signaling.bus import Bus, BusClosed, BusOverflow, Subscription
from signaling.codec import compose
from signaling.protocol import (
    Admit,
    AdmitAll,
    AllowScreen,
    Answer,
    AudioOnly,
    Chat,
    CheckIn,
    CheckOut,
    ClientMessage,
    Deny,
    ErrorMessage,
    IceCandidate,
    IceServer,
    Join,
    Leave,
    LinkLevel,
    MediaKind,
    MeetingEnded,
    MuteParticipant,
    Offer,
    Present,
    Quality,
    RemoveParticipant,
    RoomRole,
    ServerMessage,
    ShareScreen,
    SlotCounts,
    SlotMap,
    StopPresenting,
    Unmute,
    dump_message,
)
from signaling.room import Audience, Identity, Outgoing, Room, RoomSettings, outgoing_to_dict

log = logging.getLogger(__name__)


def _kind(kind: MediaKind) -> Literal["audio", "video"]:
    return "audio" if kind is MediaKind.AUDIO else "video"


#: drops and grace ends this close together are told to the others as one presence delta
DROPS_TOLD_WITHIN = 0.05

#: a connection's outbox (bytes queued, not yet written to its socket) above which presence
#: messages are no longer queued but coalesced: one resynchronisation (snapshot, hands,
#: speakers, lobby) is sent once the outbox has drained (issue #15)
OUTBOX_SOFT_BYTES = 256 * 1024
#: above this even with presence coalesced (the chair's actions and the vote state are never
#: dropped), the client stays behind: it is disconnected (1013) and resynchronises on rejoin
OUTBOX_HARD_BYTES = 2 * 1024 * 1024
#: a frame is written straight to the socket (no queue, no task switch) while the outbox is
#: empty and the transport holds less than this not yet sent: the socket keeps up
DIRECT_WRITE_BYTES = 64 * 1024
#: message types that carry state resent whole by a resynchronisation: coalesced when behind
COALESCED_TYPES = frozenset({"participants", "presence", "speaking", "hands", "waiting"})
#: the relay's peer connection state shown to the others as link quality
_QUALITY = {
    "connected": Quality.GOOD,
    "connecting": Quality.FAIR,
    "new": Quality.UNKNOWN,
    "disconnected": Quality.POOR,
    "failed": Quality.POOR,
}
#: the chair's mark of a connected participant: what the relay's adaptation sends it
_LINK_QUALITY = {
    "full": Quality.GOOD,
    "fewer_videos": Quality.FAIR,
    "low_frame_rate": Quality.FAIR,
    "audio_only": Quality.POOR,
}


def _link_level(link: str) -> LinkLevel:
    match link:
        case "fewer_videos" | "low_frame_rate" | "audio_only":
            return link
    return "full"


_PRESENCE_TYPES = frozenset(
    {"participants", "presence", "waiting", "hands", "meeting_state", "speaking"}
)
#: after losing the bus, wait this long before subscribing again (seconds)
BUS_RETRY_SECONDS = 1.0


def text_frame(payload: bytes) -> bytes:
    """``payload`` as one unmasked, uncompressed WebSocket text frame (RFC 6455 §5.2), as a
    server sends it: built once for a broadcast, written as is to every socket that keeps up."""
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x81, n)
    elif n < 65536:
        header = struct.pack("!BBH", 0x81, 126, n)
    else:
        header = struct.pack("!BBQ", 0x81, 127, n)
    return header + payload


@dataclass(eq=False, slots=True)
class Connection:
    """One WebSocket of one participant; frames leave in order through the outbox, which is
    bounded in bytes with a slow-consumer policy (:data:`OUTBOX_SOFT_BYTES`,
    :data:`OUTBOX_HARD_BYTES`): presence is coalesced, nothing else is dropped, and a client
    that stays behind is disconnected (1013: it reconnects and gets the state again)."""

    ws: web.WebSocketResponse
    attendee: Attendee
    #: the socket's transport (the request's), for frames written straight to it; without it
    #: (not prepared) everything goes through the outbox
    transport: asyncio.BaseTransport | None = None
    conn_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    closing: bool = False  # the server decided to close it (removed, denied, replaced, shutdown)
    #: the state to send after presence was coalesced (set by the live meeting at ``join``)
    resync: Callable[[Connection], Iterable[ServerMessage]] | None = None
    outbox: collections.deque[tuple[str | None, int, int | None]] = field(
        default_factory=collections.deque
    )
    queued_bytes: int = 0
    stale: bool = False  # presence was coalesced: a resynchronisation is owed
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    def send(self, msg: ServerMessage) -> None:
        text = dump_message(msg)
        self.send_text(msg.type, text, len(text.encode()))

    def send_text(self, kind: str, text: str, size: int, frame: bytes | None = None) -> None:
        """Send a message already serialised (a broadcast is serialised and framed once for
        all): written straight to the socket if it keeps up, else queued in the outbox."""
        if self.closing:
            return  # the close is queued: nothing after it is sent
        if kind in COALESCED_TYPES and (self.stale or self.queued_bytes > OUTBOX_SOFT_BYTES):
            self.stale = True
            return
        if self._write_now(text, frame):
            return
        if self.queued_bytes + size > OUTBOX_HARD_BYTES:
            log.info("connection %s stays behind: disconnected to resynchronise", self.conn_id)
            self.outbox.clear()
            self.queued_bytes = 0
            self.close(WSCloseCode.TRY_AGAIN_LATER)
            return
        self.outbox.append((text, size, None))
        self.queued_bytes += size
        self._wake.set()

    def _write_now(self, text: str, frame: bytes | None) -> bool:
        """Write the frame to the transport at once if nothing waits before it and the socket
        keeps up (the transport holds less than :data:`DIRECT_WRITE_BYTES`); whether it did."""
        transport = self.transport
        if (
            self.outbox
            or self.stale
            or transport is None
            or not isinstance(transport, asyncio.WriteTransport)
            or transport.is_closing()
            or self.ws.closed
            or transport.get_write_buffer_size() >= DIRECT_WRITE_BYTES
        ):
            return False
        transport.write(frame if frame is not None else text_frame(text.encode()))
        return True

    def close(self, code: int = WSCloseCode.POLICY_VIOLATION) -> None:
        if not self.closing:
            self.closing = True
            self.outbox.append((None, 0, code))
            self._wake.set()

    def _resynchronise(self) -> None:
        self.stale = False
        if self.resync is None or self.closing:
            return
        for msg in self.resync(self):
            text = dump_message(msg)
            size = len(text.encode())
            self.outbox.append((text, size, None))
            self.queued_bytes += size

    async def pump(self) -> None:
        """Write the outbox to the socket until a close is due (the connection's writer task)."""
        while True:
            while not self.outbox:
                if self.stale:
                    self._resynchronise()
                    continue
                self._wake.clear()
                await self._wake.wait()
            text, size, code = self.outbox.popleft()
            self.queued_bytes -= size
            if text is not None:
                try:
                    await self.ws.send_str(text)
                except (ConnectionError, RuntimeError):
                    return
            if code is not None:
                await self.ws.close(code=code)
                return


@dataclass(slots=True)
class _Batch:
    """Outputs of one room operation, in the meeting's delivery order."""

    outs: list[Outgoing]
    ready: bool = False


@dataclass(slots=True)
class _Dropped:
    """A participant whose socket fell without ``leave``: kept in the room for the grace."""

    conn_id: str
    timer: asyncio.Task[None]


class LiveMeeting:
    def __init__(
        self,
        info: MeetingInfo,
        *,
        db: Database,
        audit: AuditLog,
        bus: Bus,
        media: MediaSettings,
        directory: dict[str, Identity],
        on_ended: Callable[[LiveMeeting], None] | None = None,
        on_idle: Callable[[LiveMeeting], None] | None = None,
        journal: AuditJournal | None = None,
        leases: Leases,
        relay_pool: WorkerPool | None = None,
    ) -> None:
        """``on_ended``: called when a notice on the bus says the meeting was closed, before it
        ends here (the registry forgets it). ``on_idle``: called when the last connection or
        grace period here ended (the registry releases it: subscription, relay, tasks)."""
        self.info = info
        self._on_ended = on_ended
        self._on_idle = on_idle
        self._db = db
        self._audit = audit
        self._leases = leases
        #: joins, leaves and the chair's actions, audited in batches (the hall: ``_audit``)
        self._journal: AuditJournal | AuditLog = journal if journal is not None else audit
        self._bus = bus
        self._media = media
        self.channel = f"meeting:{info.id}"
        self.hall_channel = hall_channel(info.id)
        now = dt.datetime.now(dt.UTC)
        self.room = Room(
            RoomSettings(
                meeting_id=str(info.id),
                group_meeting=info.group_meeting,
                slots=SlotCounts(audio=media.audio_slots, video=media.video_slots, screen=1),
            ),
            directory.get,
        )
        relay_config = RelayConfig(
            video_slots=media.video_slots,
            audio_slots=media.audio_slots,
            add_loopback_candidate=media.loopback_candidate,
            ice_servers=ice.ice_servers(media, "relay", now),
            opus_fec=media.opus_fec,
            audio_red=media.audio_red,
            audio_nack=media.audio_nack,
            adaptation=media.adaptation,
        )
        #: in this process, or over the relay workers (``media.workers``, docs/media.md)
        self._relay: MeetingRelay | ShardedRelay = (
            MeetingRelay(relay_config, self._on_relay_event)
            if relay_pool is None
            else relay_pool.relay(str(info.id), relay_config, self._on_relay_event)
        )
        self.attendance = Attendance(
            db,
            info.id,
            media.reconnect_grace_seconds,
            on_settled=self._check_idle,
            leases=leases,
            audit=audit,
        )
        self._conns: dict[str, Connection] = {}
        self._pid_conn: dict[str, str] = {}  # participant id → conn id (held here)
        self._pid_user: dict[str, Attendee] = {}
        self._audio_only: dict[str, bool] = {}
        self._dropped: dict[str, _Dropped] = {}  # by participant id
        # drops and grace ends not yet told (:meth:`_tell_drops`): participant id → when lost;
        # participant id → the connection whose grace ended
        self._losing: dict[str, str] = {}
        self._expiring: dict[str, str] = {}
        self._telling: asyncio.Task[None] | None = None
        #: the relay's peer connection state and link quality (adaptation) per participant
        self._peer_state: dict[str, str] = {}
        self._link_quality: dict[str, Quality] = {}
        self._in_relay: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._order: collections.deque[_Batch] = collections.deque()  # see _reserve
        self._recorder: MeetingRecorder | None = None
        self._hall_lock = asyncio.Lock()
        self._hall_sub: Subscription | None = None
        self.closed = False
        self._last: tuple[ServerMessage, int] | None = None  # told to each socket at the close

    # ------------------------------------------------------------------ queries

    @property
    def relay(self) -> MeetingRelay:
        """The relay in this process (the recorder, metrics, tests); ``RuntimeError`` when the
        meeting's media runs over relay workers (``media.workers``; :attr:`sharded_relay`)."""
        if not isinstance(self._relay, MeetingRelay):
            raise RuntimeError("the relay runs in worker processes (media.workers > 0)")
        return self._relay

    @property
    def sharded_relay(self) -> ShardedRelay | None:
        return self._relay if isinstance(self._relay, ShardedRelay) else None

    @property
    def idle(self) -> bool:
        return not self._conns and not self._dropped and not self._expiring and self.attendance.idle

    def _check_idle(self) -> None:
        """Tell the registry once nobody is connected and no grace period runs here."""
        if self.idle and not self.closed and self._on_idle is not None:
            self._on_idle(self)

    def _resync(self, conn: Connection) -> tuple[ServerMessage, ...]:
        return () if self.closed else self.room.resync(conn.conn_id)

    def participant_of(self, conn: Connection) -> str | None:
        return self.room.participant_id(conn.conn_id)

    def connection_of(self, participant_id: str) -> Connection | None:
        """The socket held here for a participant (operators' tools and tests)."""
        return self._conns.get(self._pid_conn.get(participant_id, ""))

    def _pid_of_conn(self, conn: Connection) -> str:
        return next((p for p, c in self._pid_conn.items() if c == conn.conn_id), "")

    # ------------------------------------------------------------------ the hall (A1)

    async def start(self) -> None:
        """Follow the hall and closed notices on the bus, then check the meeting is still open
        and load who is already checked in. Subscribed first, so that no change made meanwhile
        is missed: a close committed by another process before the subscription is seen here
        (:class:`ProtocolError` ``conflict``), one after it arrives as a notice."""
        try:
            self._hall_sub = await self._bus.subscribe(self.hall_channel)
        except Exception:
            log.exception("meeting %s: no bus; other processes' check-ins come late", self.info.id)
        else:
            self._spawn(self._follow_hall(self._hall_sub))
        try:
            await require_live(self._db, self.info.id)
            # rebuilt after a lost process: the chair's decisions hold (nobody back to the lobby)
            self.room.restore_admissions(await room_admissions(self._db, self.info.id))
            await self.reload_hall()
        except BaseException:
            await self.close()
            raise

    async def reload_hall(self) -> None:
        """Make the room's hall what the records say; one read and one apply at a time, so the
        last read wins whatever order the notices came in."""
        async with self._hall_lock:
            members = await hall_members(self._db, self.info.id)
            if self.closed:
                return
            outs = self.room.sync_hall(user_id_of(m, 0) for m in members)
            await self._after(outs)

    async def hall_changed(self) -> None:
        """The hall records changed (committed): the room here follows, the others are told."""
        try:
            await self.reload_hall()
        except Exception:
            log.exception("meeting %s: hall records not read", self.info.id)
        await announce_hall(self._bus, self.info.id)

    async def _follow_hall(self, sub: Subscription) -> None:
        """Reload the hall on every hall notice, end the meeting on a closed notice; anything
        else on the channel is logged and ignored. After falling behind or losing the bus,
        subscribe again and reload (the records hold whatever was missed)."""
        while not self.closed:
            try:
                async for payload in sub:
                    kind = notice_kind(payload, self.info.id)
                    if kind is None:
                        log.warning(
                            "meeting %s: ignored a malformed message on %s (%d bytes)",
                            self.info.id,
                            self.hall_channel,
                            len(payload),
                        )
                        continue
                    if kind == CLOSED_NOTICE:
                        await self._ended_elsewhere()
                        return
                    await self._reload_hall_logged()
                return  # closed: the meeting or the bus
            except BusOverflow:
                log.warning("meeting %s: fell behind on %s", self.info.id, self.hall_channel)
            except Exception:
                log.exception("meeting %s: lost %s", self.info.id, self.hall_channel)
                await asyncio.sleep(BUS_RETRY_SECONDS)
            with contextlib.suppress(Exception):
                await sub.aclose()
            again = await self._subscribe_again()
            if again is None:
                return
            sub = again
            await self._reload_hall_logged()

    async def _subscribe_again(self) -> Subscription | None:
        while not self.closed:
            try:
                sub = await self._bus.subscribe(self.hall_channel)
            except BusClosed:
                return None
            except Exception:
                log.exception("meeting %s: cannot subscribe to %s", self.info.id, self.hall_channel)
                await asyncio.sleep(BUS_RETRY_SECONDS)
                continue
            if self.closed:
                await sub.aclose()
                return None
            self._hall_sub = sub
            return sub
        return None

    async def _ended_elsewhere(self) -> None:
        """Another process closed the meeting: end it here too."""
        if self._on_ended is not None:
            self._on_ended(self)
        try:
            await self.end()
        except Exception:
            log.exception("meeting %s: not ended after the closed notice", self.info.id)

    async def _reload_hall_logged(self) -> None:
        try:
            await self.reload_hall()
        except Exception:
            log.exception("meeting %s: hall records not read", self.info.id)

    async def _remember(self, user_id: str, *, admitted: bool) -> None:
        """Keep a chair's admission decision for a room rebuilt elsewhere (logged if not)."""
        try:
            await remember_admission(self._db, self.info.id, user_id, admitted)
        except Exception:
            log.exception("meeting %s: admission decision not recorded", self.info.id)

    async def _record_hall(self, conn: Connection, user_id: str, *, checked_in: bool) -> bool:
        """Write a chair's check-in or check-out as the console would; whether it changed."""
        self.room.require_hall_member(user_id)
        member_id = member_id_of(user_id)
        assert member_id is not None  # the directory holds members only
        try:
            done = await record_hall(
                self._db,
                self._audit,
                self.info.id,
                f"account:{conn.attendee.account_id}",
                [member_id],
                checked_in=checked_in,
                at=dt.datetime.now(dt.UTC),
            )
        except AppError as exc:
            raise ProtocolError(exc.code, exc.message, exc.rules) from None
        await self.hall_changed()
        return bool(done)

    # ------------------------------------------------------------------ entry and exit

    @property
    def connections(self) -> int:
        """Sockets joined to this meeting in this process."""
        return len(self._conns)

    async def join(self, conn: Connection, msg: Join) -> None:
        if self._last is not None:  # ended or shut down since this socket opened
            conn.send(self._last[0])
            conn.close(self._last[1])
            return
        identity = conn.attendee.identity
        servers = tuple(
            IceServer(urls=s.urls, username=s.username, credential=s.credential)
            for s in ice.ice_servers(self._media, identity.user_id, dt.datetime.now(dt.UTC))
        )
        outs = self.room.join(conn.conn_id, identity, msg, servers)
        conn.resync = self._resync
        self._conns[conn.conn_id] = conn
        batch = self._reserve(outs)  # sent once the join is recorded (below)
        pid = self.room.participant_id(conn.conn_id)
        assert pid is not None
        dropped = self._dropped.pop(pid, None)
        if dropped is not None:
            dropped.timer.cancel()
        self._losing.pop(pid, None)  # back before the drop or grace end was told: not told
        self._expiring.pop(pid, None)
        for stale in [
            q for q, a in self._pid_user.items() if a.identity.user_id == identity.user_id
        ]:
            del self._pid_user[stale]
        self._pid_conn[pid] = conn.conn_id
        self._pid_user[pid] = conn.attendee
        self._audio_only[pid] = msg.audio_only
        admitted = self.room.is_admitted(conn.conn_id)
        try:
            await self._journal.record(
                f"account:{conn.attendee.account_id}",
                "meeting.join",
                f"meeting:{self.info.id}",
                {"participant": pid, "role": identity.role.value, "admitted": admitted},
            )
        finally:
            self._release(batch)
        await self._after(())

    async def disconnect(self, conn: Connection) -> None:
        """The socket ended. Without ``leave`` an admitted participant is kept for the grace."""
        self._conns.pop(conn.conn_id, None)
        pid = self.room.participant_id(conn.conn_id)
        if pid is None:
            return
        if self._pid_conn.get(pid) == conn.conn_id:
            del self._pid_conn[pid]
        await self._relay_disconnect(pid)
        if not conn.closing and self.room.is_admitted(conn.conn_id) and not self.closed:
            timer = asyncio.get_running_loop().create_task(self._expire_drop(pid, conn.conn_id))
            self._dropped[pid] = _Dropped(conn.conn_id, timer)
            # the chair sees when; told with the other drops of the same moment (one delta)
            self._losing[pid] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            self._tell_soon()
            return
        await self._after(self.room.disconnect(conn.conn_id))
        await self._journal.record(
            f"account:{conn.attendee.account_id}",
            "meeting.leave",
            f"meeting:{self.info.id}",
            {"participant": pid},
        )

    async def _expire_drop(self, pid: str, conn_id: str) -> None:
        await asyncio.sleep(self._media.reconnect_grace_seconds)
        dropped = self._dropped.get(pid)
        if dropped is None or dropped.conn_id != conn_id:
            return
        del self._dropped[pid]
        self._expiring[pid] = conn_id
        self._tell_soon()

    def _tell_soon(self) -> None:
        """Tell the drops and grace ends of the next moment together (:meth:`_tell_drops`)."""
        if self._telling is None and not self.closed:
            self._telling = asyncio.get_running_loop().create_task(self._tell_drops())

    async def _tell_drops(self) -> None:
        """Issue 15: when a crowd's links fall together (a ship's satellite link, everyone
        leaving at the end), the drops of one short moment go out as one presence delta and one
        attendance sync, not one each to everyone still there (O(n) frames instead of O(n²))."""
        await asyncio.sleep(DROPS_TOLD_WITHIN)
        self._telling = None
        if self.closed:
            return
        # a participant back meanwhile (join took them out of _dropped) is not lost any more
        lost = {p: at for p, at in self._losing.items() if p in self._dropped}
        expired = {p: c for p, c in self._expiring.items() if p not in self._pid_conn}
        self._losing, self._expiring = {}, {}
        await self._after(self.room.drop_many(lost, expired.values()))
        for pid in expired:
            attendee = self._pid_user.get(pid)
            if attendee is not None:
                await self._journal.record(
                    f"account:{attendee.account_id}",
                    "meeting.leave",
                    f"meeting:{self.info.id}",
                    {"participant": pid, "reason": "connection_lost"},
                )
        self._check_idle()

    # ------------------------------------------------------------------ messages

    async def handle(self, conn: Connection, msg: ClientMessage) -> None:
        """Apply one message after ``join``; :class:`ProtocolError` for a refusal."""
        match msg:
            case Offer(sdp=sdp, screen_mid=screen_mid):
                pid = self.room.require_admitted(conn.conn_id)
                try:
                    answer = await self._relay.connect(
                        pid,
                        sdp,
                        audio_only=self._audio_only.get(pid, False),
                        screen_mid=screen_mid,
                    )
                except Exception as exc:  # aiortc refuses bad SDP with assorted exceptions
                    log.info("meeting %s: offer of %s refused: %r", self.info.id, pid, exc)
                    raise ProtocolError(
                        ErrorCode.BAD_MESSAGE,
                        ErrorCode.BAD_MESSAGE.text(detail=tr("ui.live.bad_offer").vi),
                    ) from exc
                self._in_relay.add(pid)
                self._pin()  # a chair or room camera is pinned once it is in the relay
                conn.send(Answer(sdp=answer))
                return
            case IceCandidate():
                pid = self.room.require_admitted(conn.conn_id)
                try:
                    await self._relay.add_ice_candidate(
                        pid, msg.candidate or "", msg.sdp_mid, msg.sdp_mline_index
                    )
                except UnknownParticipantError:
                    raise ProtocolError(
                        ErrorCode.OUT_OF_TURN,
                        ErrorCode.OUT_OF_TURN.text(detail=tr("ui.live.offer_first").vi),
                    ) from None
                except ValueError as exc:
                    # the relay turns aiortc's errors on a malformed candidate into ValueError
                    raise ProtocolError(
                        ErrorCode.BAD_MESSAGE,
                        ErrorCode.BAD_MESSAGE.text(detail="ice_candidate"),
                    ) from exc
                return
            case Leave():
                self._deliver(self.room.handle(conn.conn_id, msg))  # refused unless joined
                pid = self._pid_of_conn(conn)
                if self._pid_conn.get(pid) == conn.conn_id:
                    del self._pid_conn[pid]
                await self._relay_disconnect(pid)
                await self._journal.record(
                    f"account:{conn.attendee.account_id}",
                    "meeting.leave",
                    f"meeting:{self.info.id}",
                    {"participant": pid},
                )
                conn.close(WSCloseCode.OK)
            case AudioOnly(on=on):
                self._deliver(self.room.handle(conn.conn_id, msg))
                pid = self.room.require_admitted(conn.conn_id)
                self._audio_only[pid] = on
                if pid in self._in_relay:
                    self._relay.set_audio_only(pid, on)
            case CheckIn(member_id=user_id) | CheckOut(member_id=user_id):
                self.room.require_chair(conn.conn_id)
                checked_in = isinstance(msg, CheckIn)
                changed = await self._record_hall(conn, user_id, checked_in=checked_in)
                if not checked_in and not changed:
                    raise ProtocolError(
                        ErrorCode.OUT_OF_TURN,
                        compose(ErrorCode.OUT_OF_TURN, "media.turn.no_checkin", member=user_id),
                    )
                return
            case AdmitAll():
                waiting = [(p.id, p.identity.user_id) for p in self.room.admissible()]
                # all admitted in one room operation: one lobby update, one presence delta;
                # sent once recorded (one audit record, one write of the decisions)
                batch = self._reserve(self.room.handle(conn.conn_id, msg))
                try:
                    await self._journal.record(
                        f"account:{conn.attendee.account_id}",
                        "meeting.admit_all",
                        f"meeting:{self.info.id}",
                        {
                            "participants": [pid for pid, _ in waiting],
                            "accounts": [
                                a.account_id
                                for a in (self._pid_user.get(pid) for pid, _ in waiting)
                                if a is not None
                            ],
                        },
                    )
                finally:
                    self._release(batch)
                try:
                    await remember_admissions(
                        self._db, self.info.id, [user for _, user in waiting], admitted=True
                    )
                except Exception:
                    log.exception("meeting %s: admission decisions not recorded", self.info.id)
            case Admit() | Deny() | RemoveParticipant():
                hall_user = (
                    self.room.hall_user(msg.participant_id)
                    if isinstance(msg, RemoveParticipant)
                    else None
                )
                # sent once recorded; outputs the room makes meanwhile wait behind them
                batch = self._reserve(self.room.handle(conn.conn_id, msg))
                action = {"admit": "meeting.admit", "deny": "meeting.deny"}.get(
                    msg.type, "meeting.remove"
                )
                target = self._pid_user.get(msg.participant_id)
                try:
                    await self._journal.record(
                        f"account:{conn.attendee.account_id}",
                        action,
                        f"meeting:{self.info.id}",
                        {
                            "participant": msg.participant_id,
                            "account": target.account_id if target else None,
                        },
                    )
                finally:
                    self._release(batch)
                decided = target.identity.user_id if target is not None else hall_user
                if decided is not None:
                    await self._remember(decided, admitted=isinstance(msg, Admit))
                if not isinstance(msg, Admit):
                    await self._relay_disconnect(msg.participant_id)
                    dropped = self._dropped.pop(msg.participant_id, None)
                    if dropped is not None:
                        dropped.timer.cancel()
                if hall_user is not None:  # removed from the meeting: out of the hall too
                    try:
                        await self._record_hall(conn, hall_user, checked_in=False)
                    except ProtocolError as exc:  # e.g. the meeting is no longer open
                        log.warning("meeting %s: removal not checked out: %s", self.info.id, exc)
            case Chat(text=text):
                self._deliver(self.room.handle(conn.conn_id, msg))  # refused unless admitted
                pid = self.room.require_admitted(conn.conn_id)
                posted = await live_share.post_chat(
                    self._db,
                    self._audit,
                    self._leases.alive,
                    self.info.id,
                    conn.attendee,
                    pid,
                    text,
                )
                if not self.closed:
                    self._deliver(self.room.chat_posted(posted))
                return
            case Present(document_id=document_id, page=page):
                self._deliver(self.room.handle(conn.conn_id, msg))  # refused unless a chair
                shown = await live_share.present(
                    self._db,
                    self._audit,
                    self._leases.alive,
                    self.info.id,
                    conn.attendee,
                    document_id,
                    page,
                )
                if not self.closed:
                    self._deliver(self.room.set_presenting(shown))
                return
            case StopPresenting():
                self._deliver(self.room.handle(conn.conn_id, msg))  # refused unless a chair
                if self.room.presenting is not None:
                    self._deliver(self.room.set_presenting(None))
                    await self._journal.record(
                        f"account:{conn.attendee.account_id}",
                        "document.present_stop",
                        f"meeting:{self.info.id}",
                        {},
                    )
                return
            case MuteParticipant(participant_id=target_pid, kind=kind):
                self._deliver(self.room.handle(conn.conn_id, msg))  # refused unless a chair
                # enforced in the relay too: a modified client cannot talk over a chair's mute
                if target_pid in self._in_relay:
                    self._relay.set_publisher_muted(target_pid, _kind(kind), True)
            case Unmute(kind=kind):
                self._deliver(self.room.handle(conn.conn_id, msg))
                pid = self.room.require_admitted(conn.conn_id)
                if pid in self._in_relay:
                    self._relay.set_publisher_muted(pid, _kind(kind), False)
            case ShareScreen(on=on) | AllowScreen(on=on):
                self._deliver(self.room.handle(conn.conn_id, msg))  # refused unless allowed
                self._pin()  # the relay forwards the presenter's screen line only
                subject = (
                    msg.participant_id if isinstance(msg, AllowScreen) else self._pid_of_conn(conn)
                )
                await self._journal.record(
                    f"account:{conn.attendee.account_id}",
                    f"meeting.{msg.type}",
                    f"meeting:{self.info.id}",
                    {"participant": subject, "on": on},
                )
            case _:
                self._deliver(self.room.handle(conn.conn_id, msg))
        # delivered as soon as the room made them (above): a presence version must not
        # overtake another while this handler awaits the audit or the relay
        await self._after(())

    # ------------------------------------------------------------------ recording

    @property
    def recording(self) -> bool:
        return self._recorder is not None

    def start_recording(self, sink: io.RawIOBase) -> MeetingRecorder:
        """Mux the main video and the dominant speaker into ``sink`` (the encrypting
        :class:`~server.records.recordings.RecordingHandle`) and tell everyone."""
        if self._recorder is not None:
            raise RuntimeError("already recording")
        recorder = MeetingRecorder(self.relay, sink)
        recorder.start()
        self._recorder = recorder
        self._deliver(self.room.set_recording(True))
        return recorder

    def stop_recording(self) -> MeetingRecorder | None:
        """Detach the recorder and finish its file (before the sink's final segment is
        written); tell everyone. Idempotent: ``None`` when not recording."""
        recorder, self._recorder = self._recorder, None
        if recorder is not None:
            recorder.stop()
        if not self.closed:
            self._deliver(self.room.set_recording(False))
        return recorder

    # ------------------------------------------------------------------ relay

    async def _relay_disconnect(self, pid: str) -> None:
        if pid in self._in_relay:
            self._in_relay.discard(pid)
            await self._relay.disconnect(pid)

    def _on_relay_event(self, event: RelayEvent) -> None:
        match event:
            case SlotsChanged(
                participant_id=pid,
                video=video,
                audio=audio,
                screen=screen,
                link=link,
                audio_hold=hold,
            ):
                conn = self._conns.get(self._pid_conn.get(pid, ""))
                if conn is not None:
                    conn.send(
                        SlotMap(
                            audio=audio,
                            video=video,
                            screen=screen,
                            link=_link_level(link),
                            audio_hold=hold,
                        )
                    )
                self._link_quality[pid] = _LINK_QUALITY.get(link, Quality.GOOD)
                if self._peer_state.get(pid) == "connected" and pid not in self._dropped:
                    self._deliver(self.room.set_quality(pid, self._link_quality[pid]))
            case ActiveSpeakers(participant_ids=ids):
                self._deliver(self.room.set_speaking(ids))
            case PeerStateChanged(participant_id=pid, state=state):
                self._peer_state[pid] = state
                if pid in self._dropped:
                    return
                quality = _QUALITY.get(state)
                if state == "connected":  # as good as the relay's estimate of its downlink
                    quality = self._link_quality.get(pid, Quality.GOOD)
                if quality is not None:
                    self._deliver(self.room.set_quality(pid, quality))

    # ------------------------------------------------------------------ outputs

    def _reserve(self, outs: Iterable[Outgoing]) -> _Batch:
        """Take the room's outputs in the order made (call it right after the room call,
        before any ``await``); they leave at :meth:`_release`, after every batch reserved
        before them: presence versions reach each socket in order, and what must be recorded
        first (a chair's admission, a join) is recorded before anybody sees it."""
        batch = _Batch(list(outs))
        self._order.append(batch)
        return batch

    def _release(self, batch: _Batch) -> None:
        batch.ready = True
        while self._order and self._order[0].ready:
            self._send(self._order.popleft().outs)

    def _deliver(self, outs: Iterable[Outgoing]) -> list[Outgoing]:
        """Deliver the room's outputs now, or after the batches reserved before them."""
        batch = self._reserve(outs)
        self._release(batch)
        return batch.outs

    def _send(self, outs: list[Outgoing]) -> None:
        """Send to the connections held here; publish presence on the bus (in the background)."""
        framed: dict[int, tuple[str, bytes, bytes]] = {}  # by message: the same snapshot to many
        for out in outs:
            done = framed.get(id(out.message))
            if done is None:
                text = dump_message(out.message)  # once, however many receive it
                payload = text.encode()
                done = framed[id(out.message)] = (text, payload, text_frame(payload))  # framed once
            text, payload, frame = done
            kind = out.message.type
            for conn_id in out.conn_ids:
                conn = self._conns.get(conn_id)
                if conn is None:
                    continue
                conn.send_text(kind, text, len(payload), frame)
                if out.close:
                    conn.close()
            if out.message.type in _PRESENCE_TYPES and out.audience is not Audience.CONNECTION:
                self._spawn(self._publish(out))

    async def _publish(self, out: Outgoing) -> None:
        try:
            await self._bus.publish(self.channel, outgoing_to_dict(out))
        except Exception:
            log.exception("bus publish failed on %s", self.channel)

    def _spawn(self, coro: Coroutine[object, object, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _after(self, outs: Iterable[Outgoing]) -> None:
        self._deliver(outs)
        if self.closed:
            return
        self._pin()
        await self.attendance.sync(self._present)

    def _pin(self) -> None:
        """Room camera first, then chairs: forwarded to everyone before active speakers."""
        online = self.room.online()
        pinned = [p for p, (_, role) in online.items() if role is RoomRole.ROOM_DEVICE] + [
            p for p, (_, role) in online.items() if role is RoomRole.CHAIR
        ]
        self._relay.set_pinned([p for p in pinned if p in self._in_relay])
        presenter = self.room.screen_presenter
        self._relay.set_screen_presenter(presenter if presenter in self._in_relay else None)

    def _present(self) -> dict[int, str]:
        """A1: counted members connected online, each once; a dropped link is absent. Those in
        the hall are in the hall records already (written by the check-in itself)."""
        counted = self.room.counted_members()
        online = {
            p for p, (_, role) in self.room.online().items() if role is not RoomRole.ROOM_DEVICE
        }
        return {
            attendee.member_id: "online"
            for pid, attendee in self._pid_user.items()
            if pid in online
            and pid not in self._dropped
            and attendee.member_id is not None
            and attendee.identity.user_id in counted
        }

    # ------------------------------------------------------------------ end and shutdown

    async def end(self) -> None:
        """The meeting was closed (its end is recorded, M2): everyone connected is told
        ``meeting_ended`` and their socket closed normally (1000), so the page does not
        reconnect; the rest as :meth:`close`. The attendance intervals were closed at the
        meeting's end with it. Idempotent."""
        if not self.closed:
            await self._shut(MeetingEnded(reason=tr("ui.live.meeting_ended")), WSCloseCode.OK)

    async def close(self) -> None:
        """Server shutdown: close every socket (going away: the page reconnects), peer
        connection and online attendance interval. The hall records stay: the members are still
        in the hall, and the room of this meeting started again (here or in another process)
        loads them."""
        await self._shut(
            ErrorMessage(code=ErrorCode.UNAVAILABLE, message=tr("ui.live.server_closing")),
            WSCloseCode.GOING_AWAY,
        )

    async def _shut(self, last: ServerMessage, code: int) -> None:
        self.closed = True
        self._last = (last, code)
        if self._hall_sub is not None:
            with contextlib.suppress(Exception):
                await self._hall_sub.aclose()
        for conn in list(self._conns.values()):
            conn.send(last)
            conn.close(code)
        for dropped in self._dropped.values():
            dropped.timer.cancel()
        self._dropped.clear()
        if self._telling is not None:
            self._telling.cancel()
            self._telling = None
        self._losing.clear()
        self._expiring.clear()
        if self._recorder is not None:
            self._recorder.stop()  # the sink's owner decides whether the file completes
            self._recorder = None
        await self._relay.close()
        await self.attendance.close()
        for task in list(self._tasks):
            if task is asyncio.current_task():  # ended by a notice: its follower returns next
                continue
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
