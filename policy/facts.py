"""Plain facts the rules are checked over: members, organisations, approvals, circumstances and
meetings already held. The server builds these from storage; the rules never read storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from policy.model import (
    ApprovalScope,
    CircumstanceKind,
    E1aReason,
    IssuerKind,
    MeetingKind,
    MeetingMode,
    MeetingStatus,
    MemberFlag,
    MemberStatus,
    OrgLevel,
)


def _text(value: str, name: str) -> None:
    if not value or not value.strip():
        raise ValueError(f"{name} must not be empty")


@dataclass(frozen=True, slots=True)
class ReasonPeriod:
    """E1a period: the dates (inclusive; ``None`` open) during which a member's reason holds,
    e.g. a student's summer break or a posting far from home."""

    reason: E1aReason
    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.reason, E1aReason):
            raise TypeError(f"reason must be an E1aReason, not {self.reason!r}")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError("an E1a period cannot end before it starts")

    def covers(self, on: date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


@dataclass(frozen=True, slots=True)
class FlagPeriod:
    """The dates (inclusive; ``None`` open) during which a flag of a member record holds, e.g. an
    exemption until the end of a treatment, or a suspension from the day it was decided."""

    flag: MemberFlag
    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.flag, MemberFlag):
            raise TypeError(f"flag must be a MemberFlag, not {self.flag!r}")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError("a flag's period cannot end before it starts")

    def covers(self, on: date) -> bool:
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


#: E1a seasonal reasons without a period of their own on the record: (month, day) bounds of the
#: season, inclusive. "Sinh viên trong thời gian nghỉ hè" — the summer break, June to August.
SEASONS: Final[dict[E1aReason, tuple[tuple[int, int], tuple[int, int]]]] = {
    E1aReason.STUDENT_BREAK: ((6, 1), (8, 31)),
}


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """One member of an organisation on the day a rule is checked.

    ``exempted``: miễn công tác và sinh hoạt đảng; ``suspended``: bị đình chỉ sinh hoạt đảng;
    ``temporarily_attached``: sinh hoạt tạm thời ở tổ chức đảng khác (left out of A2's count).
    ``e1a_reasons``: the special characteristics (E1a) that keep this member from meeting in person;
    ``e1a_periods`` the period a reason holds (E1a periods): a reason with a period counts only
    within it, a seasonal reason without one only in its season (:data:`SEASONS`), any other
    reason without one always.
    """

    member_id: str
    status: MemberStatus
    exempted: bool = False
    suspended: bool = False
    temporarily_attached: bool = False
    e1a_reasons: frozenset[E1aReason] = frozenset()
    e1a_periods: tuple[ReasonPeriod, ...] = ()
    #: the dates of the flags set above; a flag with a period holds only within it
    flag_periods: tuple[FlagPeriod, ...] = ()

    def __post_init__(self) -> None:
        for fp in self.flag_periods:
            if not isinstance(fp, FlagPeriod):
                raise TypeError("flag_periods must be FlagPeriod values")
        _text(self.member_id, "member_id")
        for period in self.e1a_periods:
            if not isinstance(period, ReasonPeriod):
                raise TypeError("e1a_periods must be ReasonPeriod values")
            if period.reason not in self.e1a_reasons:
                raise ValueError(f"a period for {period.reason.value}, a reason not recorded")
        if not isinstance(self.status, MemberStatus):
            raise TypeError(f"status must be a MemberStatus, not {self.status!r}")
        if not all(isinstance(reason, E1aReason) for reason in self.e1a_reasons):
            raise TypeError("e1a_reasons must be E1aReason values")

    def flag_on(self, flag: MemberFlag, on: date) -> bool:
        """Whether ``flag`` is set and, if it carries dates, ``on`` falls within them."""
        if not getattr(self, flag.value):
            return False
        periods = [p for p in self.flag_periods if p.flag is flag]
        return not periods or any(p.covers(on) for p in periods)

    def reasons_on(self, on: date) -> frozenset[E1aReason]:
        """E1a periods: the reasons that hold on ``on``."""
        held: set[E1aReason] = set()
        for reason in self.e1a_reasons:
            periods = [p for p in self.e1a_periods if p.reason is reason]
            if periods:
                if any(p.covers(on) for p in periods):
                    held.add(reason)
            elif reason in SEASONS:
                (m1, d1), (m2, d2) = SEASONS[reason]
                if (m1, d1) <= (on.month, on.day) <= (m2, d2):
                    held.add(reason)
            else:
                held.add(reason)
        return frozenset(held)


