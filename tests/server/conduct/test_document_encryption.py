"""Meeting documents encrypted at rest (R7, M3) through the real app on SQLite and PostgreSQL:
the row holds no plaintext, a ciphertext moved to another row is refused, KEK rotation keeps
documents readable, a shredded key gives 410, and rows stored in clear before migration 0005 are
read and then sealed once (CLI and start-up)."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from policy.i18n import tr
from policy.model import Role
from server import appkeys
from server.app import create_app
from server.cli import build_parser
from server.cli_records import run as run_records_cli
from server.conduct import documents
from server.config import KeySettings, Settings
from server.crypto.keys import LocalKek, generate_kek
from server.demo import SEAFARERS_CODE
from server.records.data_keys import rotate_kek, shred_key
from server.rules import VN_TZ
from server.storage import conduct as store
from server.storage.db import Database
from server.storage.models import UTCDateTime
from tests.conftest import AiohttpClient, Client
from tests.server.auth.support import FakeClock, audit_records
from tests.server.conduct.support import People, Person, members_of, org_id

WINDOW = 16
"""A plaintext substring this long found in any column of the row counts as a leak."""


def plaintext(label: str) -> bytes:
    """Recognisable text followed by random bytes (every 16-byte window is distinctive)."""
    return f"%PDF-1.4 Dự thảo nghị quyết chi bộ: {label}\n".encode() + secrets.token_bytes(3000)


def leaks(secret: bytes, row: Mapping[str, Any]) -> list[str]:
    """Columns of ``row`` that contain a ``WINDOW``-byte substring of ``secret``."""
    windows = {secret[i : i + WINDOW] for i in range(len(secret) - WINDOW + 1)}
    found = []
    for column, value in row.items():
        raw = value.encode() if isinstance(value, str) else value
        if isinstance(raw, bytes | memoryview):
            raw = bytes(raw)
            if any(raw[i : i + WINDOW] in windows for i in range(len(raw) - WINDOW + 1)):
                found.append(column)
    return found


async def raw_rows(url: str) -> dict[int, dict[str, Any]]:
    """``meeting_documents`` as a database reader sees it (plain SQL, no ORM, no key)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(sa.text("SELECT * FROM meeting_documents ORDER BY id"))
            return {int(r.id): dict(r._mapping) for r in result}
    finally:
        await engine.dispose()


async def raw_sql(url: str, sql: str, params: Mapping[str, Any]) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(sql), dict(params))
    finally:
        await engine.dispose()


#: the table as migration 0003 created it: what the server wrote before documents were encrypted
OLD_DOCUMENTS = sa.table(
    "meeting_documents",
    sa.column("meeting_id", sa.Integer()),
    sa.column("filename", sa.String()),
    sa.column("media_type", sa.String()),
    sa.column("size", sa.Integer()),
    sa.column("sha256", sa.String()),
    sa.column("data", sa.LargeBinary()),
    sa.column("uploaded_by", sa.String()),
    sa.column("uploaded_at", UTCDateTime()),
    sa.column("published_at", UTCDateTime()),
)


async def insert_legacy(url: str, meeting_id: int, data: bytes, at: dt.datetime) -> int:
    """A published document stored in clear, inserted with the old schema's columns only."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(OLD_DOCUMENTS).values(
                    meeting_id=meeting_id,
                    filename="bao-cao-cu.pdf",
                    media_type="application/pdf",
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    data=data,
                    uploaded_by="bithu",
                    uploaded_at=at,
                    published_at=at,
                )
            )
            got = await conn.scalar(sa.text("SELECT MAX(id) FROM meeting_documents"))
    finally:
        await engine.dispose()
    return int(got)


class Cell:
    """The seafarers' cell with its secretary (chair) and one member, and two meetings."""

    def __init__(self, people: People, secretary: Person, member: Person, meetings: list[int]):
        self.people = people
        self.secretary = secretary
        self.member = member
        self.meetings = meetings

    async def upload(self, meeting_id: int, name: str, data: bytes) -> dict[str, Any]:
        doc = await self.people.ok(
            self.secretary,
            "POST",
            f"/api/meetings/{meeting_id}/documents?filename={name}",
            201,
            data=data,
            headers={"Content-Type": "application/pdf"},
        )
        assert isinstance(doc, dict)
        return doc

    async def publish(self, meeting_id: int, doc_id: int) -> None:
        await self.people.ok(
            self.secretary, "POST", f"/api/meetings/{meeting_id}/documents/{doc_id}/publish"
        )

    async def download(self, meeting_id: int, doc_id: int) -> bytes:
        got = await self.people.ok(
            self.member, "GET", f"/api/meetings/{meeting_id}/documents/{doc_id}"
        )
        assert isinstance(got, bytes)
        return got


