"""Small builders of rule facts for the policy tests."""

from __future__ import annotations

from datetime import date

from policy.facts import Approval, Circumstance, MeetingRecord, MemberFacts, OrgFacts
from policy.model import (
    ApprovalScope,
    E1aReason,
    MeetingKind,
    MeetingMode,
    MeetingStatus,
    MemberStatus,
    OrgLevel,
)

DAY = date(2025, 9, 3)


def members(
    able: int = 0,
    unable: int = 0,
    *,
    exempted: int = 0,
    suspended: int = 0,
    prefix: str = "m",
    status: MemberStatus = MemberStatus.FULL,
) -> tuple[MemberFacts, ...]:
    """``able`` members who can meet in person, ``unable`` at sea (E1a), plus exempted and
    suspended ones who are at sea too (so that they would tip E1 if they were counted)."""
    out: list[MemberFacts] = []
    for i in range(able):
        out.append(MemberFacts(f"{prefix}a{i}", status))
    for i in range(unable):
        out.append(
            MemberFacts(f"{prefix}u{i}", status, e1a_reasons=frozenset({E1aReason.SEAFARER}))
        )
    for i in range(exempted):
        out.append(
            MemberFacts(
                f"{prefix}x{i}", status, exempted=True, e1a_reasons=frozenset({E1aReason.ABROAD})
            )
        )
    for i in range(suspended):
        out.append(
            MemberFacts(
                f"{prefix}s{i}", status, suspended=True, e1a_reasons=frozenset({E1aReason.ABROAD})
            )
        )
    return tuple(out)


def approval(scope: object = ApprovalScope.ONLINE, **kwargs: object) -> Approval:
    fields: dict[str, object] = {
        "number": "123-QĐ/ĐUK",
        "issued_on": date(2023, 4, 20),
        "issuer": "Ban Thường vụ Đảng ủy Khối",
        "scope": scope,
        "valid_from": date(2023, 4, 20),
    }
    fields.update(kwargs)
    return Approval(**fields)  # type: ignore[arg-type]


def org(
    people: tuple[MemberFacts, ...],
    *,
    level: OrgLevel = OrgLevel.CELL,
    it_ready: bool = True,
    groups: int = 0,
    approvals: tuple[Approval, ...] = (),
    circumstances: tuple[Circumstance, ...] = (),
) -> OrgFacts:
    return OrgFacts(
        org_id="chi-bo-1",
        level=level,
        members=people,
        it_ready=it_ready,
        groups=groups,
        approvals=approvals,
        circumstances=circumstances,
    )


def meeting(
    on: date,
    mode: MeetingMode = MeetingMode.HYBRID,
    *,
    kind: MeetingKind = MeetingKind.REGULAR,
    status: MeetingStatus = MeetingStatus.CLOSED,
    under_circumstance: bool = False,
    meeting_id: str | None = None,
    **kwargs: object,
) -> MeetingRecord:
    return MeetingRecord(
        meeting_id=meeting_id or f"{on.isoformat()}-{mode.value}-{kind.value}",
        on=on,
        mode=mode,
        kind=kind,
        status=status,
        under_circumstance=under_circumstance,
        **kwargs,  # type: ignore[arg-type]
    )
