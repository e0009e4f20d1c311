"""Open votes (A1, A3, A4, G3): online ballots of full members present plus the hall's count by
show of hands, tallied with :func:`policy.quorum.check_vote` at closing.

Choices: a member may change an online ballot until the vote closes; the last choice counts.
No double counting (A1): a member checked in to the room votes by hands, so their online ballot
is refused, and the hall's count may not exceed the full members checked in to the room who have
not voted online.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from policy.decision import Decision, Outcome, PolicyDenied, RuleId
from policy.gate import check_secret_ballot
from policy.i18n import tr
from policy.model import ItemStatus
from policy.quorum import check_vote, counted_full_members
from server.conduct.common import Scope, conflict, missing, require_open
from server.conduct.roll_call import present_now
from server.rules import member_facts
from server.storage import conduct as store
from server.storage import meetings as meeting_store
from server.storage.db import Session
from server.storage.models import Member, Vote

if TYPE_CHECKING:
    from server.leases import Liveness

CHOICES = ("yes", "no", "abstain")


def _refuse(key: str, *rule_ids: RuleId, **params: object) -> PolicyDenied:
    return PolicyDenied(Decision(Outcome.NOT_ELIGIBLE, rule_ids, tr(key, **params)))


async def vote_in(session: Session, scope: Scope, vote_id: int) -> Vote:
    vote = await store.vote(session, vote_id)
    if vote is None or vote.meeting_id != scope.meeting.id:
        raise missing("conduct.not_found.vote")
    return vote


async def open_vote(
    session: Session,
    scope: Scope,
    subject: str,
    item_id: int | None,
    secret: bool,
    at: dt.datetime,
) -> Vote:
    """G3/T12: a secret ballot is never started in a hybrid, online or group meeting; in person
    it is held on paper and not run by this product."""
    if secret:
        decision = check_secret_ballot(scope.meeting.mode)
        if not decision.ok:
            raise PolicyDenied(decision)
        raise conflict("conduct.vote.secret_on_paper")
    require_open(scope.meeting)
    if item_id is not None:
        item = await meeting_store.item(session, item_id)
        if item is None or item.meeting_id != scope.meeting.id:
            raise missing("conduct.not_found.item")
        if item.status is not ItemStatus.OPEN:
            raise conflict("conduct.vote.item_not_open", status=item.status.value)
    if any(v.closed_at is None for v in await store.votes(session, scope.meeting.id)):
        raise conflict("conduct.vote.another_open")
    return await store.add_vote(
        session, Vote(meeting_id=scope.meeting.id, item_id=item_id, subject=subject, opened_at=at)
    )


def _require_voting(vote: Vote) -> None:
    if vote.closed_at is not None:
        raise conflict("conduct.vote.closed")


async def _hold_voting(session: Session, vote: Vote) -> None:
    """Hold the open vote for this transaction (A3: a ballot or a hall count racing the close
    is either counted by it or refused as too late, never stored beside it uncounted); what
    others committed before is read again."""
    _require_voting(vote)
    if not await store.hold_open_vote(session, vote.id):
        raise conflict("conduct.vote.closed")
    await session.refresh(vote)


def _counted(scope: Scope, present: frozenset[str]) -> frozenset[str]:
    return counted_full_members(member_facts(scope.members), present, on=scope.on)


async def cast(
    session: Session,
    scope: Scope,
    vote: Vote,
    member: Member | None,
    choice: str,
    at: dt.datetime,
    grace: dt.timedelta,
    alive: Liveness,
) -> bool:
    """A4: only counted full members present vote (A1: connected now, or checked in at the
    hall; a connection whose process died ended when it was last seen). Returns True if a
    ballot was changed."""
    require_open(scope.meeting)
    await _hold_voting(session, vote)
    if member is None or scope.member(member.id) is None:
        raise _refuse("conduct.vote.not_member", RuleId.A4)
    present, room, _online = await present_now(session, scope.meeting.id, at, grace, alive)
    key = str(member.id)
    if key not in _counted(scope, present | {key}):
        raise _refuse("conduct.vote.not_full", RuleId.A4, RuleId.A2)
    if key not in present:
        raise _refuse("conduct.vote.not_present", RuleId.A1, RuleId.A4)
    if key in room:
        raise _refuse("conduct.vote.in_room", RuleId.A1, RuleId.A4)
    _ballot, changed = await store.cast(session, vote.id, member.id, choice, at)
    return changed


async def _hall_capacity(
    session: Session,
    scope: Scope,
    vote: Vote,
    at: dt.datetime,
    grace: dt.timedelta,
    alive: Liveness,
) -> tuple[list[str], frozenset[str], frozenset[str]]:
    """Full members in the room who may still show hands (sorted), everyone present, and the
    online voters among the counted full members present."""
    present, room, _online = await present_now(session, scope.meeting.id, at, grace, alive)
    voters = _counted(scope, present) & present
    online_voters = frozenset(str(b.member_id) for b in await store.ballots(session, vote.id))
    hall = sorted((voters & room) - online_voters, key=int)
    return hall, present, online_voters & voters


async def set_hall(
    session: Session,
    scope: Scope,
    vote: Vote,
    counts: tuple[int, int, int],
    at: dt.datetime,
    grace: dt.timedelta,
    alive: Liveness,
) -> None:
    """The secretary's count of hands in the hall (A1: nobody counted twice)."""
    require_open(scope.meeting)
    await _hold_voting(session, vote)
    hall, _present, _online = await _hall_capacity(session, scope, vote, at, grace, alive)
    if sum(counts) > len(hall):
        raise _refuse(
            "conduct.vote.hall_too_many",
            RuleId.A1,
            RuleId.A4,
            counted=sum(counts),
            room=len(hall),
        )
    vote.hall_yes, vote.hall_no, vote.hall_abstain = counts
    await session.flush()


