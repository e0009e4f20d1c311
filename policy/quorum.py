"""Attendance, quorum and votes: A1–A5.

A1: a member counts once, whether in the room or online; presence intervals are merged per member
and a reconnect within the grace period does not break attendance.
A2: counted full members = full members less the temporarily attached, the suspended and the
exempted who are absent (an exempted member who attends is counted). Each flag counts only on the
dates of its period on the member record (an exemption "until the end of a treatment" no longer
takes a member out of the denominator the day after); quorum and votes are judged on the
meeting's Vietnam date.
A3: quorum (rule-set default: more than half of the counted full members present); a resolution
passes only when more than half of the *counted full members* approve, not of those present. A
meeting without quorum can discuss, but its votes are marked not valid.
A4: only counted full members who are present vote; other approvals are ignored and reported.
A5: a cell has at least 3 full members.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from policy.decision import Decision, Outcome, RuleId
from policy.facts import MemberFacts
from policy.i18n import tr
from policy.model import MemberFlag, MemberStatus
from policy.rulesets import RuleSet


class Channel(str, Enum):
    ROOM = "room"  # checked in by the secretary or by a one-time code
    ONLINE = "online"  # authenticated join


@dataclass(frozen=True, slots=True)
class Interval:
    """A closed time interval; ``end`` ``None`` means still open."""

    start: datetime
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError("an interval cannot end before it starts")

    def contains(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at <= self.end)


@dataclass(frozen=True, slots=True)
class Presence:
    """One stretch of a member's presence through one channel (A1)."""

    member_id: str
    channel: Channel
    interval: Interval

    def __post_init__(self) -> None:
        if not self.member_id.strip():
            raise ValueError("member_id must not be empty")
        if not isinstance(self.channel, Channel):
            raise TypeError(f"channel must be a Channel, not {self.channel!r}")


def merge_intervals(intervals: Iterable[Interval], grace: timedelta) -> tuple[Interval, ...]:
    """A1: the union of ``intervals``, joining two when the gap between them is at most ``grace``.

    Invariants: the result is sorted, its intervals are separated by gaps longer than ``grace``,
    every input instant is covered, and merging the result again changes nothing."""
    if grace < timedelta(0):
        raise ValueError("grace must not be negative")
    merged: list[Interval] = []
    for interval in sorted(intervals, key=lambda i: i.start):
        if merged:
            last = merged[-1]
            if last.end is None:
                continue
            if interval.start - last.end <= grace:
                end = None if interval.end is None else max(last.end, interval.end)
                merged[-1] = Interval(last.start, end)
                continue
        merged.append(interval)
    return tuple(merged)


def attendance(
    presences: Iterable[Presence], grace: timedelta
) -> Mapping[str, tuple[Interval, ...]]:
    """A1: merged intervals per member across room and online, so nobody counts twice."""
    by_member: dict[str, list[Interval]] = defaultdict(list)
    for presence in presences:
        by_member[presence.member_id].append(presence.interval)
    return {member: merge_intervals(ints, grace) for member, ints in by_member.items()}


def present_at(presences: Iterable[Presence], at: datetime, grace: timedelta) -> frozenset[str]:
    """A1: members present at ``at`` (a reconnect within ``grace`` bridges the gap)."""
    return frozenset(
        member
        for member, intervals in attendance(presences, grace).items()
        if any(interval.contains(at) for interval in intervals)
    )


def counted_full_members(
    members: Iterable[MemberFacts], present: frozenset[str], *, on: date
) -> frozenset[str]:
    """A2: the ids of the counted full members on ``on`` (the meeting's Vietnam date), given who
    is present. A flag with dates holds only within them (:meth:`MemberFacts.flag_on`)."""
    return frozenset(
        m.member_id
        for m in members
        if m.status is MemberStatus.FULL
        and not m.flag_on(MemberFlag.TEMPORARILY_ATTACHED, on)
        and not m.flag_on(MemberFlag.SUSPENDED, on)
        and (not m.flag_on(MemberFlag.EXEMPTED, on) or m.member_id in present)
    )