async def cell(client: Client, db: Database, settings: Settings, clock: FakeClock) -> Cell:
    people = People(client, db, settings, clock)
    org = await org_id(db, SEAFARERS_CODE)
    members = [m.id for m in await members_of(db, org)]
    secretary = await people.add("bithu", Role.SECRETARY, org, members[0])
    member = await people.add("dv3", Role.MEMBER, org, members[3])
    meetings = []
    for days in (1, 8):
        start = (clock.now + dt.timedelta(days=days)).astimezone(VN_TZ)
        meeting = await people.ok(
            secretary,
            "POST",
            f"/api/organisations/{org}/meetings",
            201,
            json={
                "kind": "regular",
                "mode": "hybrid",
                "title": "Sinh hoạt chi bộ thường kỳ",
                "scheduled_start": start.isoformat(),
            },
        )
        meetings.append(meeting["id"])
    return Cell(people, secretary, member, meetings)


async def refused(c: Cell, meeting_id: int, doc_id: int, status: int) -> dict[str, Any]:
    return await c.people.refused(
        c.member, "GET", f"/api/meetings/{meeting_id}/documents/{doc_id}", status
    )


async def test_rows_hold_ciphertext_and_downloads_return_the_uploaded_bytes(
    client: Client, db: Database, settings: Settings, clock: FakeClock, db_url: str
) -> None:
    c = await cell(client, db, settings, clock)
    first, second = c.meetings
    texts = {"a": plaintext("a"), "b": plaintext("b"), "c": plaintext("c")}
    docs = {
        "a": await c.upload(first, "a.pdf", texts["a"]),
        "b": await c.upload(first, "b.pdf", texts["b"]),
        "c": await c.upload(second, "c.pdf", texts["c"]),
    }
    rows = await raw_rows(db_url)
    for name, doc in docs.items():
        row = rows[doc["id"]]
        assert leaks(texts[name], row) == [], name
        assert row["enc_version"] == documents.SEALED and len(bytes(row["nonce"])) == 12
        # size and sha256 are the plaintext's: members compare copies by the digest
        assert doc["size"] == row["size"] == len(texts[name])
        assert doc["sha256"] == row["sha256"] == hashlib.sha256(texts[name]).hexdigest()
    # one data key per meeting, stored only wrapped
    keys = {name: rows[doc["id"]]["key_id"] for name, doc in docs.items()}
    assert keys["a"] == keys["b"] != keys["c"]
    engine = create_async_engine(db_url)
    async with engine.connect() as conn:
        result = await conn.execute(sa.text("SELECT key_id, purpose FROM wrapped_keys"))
        purposes = {str(r.key_id): str(r.purpose) for r in result}
    await engine.dispose()
    assert purposes[keys["a"]] == purposes[keys["c"]] == "documents"
    uploads = {r.target: r.details for r in await audit_records(db, "document.upload")}
    assert uploads[f"document:{docs['a']['id']}"]["key_id"] == keys["a"]

    # the chair reads an unpublished document; a member once it is published
    a_path = f"/api/meetings/{first}/documents/{docs['a']['id']}"
    assert await c.people.ok(c.secretary, "GET", a_path) == texts["a"]
    for name, meeting in (("a", first), ("b", first), ("c", second)):
        await c.publish(meeting, docs[name]["id"])
        assert await c.download(meeting, docs[name]["id"]) == texts[name]
    assert len(await audit_records(db, "document.download")) == 4