async def close(
    session: Session,
    scope: Scope,
    vote: Vote,
    at: dt.datetime,
    grace: dt.timedelta,
    alive: Liveness,
) -> dict[str, Any]:
    """A3: the tally against the counted full members, with quorum; stored on the vote."""
    await _hold_voting(session, vote)
    hall, present, online_voters = await _hall_capacity(session, scope, vote, at, grace, alive)
    hall_total = vote.hall_yes + vote.hall_no + vote.hall_abstain
    if hall_total > len(hall):
        raise _refuse(
            "conduct.vote.hall_too_many", RuleId.A1, RuleId.A4, counted=hall_total, room=len(hall)
        )
    online: dict[str, int] = dict.fromkeys(CHOICES, 0)
    online_yes: set[str] = set()
    ignored = 0
    for ballot in await store.ballots(session, vote.id):
        key = str(ballot.member_id)
        if key not in online_voters:
            ignored += 1  # left before the close: their ballot does not count (A1, A4)
            continue
        online[ballot.choice] += 1
        if ballot.choice == "yes":
            online_yes.add(key)
    # check_vote counts approvals by member; the hall's hands are anonymous, so they stand for
    # as many of the room's eligible members (only the number matters, never who).
    approvals = frozenset(online_yes) | frozenset(hall[: vote.hall_yes])
    result = check_vote(member_facts(scope.members), present, approvals, scope.rules, on=scope.on)
    hall_counts = {"yes": vote.hall_yes, "no": vote.hall_no, "abstain": vote.hall_abstain}
    vote.result = {
        **result.decision.as_dict(),
        "valid": result.valid,
        "passed": result.passed,
        "counted": result.counted,
        "present": result.present,
        "yes": online["yes"] + vote.hall_yes,
        "no": online["no"] + vote.hall_no,
        "abstain": online["abstain"] + vote.hall_abstain,
        "online": online,
        "hall": hall_counts,
        "ignored_ballots": ignored,
    }
    vote.closed_at = at
    await session.flush()
    return vote.result


def vote_out(vote: Vote) -> dict[str, Any]:
    return {
        "id": vote.id,
        "meeting_id": vote.meeting_id,
        "item_id": vote.item_id,
        "subject": vote.subject,
        "kind": "open",
        "opened_at": vote.opened_at.isoformat(),
        "closed_at": vote.closed_at.isoformat() if vote.closed_at else None,
        "hall": {"yes": vote.hall_yes, "no": vote.hall_no, "abstain": vote.hall_abstain},
        "result": vote.result,
    }


async def running(session: Session, vote: Vote) -> dict[str, int]:
    """The online ballots so far (the chair's screen; the tally that counts is the close)."""
    counts = dict.fromkeys(CHOICES, 0)
    for ballot in await store.ballots(session, vote.id):
        counts[ballot.choice] += 1
    return {**counts, "ballots": sum(counts.values())}
