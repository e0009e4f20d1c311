"""The demo organisation loaded by ``hopchibo demo`` and ``make run``.

A grassroots committee with a seafarers' cell of 14 members (9 on international routes,
1 exempted, 1 probationary) approved for online meetings, and a cell of 60 members in 4 party
groups approved for group meetings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from policy.model import ApprovalScope, E1aReason, IssuerKind, MemberStatus, OrgLevel, Role
from server.audit import AuditLog
from server.auth.provision import create_account, new_password
from server.crypto.keys import LocalKek
from server.storage import accounts as account_store
from server.storage import members as member_store
from server.storage import organisations as org_store
from server.storage.db import Database
from server.storage.models import (
    ApprovalDecision,
    Member,
    Organisation,
    PilotRegistration,
)

GRASSROOTS_CODE = "DEMO-DBCS"
SEAFARERS_CODE = "DEMO-CB-THUYENVIEN"
LARGE_CODE = "DEMO-CB-LON"

_SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
_MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc"]
_GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hùng",
    "Khánh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phúc",
    "Quang",
    "Sơn",
    "Tâm",
    "Thắng",
    "Trung",
    "Tuấn",
    "Vinh",
    "Yến",
]


def demo_name(i: int) -> str:
    return (
        f"{_SURNAMES[i % len(_SURNAMES)]} {_MIDDLE[(i // 3) % len(_MIDDLE)]} "
        f"{_GIVEN[(i * 7) % len(_GIVEN)]}"
    )


#: (username, display name, member index in the seafarers' cell or None, role, org code)
#: username, display name, member index (in the organisation named by the code: a cell's
#: members, or a party group's), role, organisation code
DEMO_ACCOUNTS: tuple[tuple[str, str, int | None, Role, str], ...] = (
    ("bithu", "Bí thư chi bộ", 0, Role.SECRETARY, SEAFARERS_CODE),
    ("phobithu", "Phó bí thư chi bộ", 1, Role.DEPUTY, SEAFARERS_CODE),
    ("dangvien", "Đảng viên", 2, Role.MEMBER, SEAFARERS_CODE),
    ("dangvien2", "Đảng viên", 3, Role.MEMBER, SEAFARERS_CODE),
    ("duben", "Đảng viên dự bị", 13, Role.MEMBER, SEAFARERS_CODE),
    ("hoitruong", "Thiết bị hội trường", None, Role.ROOM_DEVICE, SEAFARERS_CODE),
    ("giamsat", "Đại diện cấp ủy cấp trên", None, Role.OBSERVER, SEAFARERS_CODE),
    ("baomat", "Cán bộ an ninh thông tin", None, Role.SECURITY_OFFICER, GRASSROOTS_CODE),
    ("quantri", "Quản trị hệ thống", None, Role.ADMIN, GRASSROOTS_CODE),
    # the large cell's committee and its four group leaders (the party-group cycle, E2)
    ("bithulon", "Bí thư chi bộ", 4, Role.SECRETARY, LARGE_CODE),
    ("phobithulon", "Phó bí thư chi bộ", 5, Role.DEPUTY, LARGE_CODE),
    ("totruong1", "Tổ trưởng", 0, Role.GROUP_LEADER, f"{LARGE_CODE}-TO1"),
    ("totruong2", "Tổ trưởng", 0, Role.GROUP_LEADER, f"{LARGE_CODE}-TO2"),
    ("totruong3", "Tổ trưởng", 0, Role.GROUP_LEADER, f"{LARGE_CODE}-TO3"),
    ("totruong4", "Tổ trưởng", 0, Role.GROUP_LEADER, f"{LARGE_CODE}-TO4"),
    # the superior committee of the two cells (the grassroots committee): its secretary and a
    # committee member (Q1–Q3, S1–S3: /committee), its organisation board and its standing
    # committee (V1–V3: /board)
    ("bithudanguy", "Bí thư Đảng ủy", None, Role.SECRETARY, GRASSROOTS_CODE),
    ("capuyvien", "Đảng ủy viên", None, Role.COMMITTEE, GRASSROOTS_CODE),
    ("bantochuc", "Ban Tổ chức Đảng ủy", None, Role.ORG_BOARD, GRASSROOTS_CODE),
    ("banthuongvu", "Ban Thường vụ Đảng ủy", None, Role.STANDING_COMMITTEE, GRASSROOTS_CODE),
)


async def load_demo(db: Database) -> bool:
    """Create the demo organisations if absent. Returns False when they already exist."""
    async with db.session() as s:
        if await org_store.by_code(s, GRASSROOTS_CODE) is not None:
            return False
        root = await org_store.add(
            s,
            Organisation(
                level=OrgLevel.GRASSROOTS,
                name="Đảng bộ Công ty Vận tải biển (demo)",
                code=GRASSROOTS_CODE,
                location="Hải Phòng",
                it_ready=True,
                it_notes="Máy chủ riêng, đường truyền có dự phòng",
            ),
        )
        sea = await org_store.add(
            s,
            Organisation(
                parent_id=root.id,
                level=OrgLevel.CELL,
                name="Chi bộ Thuyền viên (demo)",
                code=SEAFARERS_CODE,
                location="Tàu tuyến quốc tế",
                it_ready=True,
                it_notes="Kết nối vệ tinh trên tàu; phòng họp tại trụ sở",
            ),
        )
        for i in range(14):
            s.add(
                Member(
                    org_id=sea.id,
                    full_name=demo_name(i),
                    status=MemberStatus.PROBATIONARY if i == 13 else MemberStatus.FULL,
                    exempted=i == 12,
                    e1a_reasons=[E1aReason.SEAFARER.value] if 3 <= i < 12 else [],
                    location="Tàu tuyến quốc tế" if 3 <= i < 12 else "Hải Phòng",
                )
            )
        reg = PilotRegistration(
            org_id=sea.id,
            scope=ApprovalScope.ONLINE,
            submitted_on=dt.date(2025, 8, 1),
            member_count=14,
            locations="Hải Phòng; tàu tuyến quốc tế",
            cells_count=1,
            groups_count=0,
            it_readiness="Đáp ứng",
            reason="Thuyền viên tuyến quốc tế (E1a)",
            contact="Bí thư chi bộ",
            state="approved",  # V2: decided by 123-QĐ/ĐU below
        )
        s.add(reg)
        await s.flush()
        s.add(
            ApprovalDecision(
                org_id=sea.id,
                registration_id=reg.id,
                number="123-QĐ/ĐU",
                issuer="Đảng ủy Khối",
                issuer_kind=IssuerKind.SUPERIOR_COMMITTEE,
                decided_on=dt.date(2025, 8, 15),
                scope=ApprovalScope.ONLINE,
                valid_from=dt.date(2025, 8, 15),
                valid_to=None,
            )
        )
        big = await org_store.add(
            s,
            Organisation(
                parent_id=root.id,
                level=OrgLevel.CELL,
                name="Chi bộ Khối văn phòng (demo)",
                code=LARGE_CODE,
                location="Hà Nội",
                it_ready=True,
            ),
        )
        groups = []
        for g in range(4):
            groups.append(
                await org_store.add(
                    s,
                    Organisation(
                        parent_id=big.id,
                        level=OrgLevel.GROUP,
                        name=f"Tổ đảng số {g + 1} (demo)",
                        code=f"{LARGE_CODE}-TO{g + 1}",
                        location="Hà Nội",
                        it_ready=True,
                    ),
                )
            )
        for i in range(60):
            s.add(
                Member(
                    org_id=big.id,
                    group_id=groups[i % 4].id,
                    full_name=demo_name(100 + i),
                    status=MemberStatus.PROBATIONARY if i % 20 == 19 else MemberStatus.FULL,
                    location="Hà Nội",
                )
            )
        # V1: the large cell asks for online meetings too; the board vets it on /board
        s.add(
            PilotRegistration(
                org_id=big.id,
                scope=ApprovalScope.ONLINE,
                submitted_on=dt.date(2025, 9, 2),
                member_count=60,
                locations="Hà Nội",
                cells_count=1,
                groups_count=4,
                it_readiness="Phòng họp trực tuyến tại trụ sở",
                reason="Nhiều đảng viên đi công tác",
                contact="Bí thư chi bộ",
                state="submitted",
            )
        )
        s.add(
            ApprovalDecision(
                org_id=big.id,
                number="124-QĐ/ĐU",
                issuer="Đảng ủy Khối",
                issuer_kind=IssuerKind.SUPERIOR_COMMITTEE,
                decided_on=dt.date(2025, 8, 15),
                scope=ApprovalScope.GROUP,
                valid_from=dt.date(2025, 8, 15),
                valid_to=None,
            )
        )
    return True


@dataclass(frozen=True, slots=True)
class DemoCredential:
    username: str
    role: str
    org_code: str
    password: str
    totp_secret: str
    totp_uri: str
    recovery_codes: tuple[str, ...]


async def load_demo_accounts(db: Database, kek: bytes) -> list[DemoCredential]:
    """Create those DEMO_ACCOUNTS that are missing, with random passwords and TOTP secrets."""
    audit = AuditLog(db, LocalKek(kek))
    out: list[DemoCredential] = []
    async with db.session() as s:
        for username, display, index, role, code in DEMO_ACCOUNTS:
            if await account_store.by_username(s, username) is not None:
                continue
            org = await org_store.by_code(s, code)
            assert org is not None, "load_demo first"
            member = None
            if index is not None:
                members = await (
                    member_store.of_group(s, org.id)
                    if org.level is OrgLevel.GROUP
                    else member_store.of_org(s, org.id)
                )
                member = members[index]
            password = new_password()
            made = await create_account(
                s,
                audit,
                kek,
                username=username,
                display_name=display if member is None else f"{display} {member.full_name}",
                password=password,
                member_id=member.id if member is not None else None,
                role=role,
                org_id=org.id,
                actor="demo",
            )
            out.append(
                DemoCredential(
                    username,
                    role.value,
                    code,
                    password,
                    made.totp_secret,
                    made.totp_uri,
                    made.recovery_codes,
                )
            )
    return out