MOVE = (
    "UPDATE meeting_documents SET data = :data, nonce = :nonce, size = :size, sha256 = :sha256 "
    "WHERE id = :id"
)
MOVE_WITH_KEY = MOVE.replace(" WHERE", ", key_id = :key_id WHERE")


async def test_a_ciphertext_moved_to_another_row_does_not_decrypt(
    client: Client, db: Database, settings: Settings, clock: FakeClock, db_url: str
) -> None:
    c = await cell(client, db, settings, clock)
    first, second = c.meetings
    text_a = plaintext("a")
    a = await c.upload(first, "a.pdf", text_a)
    b = await c.upload(first, "b.pdf", plaintext("b"))
    other = await c.upload(second, "c.pdf", plaintext("c"))
    for meeting, doc in ((first, a), (first, b), (second, other)):
        await c.publish(meeting, doc["id"])
    src = (await raw_rows(db_url))[a["id"]]
    params = {k: src[k] for k in ("data", "nonce", "size", "sha256", "key_id")}
    # into a row of the same meeting (same key), and with its key id into another meeting's row
    await raw_sql(db_url, MOVE, {**params, "id": b["id"]})
    await raw_sql(db_url, MOVE_WITH_KEY, {**params, "id": other["id"]})
    unreadable = tr("records.document.unreadable").as_dict()
    for meeting, doc in ((first, b), (second, other)):
        body = await refused(c, meeting, doc["id"], 409)
        assert body == {"code": "conflict", "message": unreadable}
    # the original still reads; one flipped bit in it does not
    assert await c.download(first, a["id"]) == text_a
    flipped = bytes([src["data"][0] ^ 1]) + bytes(src["data"][1:])
    await raw_sql(
        db_url,
        "UPDATE meeting_documents SET data = :d WHERE id = :id",
        {"d": flipped, "id": a["id"]},
    )
    assert (await refused(c, first, a["id"], 409))["message"] == unreadable
    refusals = await audit_records(db, "document.download.refused")
    assert sorted(r.target for r in refusals) == sorted(
        f"document:{d['id']}" for d in (a, b, other)
    )
    assert {r.details["reason"] for r in refusals} == {documents.UNAUTHENTIC}


async def test_kek_rotation_rewraps_the_documents_key_and_they_still_download(
    aiohttp_client: AiohttpClient,
    client: Client,
    db: Database,
    settings: Settings,
    clock: FakeClock,
    db_url: str,
) -> None:
    c = await cell(client, db, settings, clock)
    meeting = c.meetings[0]
    text = plaintext("rotation")
    doc = await c.upload(meeting, "a.pdf", text)
    await c.publish(meeting, doc["id"])
    before = (await raw_rows(db_url))[doc["id"]]

    old = LocalKek(client.app[appkeys.KEK])
    new_bytes = generate_kek()
    new = LocalKek(new_bytes)
    result = await rotate_kek(db, old, new)
    assert result.rewrapped >= 3  # the documents key, an audit segment key, the signing key
    after = (await raw_rows(db_url))[doc["id"]]
    assert after == before  # nothing re-encrypted: only the wrapped key changed
    async with db.session() as s:
        row = await store.document(s, doc["id"])
        assert row is not None
        assert await documents.read(s, row, new) == text
        try:
            await documents.read(s, row, old)
        except documents.DocumentUnavailable as exc:
            assert exc.reason == documents.KEY_UNUSABLE
        else:
            raise AssertionError("the old KEK still opened the documents key")

    # the server restarted on the new KEK serves the document byte for byte
    rotated = dataclasses.replace(
        settings, keys=KeySettings(kek=base64.b64encode(new_bytes).decode())
    )
    client2 = await aiohttp_client(create_app(rotated, clock=clock))
    people2 = People(client2, db, rotated, clock)
    got = await people2.ok(c.member, "GET", f"/api/meetings/{meeting}/documents/{doc['id']}")
    assert got == text


