"""The live meetings of this process, by meeting id (one :class:`LiveMeeting` each), and the
lease that tells the other processes this one is alive (A1 after a crash: every
``attendance.heartbeat_seconds`` the lease is renewed, the members connected here are recorded as
seen, and intervals of processes that died are recovered, :mod:`server.meeting.live_attendance`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from policy.error_codes import ErrorCode, ProtocolError
from policy.i18n import tr
from server.audit import AuditLog
from server.config import ConfigError, Settings
from server.leases import make_leases
from server.media.shards import WorkerPool
from server.media.tls import WorkerTls
from server.meeting.admission import MeetingInfo, cell_directory
from server.meeting.hosts import make_hosts
from server.meeting.journal import AuditJournal
from server.meeting.live import LiveMeeting
from server.meeting.live_attendance import announce_closed, announce_hall, recover
from server.meeting.nodes import Load, Placement, make_nodes
from server.meeting.redis_bus import RedisBus
from server.memory import HeapTrimmer
from server.storage.db import Database
from signaling.bus import Bus, InProcessBus

log = logging.getLogger(__name__)


def make_bus(settings: Settings) -> Bus:
    """Redis pub/sub when ``bus.redis_url`` is set, else the in-process bus."""
    if settings.bus.redis_url:
        return RedisBus(settings.bus.redis_url, prefix=f"{settings.bus.key_prefix}:")
    return InProcessBus()


class LiveMeetings:
    def __init__(self, settings: Settings, db: Database, audit: AuditLog, bus: Bus) -> None:
        self._settings = settings
        self._db = db
        self._audit = audit
        self._journal = AuditJournal(audit)
        self.bus = bus
        self._meetings: dict[int, LiveMeeting] = {}
        #: closed while live here: a join that passed the status check just before is refused
        self._ended: set[int] = set()
        self._lock = asyncio.Lock()
        self._releasing: set[asyncio.Task[None]] = set()
        self.closed = False
        #: this process's lease; its owner id holds the online intervals written here
        self.leases = make_leases(settings, db)
        #: which process hosts each meeting (one room per meeting across processes)
        self.hosts = make_hosts(settings, self.leases)
        #: the nodes' loads: where a meeting live nowhere goes (issue 15)
        self.nodes = make_nodes(settings, self.leases)
        self._keeper: asyncio.Task[None] | None = None
        #: the relay worker processes (``media.workers`` and ``media.remote_workers``); None:
        #: relays run in this process
        self.relay_pool: WorkerPool | None = None
        #: hands the C heap's free pages back once released meetings have been freed
        self.trimmer = HeapTrimmer(idle=lambda: not self._meetings)

    async def start(self) -> None:
        """Take the lease, recover what processes that died left open (start-up), then keep
        the lease, the last-seen times and the recovery going (:meth:`_keep`)."""
        media = self._settings.media
        if media.workers > 0 or media.remote_workers:
            tls = None
            if media.worker_tls_cert:
                tls = WorkerTls(media.worker_tls_cert, media.worker_tls_key, media.worker_tls_ca)
            try:  # the certificate, key and CA are read here: a bad file stops the start
                self.relay_pool = WorkerPool(token=media.worker_token or None, tls=tls)
            except OSError as exc:  # ssl.SSLError too
                raise ConfigError(
                    f"the relay workers' TLS files cannot be used: {exc}",
                    "HOPCHIBO_MEDIA_WORKER_TLS_CERT",
                ) from None
            if media.workers > 0:
                await self.relay_pool.start(media.workers, host=media.worker_host)
            # those not there now are attached when they come (the pool keeps trying)
            await self.relay_pool.attach_all(media.remote_worker_addresses)
        await self._beat()
        self._keeper = asyncio.get_running_loop().create_task(self._keep())

    async def _keep(self) -> None:
        period = self._settings.attendance.heartbeat_seconds
        loop = asyncio.get_running_loop()
        due = loop.time()
        while not self.closed:
            due = max(due + period, loop.time())
            await asyncio.sleep(due - loop.time())
            await self._beat()

    async def _beat(self) -> None:
        """One heartbeat: renew the lease, record the members connected here as seen, close the
        intervals of dead processes whose grace has run out. Each step fails alone (logged)."""
        try:
            await self.leases.renew()
        except Exception:
            log.exception("the process lease was not renewed")
        try:
            await self.hosts.renew(list(self._meetings))
        except Exception:
            log.exception("the claims of the meetings live here were not renewed")
        await self._report()
        for live in list(self._meetings.values()):
            try:
                await live.attendance.heartbeat()
            except Exception:
                log.exception("meeting %s: last-seen not recorded", live.info.id)
        grace = dt.timedelta(seconds=self._settings.media.reconnect_grace_seconds)
        try:
            await recover(self._db, self._audit, self.leases, grace)
        except Exception:
            log.exception("attendance of dead processes not recovered")

    def meetings(self) -> list[LiveMeeting]:
        """The meetings live in this process now."""
        return list(self._meetings.values())

    def get(self, meeting_id: int) -> LiveMeeting | None:
        return self._meetings.get(meeting_id)

    async def open(self, info: MeetingInfo) -> LiveMeeting:
        """The live meeting of ``info``, started on first use. :class:`ProtocolError` if it
        was closed meanwhile, :class:`RuntimeError` when shutting down."""
        async with self._lock:
            if self.closed:
                raise RuntimeError("shutting down")
            if info.id in self._ended:
                raise ProtocolError(ErrorCode.CONFLICT, tr("ui.live.meeting_closed"))
            live = self._meetings.get(info.id)
            if live is None or live.closed:
                placement = await self._placement()
                if placement is Placement.FULL:
                    raise ProtocolError(ErrorCode.UNAVAILABLE, tr("ui.live.node_full"))
                if placement is Placement.ELSEWHERE and not self._room_here():
                    # full here, room elsewhere (the proxy did not send it on): the page retries
                    raise ProtocolError(ErrorCode.UNAVAILABLE, tr("ui.live.hosted_elsewhere"))
                if not await self.hosts.claim(info.id):
                    raise ProtocolError(ErrorCode.UNAVAILABLE, tr("ui.live.hosted_elsewhere"))
                directory = await cell_directory(self._db, info.org_id)
                live = LiveMeeting(
                    info,
                    db=self._db,
                    audit=self._audit,
                    bus=self.bus,
                    media=self._settings.media,
                    directory=directory,
                    on_ended=self._forget,
                    on_idle=self._idle,
                    journal=self._journal,
                    leases=self.leases,
                    relay_pool=self.relay_pool,
                )
                await live.start()  # loads the members already checked in at the hall
                self._meetings[info.id] = live
                await self._report()
            return live

    async def hall_changed(self, meeting_id: int) -> None:
        """A1: the hall records of ``meeting_id`` changed and are committed. Its room here (if
        live here) follows them now; other processes are told on the bus."""
        live = self._meetings.get(meeting_id)
        if live is not None and not live.closed:
            await live.hall_changed()
        else:
            await announce_hall(self.bus, meeting_id)

    async def end(self, meeting_id: int) -> None:
        """The meeting was closed (committed): end it here (everyone connected is told, their
        sockets closed, the relay closed) and tell the other processes to do the same."""
        async with self._lock:
            self._ended.add(meeting_id)
            live = self._meetings.pop(meeting_id, None)
        if live is not None:
            try:
                await live.end()
            except Exception:
                log.exception("ending live meeting %s failed", meeting_id)
            await self._unclaim(meeting_id)
        await announce_closed(self.bus, meeting_id)

    def _forget(self, live: LiveMeeting) -> None:
        """``live`` ends after another process closed its meeting."""
        self._ended.add(live.info.id)
        if self._meetings.get(live.info.id) is live:
            del self._meetings[live.info.id]

    async def belongs_elsewhere(self, meeting_id: int) -> bool:
        """A join of ``meeting_id`` belongs to another process: one that hosts it
        (:mod:`server.meeting.hosts`), or, for a meeting live nowhere, a less loaded node with
        room (:mod:`server.meeting.nodes`). The proxy tries the next process on 404."""
        if meeting_id in self._meetings:
            return False
        try:
            if await self.hosts.elsewhere(meeting_id):
                return True
            return await self._placement() is Placement.ELSEWHERE
        except Exception:
            log.exception("meeting %s: its host could not be looked up", meeting_id)
            return False

    def _room_here(self) -> bool:
        node = self._settings.node
        load = Load(len(self._meetings), self._members(), 0.0, node.max_meetings, node.max_members)
        return load.has_room()

    def _members(self) -> int:
        return sum(m.connections for m in self._meetings.values())

    async def _placement(self) -> Placement:
        return await self.nodes.placement(len(self._meetings), self._members())

    async def _report(self) -> None:
        try:
            await self.nodes.report(len(self._meetings), self._members())
        except Exception:
            log.exception("this node's load was not reported")

    def live_ids(self) -> frozenset[int]:
        """The meetings live in this process now (operators' tools, tests, benchmarks)."""
        return frozenset(self._meetings)

    def _idle(self, live: LiveMeeting) -> None:
        """The last grace period of ``live`` ended with nobody connected: release it (in a
        task of the registry's own, since ``live``'s tasks are cancelled by its close)."""
        if self.closed or self._meetings.get(live.info.id) is not live:
            return
        task = asyncio.get_running_loop().create_task(self.release(live.info.id))
        self._releasing.add(task)
        task.add_done_callback(self._releasing.discard)

    async def release(self, meeting_id: int) -> None:
        """Release the meeting here (its bus subscription, relay, tasks and memory) once nobody
        is connected and no grace period runs: tried when a socket closes and again when the
        last grace period ends."""
        async with self._lock:
            live = self._meetings.get(meeting_id)
            if live is not None and live.idle:
                del self._meetings[meeting_id]
                try:
                    await live.close()
                except Exception:
                    log.exception("releasing live meeting %s failed", meeting_id)
                await self._unclaim(meeting_id)
                await self._report()
                self.trimmer.soon()

    async def _unclaim(self, meeting_id: int) -> None:
        try:
            await self.hosts.release(meeting_id)
        except Exception:
            log.exception("meeting %s: its claim was not released", meeting_id)

    async def close(self) -> None:
        async with self._lock:
            if self.closed:
                return
            self.closed = True
            meetings = list(self._meetings.values())
            self._meetings.clear()
        self.trimmer.close()
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
        for task in list(self._releasing):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for live in meetings:
            try:
                await live.close()
            except Exception:
                log.exception("closing live meeting %s failed", live.info.id)
            await self._unclaim(live.info.id)
        await self._journal.close()
        await self.bus.close()
        if self._keeper is not None:  # a serving process: its intervals are handed over now
            try:
                await self.leases.release()
            except Exception:
                log.exception("the process lease was not released")
        await self.hosts.close()
        if self.relay_pool is not None:
            await self.relay_pool.close()
        try:
            await self.nodes.close()
        except Exception:
            log.exception("this node was not taken out of the registry")
        await self.leases.close()