@dataclass(frozen=True, slots=True)
class Approval:
    """The superior committee's decision approving a pilot (E3); ``valid_to`` is inclusive.
    ``issuer_kind`` says who decided, which E3 checks (03-HD/TW §III.1)."""

    number: str
    issued_on: date
    issuer: str
    scope: ApprovalScope
    valid_from: date
    valid_to: date | None = None
    revoked_on: date | None = None
    issuer_kind: IssuerKind = IssuerKind.SUPERIOR_COMMITTEE

    def __post_init__(self) -> None:
        _text(self.number, "number")
        _text(self.issuer, "issuer")
        if not isinstance(self.scope, ApprovalScope):
            raise TypeError(f"scope must be an ApprovalScope, not {self.scope!r}")
        if not isinstance(self.issuer_kind, IssuerKind):
            raise TypeError(f"issuer_kind must be an IssuerKind, not {self.issuer_kind!r}")
        if self.valid_from < self.issued_on:
            raise ValueError("an approval cannot take effect before it is issued")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("an approval cannot end before it starts")
        if self.revoked_on is not None and self.revoked_on < self.issued_on:
            raise ValueError("an approval cannot be revoked before it is issued")

    def covers(self, scope: ApprovalScope, on: date) -> bool:
        if scope is not self.scope or on < self.valid_from:
            return False
        if self.valid_to is not None and on > self.valid_to:
            return False
        return self.revoked_on is None or on < self.revoked_on


@dataclass(frozen=True, slots=True)
class Circumstance:
    """A special circumstance (E1b) declared for an organisation; ``end`` inclusive, ``None``
    while it lasts. ``member_ids`` narrows it to some members; ``None`` means all of them."""

    kind: CircumstanceKind
    start: date
    end: date | None = None
    member_ids: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, CircumstanceKind):
            raise TypeError(f"kind must be a CircumstanceKind, not {self.kind!r}")
        if self.end is not None and self.end < self.start:
            raise ValueError("a circumstance cannot end before it starts")

    def active(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)

    def affects(self, member_id: str) -> bool:
        return self.member_ids is None or member_id in self.member_ids


@dataclass(frozen=True, slots=True)
class OrgFacts:
    """An organisation (grassroots committee or cell) as the rules see it.

    ``it_ready`` is the recorded, approved IT readiness (P1); ``groups`` the number of party
    groups set up (E2); ``abroad`` an organisation outside Vietnam (E3: the MFA's committee
    decides its pilot).
    """

    org_id: str
    level: OrgLevel
    members: tuple[MemberFacts, ...] = ()
    it_ready: bool = False
    groups: int = 0
    approvals: tuple[Approval, ...] = ()
    circumstances: tuple[Circumstance, ...] = ()
    abroad: bool = False

    def __post_init__(self) -> None:
        _text(self.org_id, "org_id")
        if not isinstance(self.level, OrgLevel):
            raise TypeError(f"level must be an OrgLevel, not {self.level!r}")
        if self.groups < 0:
            raise ValueError("groups must not be negative")
        ids = [member.member_id for member in self.members]
        if len(set(ids)) != len(ids):
            raise ValueError("a member appears twice in the organisation")

    def active_circumstances(self, on: date) -> tuple[Circumstance, ...]:
        return tuple(c for c in self.circumstances if c.active(on))


@dataclass(frozen=True, slots=True)
class GroupReport:
    """One party group's session of a group meeting and its report to the committee (GM3)."""

    group_name: str
    held_on: date
    reported_on: date | None = None

    def __post_init__(self) -> None:
        _text(self.group_name, "group_name")
        if self.reported_on is not None and self.reported_on < self.held_on:
            raise ValueError("a group cannot report before it meets")


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    """A meeting of the organisation, planned or held.

    A cell meeting held by party groups is one record with mode GROUP; its groups' sessions are
    ``group_reports``. ``under_circumstance`` marks an online meeting linked to an E1b
    circumstance; ``circumstance`` is that circumstance when known: the meeting is held under it
    (and not counted by P3) only if the circumstance was active on the meeting's date.
    ``combined`` marks a regular and a thematic meeting held together (M2: 120 minutes).
    """

    meeting_id: str
    on: date
    mode: MeetingMode
    kind: MeetingKind
    status: MeetingStatus
    under_circumstance: bool = False
    combined: bool = False
    duration_minutes: int | None = None
    documents_published_on: date | None = None
    group_reports: tuple[GroupReport, ...] = ()
    circumstance: Circumstance | None = None

    def __post_init__(self) -> None:
        _text(self.meeting_id, "meeting_id")
        if not isinstance(self.mode, MeetingMode):
            raise TypeError(f"mode must be a MeetingMode, not {self.mode!r}")
        if not isinstance(self.kind, MeetingKind):
            raise TypeError(f"kind must be a MeetingKind, not {self.kind!r}")
        if not isinstance(self.status, MeetingStatus):
            raise TypeError(f"status must be a MeetingStatus, not {self.status!r}")
        if self.duration_minutes is not None and self.duration_minutes < 0:
            raise ValueError("duration_minutes must not be negative")
        if self.group_reports and self.mode is not MeetingMode.GROUP:
            raise ValueError("only a meeting held by party groups has group reports")

    @property
    def held(self) -> bool:
        """Held or being held: the meetings that caps count."""
        return self.status in (MeetingStatus.OPEN, MeetingStatus.CLOSED)

    @property
    def held_under_circumstance(self) -> bool:
        """P3/P4: linked to a circumstance that was active on the meeting's date."""
        if not self.under_circumstance:
            return False
        return self.circumstance is None or self.circumstance.active(self.on)
