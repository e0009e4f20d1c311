"""Members' notebooks and inspections (S2).

50-CT/TW §7: "Nội dung kiểm tra, giám sát tập trung vào việc chấp hành nguyên tắc, chế độ sinh
hoạt đảng; chất lượng sinh hoạt và hồ sơ sinh hoạt chi bộ, việc ban hành nghị quyết của chi bộ,
sổ ghi chép của đảng viên". The notes are the member's: sealed at rest, read by the member, shown
to an inspection only once handed in, never to a security officer (R7); they stay readable after
``hopchibo keys rotate``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from sqlalchemy import text

from policy.model import MeetingKind, MeetingMode, MeetingStatus, MemberStatus, OrgLevel, Role
from server.app import create_app
from server.cli import build_parser
from server.cli_records import run as run_records
from server.config import KeySettings, Settings
from server.crypto.keys import create_kek_file
from server.rules import VN_TZ
from server.storage.db import Database
from server.storage.models import Meeting, Member, Organisation
from tests.conftest import AiohttpClient, Client
from tests.server.auth.conftest import make_settings
from tests.server.auth.support import (
    FakeClock,
    SignInAccount,
    audit_records,
    make_account,
    sign_in,
)

NOTE = "Ghi chép riêng: đồng chí Bí thư nhắc việc chuẩn bị đại hội."


async def _world(db: Database) -> tuple[int, int, int, int]:
    """A committee, its cell with one member, and a meeting held on 3 Feb 2026."""
    async with db.session() as s:
        committee = Organisation(level=OrgLevel.GRASSROOTS, name="Đảng bộ Khối", code="DBK")
        s.add(committee)
        await s.flush()
        cell = Organisation(
            level=OrgLevel.CELL, parent_id=committee.id, name="Chi bộ Văn phòng", code="CB-VP"
        )
        s.add(cell)
        await s.flush()
        member = Member(org_id=cell.id, full_name="Lê Thị Ghi", status=MemberStatus.FULL)
        s.add(member)
        start = dt.datetime(2026, 2, 3, 8, 0, tzinfo=VN_TZ)
        meeting = Meeting(
            org_id=cell.id,
            kind=MeetingKind.REGULAR,
            mode=MeetingMode.IN_PERSON,
            status=MeetingStatus.CLOSED,
            title="Sinh hoạt chi bộ tháng 2",
            scheduled_start=start,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=95),
        )
        s.add(meeting)
        await s.flush()
        return committee.id, cell.id, member.id, meeting.id


async def test_s2_notebook_sealed_officer_refused_inspection_after_hand_in_and_rotation(
    aiohttp_client: AiohttpClient, tmp_path: Path, db_url: str
) -> None:
    settings = make_settings(tmp_path, db_url)
    db = Database(db_url)
    committee, cell, member_id, meeting = await _world(db)
    clock = FakeClock(dt.datetime.now(dt.UTC).replace(microsecond=0))
    client: Client = await aiohttp_client(create_app(settings, clock=clock))

    async def as_(account: SignInAccount) -> str:
        clock.advance(seconds=31)  # a TOTP code is good once per 30 s step
        return await sign_in(client, account, clock.now)

    member = await make_account(db, settings, "ghichep", Role.MEMBER, cell, member_id=member_id)
    officer = await make_account(db, settings, "baomat2", Role.SECURITY_OFFICER, committee)
    secretary = await make_account(db, settings, "bithudu", Role.SECRETARY, committee)
    notebook = f"/api/meetings/{meeting}/notebook"

    csrf = await as_(member)
    resp = await client.put(notebook, json={"text": NOTE}, headers={"X-CSRF-Token": csrf})
    assert resp.status == 200, await resp.text()
    assert (await (await client.get(notebook)).json())["text"] == NOTE
    async with db.session() as s:
        stored = (await s.execute(text("SELECT ciphertext, key_id FROM notebook_entries"))).one()
    assert NOTE.encode() not in bytes(stored[0]) and stored[1].startswith("nb-")

    # a security officer never reads a member's notebook: 403, audited
    await as_(officer)
    resp = await client.get(notebook)
    assert resp.status == 403
    denied = [
        r
        for r in await audit_records(db, "access.denied")
        if r.target == notebook and r.actor == f"account:{officer.id}"
    ]
    assert denied

    # the committee opens an inspection: the notebook is not shown until handed in
    csrf = await as_(secretary)
    resp = await client.post(
        f"/api/organisations/{committee}/inspections",
        json={"cell_id": cell, "period_from": "2026-01-01", "period_to": "2026-03-31"},
        headers={"X-CSRF-Token": csrf},
    )
    assert resp.status == 201, await resp.text()
    inspection = (await resp.json())["id"]
    records = await (await client.get(f"/api/inspections/{inspection}/records")).json()
    assert [m["id"] for m in records["meetings"]] == [meeting]
    assert records["notebooks"] == []
    await as_(officer)
    assert (await client.get(f"/api/inspections/{inspection}/records")).status == 403

    csrf = await as_(member)
    # the member is offered the open inspection of the cell whose period covers the meeting
    choices = await (await client.get(f"{notebook}/inspections")).json()
    assert [(c["id"], c["period_from"], c["period_to"]) for c in choices] == [
        (inspection, "2026-01-01", "2026-03-31")
    ]
    resp = await client.post(
        f"{notebook}/hand-in", json={"inspection_id": inspection}, headers={"X-CSRF-Token": csrf}
    )
    assert resp.status == 200, await resp.text()
    await as_(secretary)
    records = await (await client.get(f"/api/inspections/{inspection}/records")).json()
    assert [n["text"] for n in records["notebooks"]] == [NOTE]
    reads = [
        r.details
        for r in await audit_records(db, "notebook.read")
        if r.actor == f"account:{secretary.id}"
    ]
    assert reads and reads[0]["inspection"] == inspection
    assert (await audit_records(db, "notebook.hand_in"))[0].actor == f"account:{member.id}"
    await client.close()

    # hopchibo keys rotate: the member reads the notes under the new KEK
    new_kek = tmp_path / "new.kek"
    create_kek_file(new_kek)
    args = build_parser().parse_args(["keys", "rotate", "--new-kek-file", str(new_kek)])
    assert await run_records(settings, args) == 0
    rotated: Settings = dataclasses.replace(settings, keys=KeySettings(kek_file=str(new_kek)))
    client = await aiohttp_client(create_app(rotated, clock=clock))
    await as_(member)
    resp = await client.get(notebook)
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["text"] == NOTE
    await db.close()