async def test_a_shredded_documents_key_gives_410_and_the_attempt_is_audited(
    client: Client, db: Database, settings: Settings, clock: FakeClock, db_url: str
) -> None:
    c = await cell(client, db, settings, clock)
    meeting = c.meetings[0]
    docs = [await c.upload(meeting, f"{n}.pdf", plaintext(n)) for n in ("a", "b")]
    for doc in docs:
        await c.publish(meeting, doc["id"])
    key_id = (await raw_rows(db_url))[docs[0]["id"]]["key_id"]
    assert await shred_key(db, LocalKek(client.app[appkeys.KEK]), key_id)

    gone = tr("records.document.key_destroyed").as_dict()
    for doc in docs:  # every document of the meeting went with its key
        body = await refused(c, meeting, doc["id"], 410)
        assert body == {"code": "not_found", "message": gone}
    refusals = await audit_records(db, "document.download.refused")
    assert sorted(r.target for r in refusals) == sorted(f"document:{d['id']}" for d in docs)
    assert {r.details["reason"] for r in refusals} == {documents.KEY_DESTROYED}
    assert {r.actor for r in refusals} == {f"account:{c.member.account_id}"}
    # the metadata is still listed; a later upload gets a fresh key and reads
    listed = await c.people.ok(c.member, "GET", f"/api/meetings/{meeting}/documents")
    assert [d["id"] for d in listed] == [d["id"] for d in docs]
    text = plaintext("later")
    later = await c.upload(meeting, "later.pdf", text)
    await c.publish(meeting, later["id"])
    assert await c.download(meeting, later["id"]) == text
    assert (await raw_rows(db_url))[later["id"]]["key_id"] != key_id


async def test_rows_stored_in_clear_are_read_then_sealed_once_by_the_cli_and_at_start_up(
    aiohttp_client: AiohttpClient,
    client: Client,
    db: Database,
    settings: Settings,
    clock: FakeClock,
    db_url: str,
    capsys: Any,
) -> None:
    c = await cell(client, db, settings, clock)
    meeting = c.meetings[0]
    old_text = plaintext("legacy")
    legacy = await insert_legacy(db_url, meeting, old_text, clock.now)
    row = (await raw_rows(db_url))[legacy]
    assert (row["enc_version"], row["key_id"], row["nonce"]) == (documents.LEGACY, None, None)
    assert await c.download(meeting, legacy) == old_text  # readable until converted

    args = build_parser().parse_args(["records", "encrypt-documents"])
    assert await run_records_cli(settings, args) == 0
    assert "encrypted 1 document(s)" in capsys.readouterr().out
    sealed = (await raw_rows(db_url))[legacy]
    assert sealed["enc_version"] == documents.SEALED and sealed["key_id"]
    assert leaks(old_text, sealed) == []
    assert sealed["sha256"] == hashlib.sha256(old_text).hexdigest()
    assert await c.download(meeting, legacy) == old_text
    (encrypted,) = await audit_records(db, "document.encrypt")
    assert encrypted.actor == "system:encrypt-documents"
    assert encrypted.target == f"document:{legacy}"
    assert encrypted.details == {
        "meeting": meeting,
        "key_id": sealed["key_id"],
        "size": len(old_text),
        "intact": True,
    }

    # again: nothing to do, nothing changed, nothing audited
    assert await run_records_cli(settings, args) == 0
    assert "encrypted 0 document(s)" in capsys.readouterr().out
    assert (await raw_rows(db_url))[legacy] == sealed
    assert len(await audit_records(db, "document.encrypt")) == 1

    # a server starting on a database with a row in clear seals it, under the meeting's key
    second_text = plaintext("legacy 2")
    second = await insert_legacy(db_url, meeting, second_text, clock.now)
    client2 = await aiohttp_client(create_app(settings, clock=clock))
    row2 = (await raw_rows(db_url))[second]
    assert row2["enc_version"] == documents.SEALED and row2["key_id"] == sealed["key_id"]
    assert leaks(second_text, row2) == []
    people2 = People(client2, db, settings, clock)
    got = await people2.ok(c.member, "GET", f"/api/meetings/{meeting}/documents/{second}")
    assert got == second_text
    actors = sorted(r.actor for r in await audit_records(db, "document.encrypt"))
    assert actors == ["system:encrypt-documents", "system:startup"]
