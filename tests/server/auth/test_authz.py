"""Each role sees and does only what it may (R7, deny by default): a table of roles × actions
through the real app, every refusal a 403 with an audit record naming the permission; plus the
role table itself and the step-up before the access logs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from policy.model import Role
from server.auth import factors
from server.auth.authz import Permission, allowed, roles_at
from server.auth.context import AccountContext, RoleGrant
from server.config import Settings
from server.storage.db import Database
from tests.conftest import Client
from tests.server.auth.conftest import World
from tests.server.auth.support import FakeClock, last_audit, make_account, sign_in


@dataclass(frozen=True)
class Action:
    name: str
    method: str
    path: Callable[[World], str]
    body: Callable[[World], dict[str, Any]] | None = None


IN_PERSON = {
    "kind": "regular",
    "mode": "in_person",
    "title": "Họp",
    "scheduled_start": "2026-12-03T08:00:00+07:00",
}
ACTIONS = {
    a.name: a
    for a in (
        Action("read_meetings", "GET", lambda w: f"/api/organisations/{w.cell}/meetings"),
        Action("read_agenda", "GET", lambda w: f"/api/meetings/{w.meeting}/agenda"),
        Action("read_group_meeting", "GET", lambda w: f"/api/meetings/{w.group_meeting}"),
        Action("read_other_cell", "GET", lambda w: f"/api/organisations/{w.other_cell}/meetings"),
        Action(
            "schedule_meeting",
            "POST",
            lambda w: f"/api/organisations/{w.cell}/meetings",
            lambda w: IN_PERSON,
        ),
        Action(
            "schedule_group_meeting",
            "POST",
            lambda w: f"/api/organisations/{w.group}/meetings",
            lambda w: {**IN_PERSON, "kind": "group"},
        ),
        Action("read_members", "GET", lambda w: f"/api/organisations/{w.cell}/members"),
        Action(
            "add_member",
            "POST",
            lambda w: f"/api/organisations/{w.cell}/members",
            lambda w: {"full_name": "Đảng viên mới", "status": "full"},
        ),
        Action(
            "register_pilot",
            "POST",
            lambda w: f"/api/organisations/{w.cell}/registrations",
            lambda w: {"scope": "online", "submitted_on": "2026-11-01", "member_count": 4},
        ),
        Action(
            "invite",
            "POST",
            lambda w: f"/api/meetings/{w.meeting}/invitations",
            lambda w: {"member_id": w.members[2]},
        ),
        Action(
            "create_cell",
            "POST",
            lambda w: "/api/organisations",
            lambda w: {
                "parent_id": w.grassroots,
                "level": "cell",
                "name": "Chi bộ mới",
                "code": "CB-NEW",
            },
        ),
        Action("read_audit", "GET", lambda w: "/api/audit"),
    )
}

#: role → (where it is held, the actions it may do); every other action must be refused
ALLOWED: dict[Role, tuple[str, set[str]]] = {
    Role.SECRETARY: (
        "cell",
        {
            "read_meetings",
            "read_agenda",
            "read_group_meeting",
            "schedule_meeting",
            "read_members",
            "add_member",
            "register_pilot",
            "invite",
        },
    ),
    Role.DEPUTY: (
        "cell",
        {
            "read_meetings",
            "read_agenda",
            "read_group_meeting",
            "schedule_meeting",
            "read_members",
            "invite",
        },
    ),
    Role.COMMITTEE: (
        "cell",
        {"read_meetings", "read_agenda", "read_group_meeting", "read_members"},
    ),
    Role.MEMBER: ("cell", {"read_meetings", "read_agenda", "read_group_meeting"}),
    Role.GROUP_LEADER: ("group", {"read_group_meeting", "schedule_group_meeting"}),
    Role.OBSERVER: ("cell", {"read_meetings", "read_agenda", "read_group_meeting"}),
    Role.SECURITY_OFFICER: ("grassroots", set()),  # the logs, after a step-up (below)
    Role.ADMIN: ("grassroots", {"read_members", "add_member", "register_pilot", "create_cell"}),
    Role.ROOM_DEVICE: ("cell", set()),
}


@pytest.mark.parametrize("role", list(ALLOWED), ids=lambda r: r.value)
async def test_role_table_through_the_api(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock, role: Role
) -> None:
    where, may = ALLOWED[role]
    org = {"cell": world.cell, "group": world.group, "grassroots": world.grassroots}[where]
    member_id = world.members[0] if role in (Role.MEMBER, Role.GROUP_LEADER) else None
    user = await make_account(db, settings, f"u-{role.value}", role, org, member_id=member_id)
    csrf = await sign_in(client, user, clock())
    outcome = {}
    for action in ACTIONS.values():
        resp = await client.request(
            action.method,
            action.path(world),
            json=action.body(world) if action.body else None,
            headers={"X-CSRF-Token": csrf},
        )
        outcome[action.name] = resp.status
        if action.name in may:
            assert resp.status in (200, 201), (action.name, resp.status, await resp.text())
            continue
        assert resp.status == 403, (action.name, resp.status)
        body = await resp.json()
        expected = (
            "step_up_required"
            if (role, action.name) == (Role.SECURITY_OFFICER, "read_audit")
            else "forbidden"
        )
        assert body["code"] == expected, action.name
        record = await last_audit(db, "access.denied")
        assert record.actor == f"account:{user.id}"
        assert record.target == action.path(world)
        assert record.details["method"] == action.method
    assert {n for n, s in outcome.items() if s < 400} == may


async def test_security_officer_reads_logs_after_step_up(
    client: Client, db: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    officer = await make_account(db, settings, "baomat", Role.SECURITY_OFFICER, world.grassroots)
    csrf = await sign_in(client, officer, clock())
    resp = await client.get("/api/audit")
    assert resp.status == 403
    assert (await resp.json())["code"] == "step_up_required"
    assert (await last_audit(db, "access.denied")).details["reason"] == "step_up"
    clock.advance(seconds=30)
    code = factors.totp_now(officer.totp_secret, clock())
    resp = await client.post(
        "/api/auth/step-up", json={"code": code}, headers={"X-CSRF-Token": csrf}
    )
    assert resp.status == 200
    assert (await last_audit(db, "auth.stepup")).actor == f"account:{officer.id}"
    resp = await client.get("/api/audit?action=auth.signin.success")
    assert resp.status == 200
    rows = await resp.json()
    assert [r["target"] for r in rows] == [f"account:{officer.id}"]
    assert (await last_audit(db, "audit.view")).details["filters"] == {
        "action": "auth.signin.success"
    }
    # but never meeting content
    resp = await client.get(f"/api/meetings/{world.meeting}/agenda")
    assert resp.status == 403
    # the step-up is fresh for 10 minutes only
    clock.advance(minutes=10)
    resp = await client.get("/api/audit")
    assert (await resp.json())["code"] == "step_up_required"


def _ctx(*grants: tuple[int, Role]) -> AccountContext:
    # 1 grassroots → 2, 3 cells; 4 group of cell 2
    return AccountContext(
        account_id=1,
        username="x",
        display_name="x",
        member_id=None,
        grants=tuple(RoleGrant(o, r) for o, r in grants),
        parents={1: None, 2: 1, 3: 1, 4: 2},
    )


@pytest.mark.parametrize(
    ("grants", "org", "expected"),
    [
        (((2, Role.SECRETARY),), 2, {Role.SECRETARY}),
        (((2, Role.SECRETARY),), 4, {Role.MEMBER}),  # member of the cell's groups
        (((2, Role.SECRETARY),), 3, set()),  # not another cell
        (((2, Role.SECRETARY),), 1, set()),  # nor the committee above
        (((1, Role.OBSERVER),), 4, {Role.OBSERVER}),  # committee roles cover below
        (((1, Role.SECURITY_OFFICER),), 3, {Role.SECURITY_OFFICER}),
        (((1, Role.SECRETARY),), 2, set()),  # the committee's secretary does not chair cells
        (((4, Role.GROUP_LEADER),), 2, set()),
    ],
)
def test_roles_carried_down_the_tree(
    grants: tuple[tuple[int, Role], ...], org: int, expected: set[Role]
) -> None:
    assert roles_at(_ctx(*grants), org) == expected


def test_deny_by_default_and_observer_never_votes() -> None:
    nobody = _ctx()
    assert not any(allowed(nobody, p, 2) for p in Permission)
    observer = _ctx((2, Role.OBSERVER))
    assert allowed(observer, Permission.MEETING_ATTEND, 2)
    assert not allowed(observer, Permission.MEETING_VOTE, 2)
    officer = _ctx((1, Role.SECURITY_OFFICER))
    assert allowed(officer, Permission.AUDIT_READ, None)
    assert not allowed(officer, Permission.MEETING_READ, 2)
    admin = _ctx((1, Role.ADMIN))
    assert allowed(admin, Permission.ACCOUNTS_MANAGE, 2)
    assert not any(
        allowed(admin, p, 2)
        for p in (Permission.MEETING_READ, Permission.MEETING_CHAIR, Permission.MEETING_ATTEND)
    )
