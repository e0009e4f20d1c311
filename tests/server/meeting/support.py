"""A cell with real accounts (password + TOTP), a meeting, and real sign-in for live tests."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientWebSocketResponse, CookieJar, WSMsgType, web

from policy.model import MeetingKind, MeetingMode, MeetingStatus, MemberStatus, OrgLevel, Role
from server import appkeys
from server.audit import AuditLog
from server.auth import factors
from server.auth.provision import create_account
from server.config import Settings
from server.kek import load_or_create_kek
from server.records.settings import key_provider
from server.storage.db import Database
from server.storage.models import Meeting, Member, Organisation

ORIGIN = "http://127.0.0.1:8080"  # ServerSettings.public_origin's default: on the allowlist
PASSWORD = "mật-khẩu-thử-nghiệm-1"


@dataclass(frozen=True, slots=True)
class Person:
    username: str
    display_name: str
    password: str
    totp_secret: str
    account_id: int
    member_id: int | None


@dataclass(slots=True)
class Cell:
    org_id: int
    meeting_id: int
    closed_meeting_id: int
    people: dict[str, Person] = field(default_factory=dict)


#: key → (display name, role, member of the cell?)
PEOPLE: dict[str, tuple[str, Role, bool]] = {
    "chair": ("Nguyễn Văn Chủ", Role.SECRETARY, True),
    "member": ("Trần Thị Biển", Role.MEMBER, True),
    "member2": ("Lê Văn Tàu", Role.MEMBER, True),
    "room": ("Phòng họp chi bộ", Role.ROOM_DEVICE, False),
    "observer": ("Phạm Cấp Trên", Role.OBSERVER, False),
}


async def make_cell(app: web.Application, prefix: str = "") -> Cell:
    """A cell with the people of :data:`PEOPLE`, an outsider (member of another cell), a
    scheduled meeting and a closed one."""
    db, audit, kek = app[appkeys.DB], app[appkeys.AUDIT], app[appkeys.KEK]
    async with db.session() as s:
        org = Organisation(level=OrgLevel.CELL, name="Chi bộ Tàu biển 1", code=f"{prefix}cb1")
        other = Organisation(level=OrgLevel.CELL, name="Chi bộ khác", code=f"{prefix}cb2")
        s.add_all([org, other])
        await s.flush()
        start = dt.datetime.now(dt.UTC)
        meeting = Meeting(
            org_id=org.id,
            kind=MeetingKind.REGULAR,
            mode=MeetingMode.HYBRID,
            status=MeetingStatus.SCHEDULED,
            title="Sinh hoạt định kỳ tháng 11",
            scheduled_start=start,
        )
        closed = Meeting(
            org_id=org.id,
            kind=MeetingKind.REGULAR,
            mode=MeetingMode.HYBRID,
            status=MeetingStatus.CLOSED,
            title="Sinh hoạt định kỳ tháng 10",
            scheduled_start=start - dt.timedelta(days=30),
        )
        s.add_all([meeting, closed])
        await s.flush()
        cell = Cell(org.id, meeting.id, closed.id)
        entries = [(k, *v, org.id) for k, v in PEOPLE.items()]
        entries.append(("outsider", "Đỗ Người Ngoài", Role.MEMBER, True, other.id))
        for key, name, role, is_member, org_id in entries:
            member_id = None
            if is_member:
                member = Member(org_id=org_id, full_name=name, status=MemberStatus.FULL)
                s.add(member)
                await s.flush()
                member_id = member.id
            username = f"{prefix}{key}"
            made = await create_account(
                s,
                audit,
                kek,
                username=username,
                display_name=name,
                password=PASSWORD,
                member_id=member_id,
                role=role,
                org_id=org_id if role is not Role.OBSERVER else org.id,
            )
            cell.people[key] = Person(
                username, name, PASSWORD, made.totp_secret, made.account_id, member_id
            )
    return cell


async def sign_in(http: ClientSession, base_url: str, person: Person) -> str:
    """Password, then the current TOTP code, through the real endpoints; the CSRF token of the
    full session."""
    resp = await http.post(
        f"{base_url}/api/auth/login",
        json={"username": person.username, "password": person.password},
    )
    body = await resp.json()
    assert resp.status == 200, body
    assert body["stage"] == "mfa", body
    code = factors.totp_now(person.totp_secret, dt.datetime.now(dt.UTC))
    resp = await http.post(
        f"{base_url}/api/auth/totp/verify",
        json={"code": code},
        headers={"X-CSRF-Token": body["csrf"]},
    )
    body = await resp.json()
    assert resp.status == 200, body
    assert body["stage"] == "full", body
    return str(body["csrf"])


class Peer:
    """One signed-in browser-less participant: its own cookie jar and WebSocket."""

    def __init__(self, base_url: str, person: Person) -> None:
        self.base_url = base_url
        self.person = person
        self.http = ClientSession(cookie_jar=CookieJar(unsafe=True))
        self.ws: ClientWebSocketResponse | None = None
        self.participant_id = ""
        self.seen: dict[str, dict[str, Any]] = {}  # the last message of each type
        self.signed_in = False
        #: the presence as the browser holds it: the last snapshot with the deltas applied
        self.presence_version: int | None = None
        self.people: dict[str, dict[str, Any]] = {}

    async def sign_in(self) -> None:
        if not self.signed_in:
            await sign_in(self.http, self.base_url, self.person)
            self.signed_in = True

    async def connect(self, meeting_id: int, origin: str = ORIGIN) -> ClientWebSocketResponse:
        await self.sign_in()  # once, on first use
        self.presence_version, self.people = None, {}  # a new socket starts from a snapshot
        self.ws = await self.http.ws_connect(
            f"{self.base_url}/ws/meetings/{meeting_id}", headers={"Origin": origin}
        )
        return self.ws

    async def send(self, obj: dict[str, object]) -> None:
        assert self.ws is not None
        await self.ws.send_str(json.dumps({"v": 1, **obj}))

    async def join(self, meeting_id: int, *, audio_only: bool = False) -> dict[str, Any]:
        await self.connect(meeting_id)
        await self.send(
            {
                "type": "join",
                "meeting_id": str(meeting_id),
                "audio_only": audio_only,
                "client": {"name": "tests", "version": "1"},
            }
        )
        welcome = await self.expect("welcome")
        self.participant_id = str(welcome["participant_id"])
        return welcome

    async def recv(self, within: float = 10.0) -> dict[str, Any]:
        assert self.ws is not None
        msg = await self.ws.receive(timeout=within)
        assert msg.type is WSMsgType.TEXT, (msg.type, msg.data, msg.extra)
        loaded = json.loads(msg.data)
        assert isinstance(loaded, dict)
        data: dict[str, Any] = loaded
        if data["type"] == "presence":
            data = self._apply(data)
        elif data["type"] == "participants":
            self.presence_version = data["version"]
            self.people = {p["id"]: p for p in data["participants"]}
        self.seen[str(data["type"])] = data
        return data

    def _apply(self, delta: dict[str, Any]) -> dict[str, Any]:
        """Apply a ``presence`` delta as the browser does; the presence it brings about,
        as a ``participants`` message (with the delta under ``delta``)."""
        assert self.presence_version is not None, "a delta before the snapshot"
        assert delta["version"] == self.presence_version + 1, (delta, self.presence_version)
        self.presence_version = delta["version"]
        for gone in delta["left"]:
            del self.people[gone]
        for p in delta["changed"]:
            assert p["id"] in self.people
            self.people[p["id"]] = p
        for p in delta["joined"]:
            assert p["id"] not in self.people
            self.people[p["id"]] = p
        return {
            "v": 1,
            "type": "participants",
            "version": self.presence_version,
            "participants": list(self.people.values()),
            "delta": delta,
        }

    async def expect(
        self, type_: str, within: float = 10.0, where: Callable[[dict[str, Any]], bool] = bool
    ) -> dict[str, Any]:
        """Read until a message of ``type_`` (for which ``where`` holds) arrives."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"no {type_} message within {within} s")
            msg = await self.recv(left)
            if msg["type"] == type_ and where(msg):
                return msg

    async def latest(
        self, type_: str, where: Callable[[dict[str, Any]], bool], within: float = 10.0
    ) -> dict[str, Any]:
        """The last ``type_`` message already read if ``where`` holds, else the next that does."""
        last = self.seen.get(type_)
        if last is not None and where(last):
            return last
        return await self.expect(type_, within, where)

    async def ping(self, nonce: int = 7) -> None:
        await self.send({"type": "ping", "nonce": nonce})
        pong = await self.expect("pong", where=lambda m: m["nonce"] == nonce)
        assert pong["v"] == 1

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        await self.http.close()


async def cell_in_database(settings: Settings, prefix: str = "") -> Cell:
    """:func:`make_cell` written straight into the database of ``settings`` (for a server run as
    a process of its own, which then finds it there), with the meeting opened (votes and hall
    check-ins need it). ``prefix``: of its codes and usernames, for several cells."""
    db = Database(settings.database_url)
    try:
        app = web.Application()
        app[appkeys.DB] = db
        app[appkeys.AUDIT] = AuditLog(db, key_provider(settings))
        app[appkeys.KEK] = load_or_create_kek(settings.kek_path, settings.keys.kek)
        cell = await make_cell(app, prefix)
        async with db.session() as s:
            meeting = await s.get(Meeting, cell.meeting_id)
            assert meeting is not None
            meeting.status = MeetingStatus.OPEN
        return cell
    finally:
        await db.close()