def _more_than(part: int, whole: int, num: int, den: int) -> bool:
    return whole > 0 and part * den > whole * num


def check_quorum(
    members: Sequence[MemberFacts], present: frozenset[str], rules: RuleSet, *, on: date
) -> Decision:
    """A2/A3: QUORATE when more than ``quorum_num/quorum_den`` of the counted full members on
    ``on`` are present, else NOT_QUORATE (the meeting may discuss; its votes are not valid)."""
    counted = counted_full_members(members, present, on=on)
    here = len(counted & present)
    params = {"present": here, "counted": len(counted)}
    if _more_than(here, len(counted), rules.quorum_num, rules.quorum_den):
        return Decision(Outcome.QUORATE, (RuleId.A2, RuleId.A3), tr("rules.a3.quorate", **params))
    return Decision(
        Outcome.NOT_QUORATE, (RuleId.A2, RuleId.A3), tr("rules.a3.not_quorate", **params)
    )


@dataclass(frozen=True, slots=True)
class VoteResult:
    """A tally checked against A2–A4. ``approvals`` counts only counted full members present;
    ``ignored`` are approvals from anyone else (probationary members, observers, absentees)."""

    decision: Decision
    counted: int
    present: int
    approvals: int
    ignored: frozenset[str]

    def __post_init__(self) -> None:
        if not 0 <= self.approvals <= self.present <= self.counted:
            raise ValueError("approvals ≤ present ≤ counted must hold")

    @property
    def passed(self) -> bool:
        return self.decision.outcome is Outcome.PASSED

    @property
    def valid(self) -> bool:
        return self.decision.outcome is not Outcome.NOT_VALID


def check_vote(
    members: Sequence[MemberFacts],
    present: frozenset[str],
    approvals: frozenset[str],
    rules: RuleSet,
    *,
    on: date,
) -> VoteResult:
    """A3/A4: PASSED when more than ``pass_num/pass_den`` of the counted full members (not of
    those present) approve; REJECTED otherwise; NOT_VALID without quorum.

    Invariant: the number of approvals that count never exceeds the counted full members, and
    approving more never turns PASSED into anything else. ``on``: the meeting's Vietnam date
    (A2's flags are read on it)."""
    counted = counted_full_members(members, present, on=on)
    voters = counted & present
    valid_approvals = approvals & voters
    ignored = approvals - voters
    params = {
        "approvals": len(valid_approvals),
        "counted": len(counted),
        "present": len(voters),
    }
    rule_ids = (RuleId.A2, RuleId.A3, RuleId.A4)
    if not _more_than(len(voters), len(counted), rules.quorum_num, rules.quorum_den):
        decision = Decision(Outcome.NOT_VALID, rule_ids, tr("rules.a3.vote_not_valid", **params))
    elif _more_than(len(valid_approvals), len(counted), rules.pass_num, rules.pass_den):
        decision = Decision(Outcome.PASSED, rule_ids, tr("rules.a3.passed", **params))
    else:
        decision = Decision(Outcome.REJECTED, rule_ids, tr("rules.a3.rejected", **params))
    return VoteResult(decision, len(counted), len(voters), len(valid_approvals), ignored)


def check_cell_size(members: Iterable[MemberFacts], rules: RuleSet) -> Decision:
    """A5: a cell has at least ``rules.cell_min_full_members`` full members (suspended ones are
    not counted)."""
    full = sum(1 for m in members if m.status is MemberStatus.FULL and not m.suspended)
    params = {"full": full, "minimum": rules.cell_min_full_members}
    if full >= rules.cell_min_full_members:
        return Decision(Outcome.ELIGIBLE, (RuleId.A5,), tr("rules.a5.ok", **params))
    return Decision(Outcome.NOT_ELIGIBLE, (RuleId.A5,), tr("rules.a5.too_few", **params))
