"""E1, E2, E3, P1 and P2: who may meet online or by party groups (03-HD/TW §II.1, §II.2)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.decision import Outcome, RuleId
from policy.eligibility import (
    check_approval,
    check_group_scope,
    check_it_ready,
    check_online_scope,
    online_scope,
)
from policy.facts import Approval, Circumstance, FlagPeriod, MemberFacts, OrgFacts
from policy.mode import check_fully_online, check_mode
from policy.model import (
    ApprovalScope,
    CircumstanceKind,
    E1aReason,
    MeetingMode,
    MemberFlag,
    MemberStatus,
    OrgLevel,
)
from policy.rulesets import HD03
from tests.policy.factories import DAY, approval, members, org


@pytest.mark.parametrize(
    ("able", "unable", "exempted", "suspended", "eligible"),
    [
        pytest.param(5, 5, 0, 0, False, id="E1-exactly-half-is-not-more-than-half"),
        pytest.param(4, 5, 0, 0, True, id="E1-five-of-nine-is-more-than-half"),
        pytest.param(6, 5, 0, 0, False, id="E1-five-of-eleven"),
        pytest.param(5, 4, 3, 0, False, id="E1-exempted-leave-the-denominator"),
        pytest.param(5, 4, 0, 3, False, id="E1-suspended-leave-the-denominator"),
        pytest.param(3, 4, 2, 2, True, id="E1-four-of-seven-counted"),
        pytest.param(0, 0, 2, 2, False, id="E1-nobody-counted"),
        pytest.param(0, 1, 0, 0, True, id="E1-one-of-one"),
    ],
)
def test_e1_more_than_half_of_counted_members(
    able: int, unable: int, exempted: int, suspended: int, eligible: bool
) -> None:
    cell = org(members(able, unable, exempted=exempted, suspended=suspended))
    decision = check_online_scope(cell, DAY)
    assert decision.outcome is (Outcome.ELIGIBLE if eligible else Outcome.NOT_ELIGIBLE)
    assert decision.rules[0] is RuleId.E1
    scope = online_scope(cell, DAY)
    assert (scope.counted, scope.unable) == (able + unable, unable)
    assert f"{unable}/{able + unable}" in decision.text.vi


def test_e1a_reason_cited() -> None:
    decision = check_online_scope(org(members(1, 2)), DAY)
    assert decision.rules == (RuleId.E1, RuleId.E1A)


@pytest.mark.parametrize(
    ("start", "end", "eligible"),
    [
        pytest.param(date(2025, 9, 1), None, True, id="E1b-active-open-ended"),
        pytest.param(date(2025, 9, 1), date(2025, 9, 3), True, id="E1b-last-day-inclusive"),
        pytest.param(date(2025, 8, 1), date(2025, 9, 2), False, id="E1b-ended-yesterday"),
        pytest.param(date(2025, 9, 4), None, False, id="E1b-starts-tomorrow"),
    ],
)
def test_e1b_circumstance_on_the_date(start: date, end: date | None, eligible: bool) -> None:
    storm = Circumstance(CircumstanceKind.NATURAL_DISASTER, start, end)
    cell = org(members(6, 0), circumstances=(storm,))
    decision = check_online_scope(cell, DAY)
    assert decision.ok is eligible
    assert (RuleId.E1B in decision.rules) is eligible
    assert online_scope(cell, DAY).under_circumstance is eligible


def test_e1b_circumstance_narrowed_to_some_members() -> None:
    people = members(4, 0)
    flood = Circumstance(
        CircumstanceKind.NATURAL_DISASTER, date(2025, 9, 1), member_ids=frozenset({"ma0", "ma1"})
    )
    assert not check_online_scope(org(people, circumstances=(flood,)), DAY).ok
    wider = Circumstance(
        CircumstanceKind.EPIDEMIC, date(2025, 9, 1), member_ids=frozenset({"ma0", "ma1", "ma2"})
    )
    assert check_online_scope(org(people, circumstances=(wider,)), DAY).ok


def test_e1_mixed_reasons_count_once() -> None:
    both = MemberFacts("b", MemberStatus.FULL, e1a_reasons=frozenset({E1aReason.ARMED_FORCES}))
    cell = org(
        (both, MemberFacts("c", MemberStatus.FULL)),
        circumstances=(Circumstance(CircumstanceKind.EPIDEMIC, date(2025, 9, 1)),),
    )
    scope = online_scope(cell, DAY)
    assert (scope.counted, scope.unable, scope.by_characteristic, scope.by_circumstance) == (
        2,
        2,
        1,
        2,
    )


def test_e1_flag_dates() -> None:
    """An exemption or suspension with dates leaves E1's count only within them; a flag without
    dates always; a flag not set never, whatever dates are recorded."""
    june = FlagPeriod(MemberFlag.EXEMPTED, date(2026, 6, 1), date(2026, 6, 30))
    away = MemberFacts("a", MemberStatus.FULL, e1a_reasons=frozenset({E1aReason.SEAFARER}))
    exempt_june = MemberFacts("e", MemberStatus.FULL, exempted=True, flag_periods=(june,))
    suspended = MemberFacts("s", MemberStatus.FULL, suspended=True)
    unset = MemberFacts(
        "u", MemberStatus.FULL, flag_periods=(FlagPeriod(MemberFlag.EXEMPTED, None, None),)
    )
    cell = org((away, exempt_june, suspended, unset))
    assert online_scope(cell, date(2026, 6, 15)).counted == 2  # away, unset
    assert online_scope(cell, date(2026, 7, 1)).counted == 3  # the exemption ended
    assert exempt_june.flag_on(MemberFlag.EXEMPTED, date(2026, 6, 30))
    assert not exempt_june.flag_on(MemberFlag.EXEMPTED, date(2026, 5, 31))
    assert suspended.flag_on(MemberFlag.SUSPENDED, date(2000, 1, 1))
    assert not unset.flag_on(MemberFlag.EXEMPTED, date(2026, 6, 15))
    with pytest.raises(ValueError, match="cannot end before"):
        FlagPeriod(MemberFlag.SUSPENDED, date(2026, 2, 1), date(2026, 1, 1))


def test_e1_only_grassroots_and_cells() -> None:
    decision = check_online_scope(org(members(0, 3), level=OrgLevel.GROUP), DAY)
    assert decision.outcome is Outcome.NOT_ELIGIBLE and decision.rules == (RuleId.E1,)


@given(
    able=st.integers(0, 12),
    unable=st.integers(0, 12),
    extra_exempted=st.integers(0, 6),
    extra_suspended=st.integers(0, 6),
    at_sea=st.booleans(),
)
def test_e1_property_exempted_or_suspended_never_change_the_answer(
    able: int, unable: int, extra_exempted: int, extra_suspended: int, at_sea: bool
) -> None:
    base = members(able, unable)
    extra = tuple(
        MemberFacts(
            f"extra{i}",
            MemberStatus.FULL,
            exempted=i < extra_exempted,
            suspended=i >= extra_exempted,
            e1a_reasons=frozenset({E1aReason.SEAFARER}) if at_sea else frozenset(),
        )
        for i in range(extra_exempted + extra_suspended)
    )
    before = check_online_scope(org(base), DAY)
    after = check_online_scope(org(base + extra), DAY)
    assert before.outcome is after.outcome


@pytest.mark.parametrize(
    ("count", "groups", "eligible"),
    [
        pytest.param(49, 3, False, id="E2-49th-member-not-enough"),
        pytest.param(50, 3, True, id="E2-50th-member-enough"),
        pytest.param(51, 3, True, id="E2-51st-member"),
        pytest.param(80, 0, False, id="E2-no-party-groups"),
    ],
)
def test_e2_group_meetings(count: int, groups: int, eligible: bool) -> None:
    people = members(count // 2, count - count // 2 - 1) + members(
        1, status=MemberStatus.PROBATIONARY, prefix="p"
    )
    assert len(people) == count
    decision = check_group_scope(org(people, groups=groups), HD03)
    assert decision.ok is eligible
    assert decision.rules == (RuleId.E2,)
    assert str(count) in decision.text.vi


def test_e2_only_cells() -> None:
    decision = check_group_scope(org(members(60), level=OrgLevel.GRASSROOTS, groups=4), HD03)
    assert decision.outcome is Outcome.NOT_ELIGIBLE


@pytest.mark.parametrize(
    ("approvals", "scope", "on", "eligible"),
    [
        pytest.param((), ApprovalScope.ONLINE, DAY, False, id="E3-no-decision"),
        pytest.param((approval(),), ApprovalScope.ONLINE, DAY, True, id="E3-valid-open-ended"),
        pytest.param((approval(),), ApprovalScope.GROUP, DAY, False, id="E3-wrong-scope"),
        pytest.param(
            (approval(valid_to=date(2025, 6, 30)),),
            ApprovalScope.ONLINE,
            DAY,
            False,
            id="E3-expired",
        ),
        pytest.param(
            (approval(valid_to=date(2025, 9, 3)),),
            ApprovalScope.ONLINE,
            DAY,
            True,
            id="E3-last-day-inclusive",
        ),
        pytest.param(
            (approval(revoked_on=date(2025, 9, 1)),),
            ApprovalScope.ONLINE,
            DAY,
            False,
            id="E3-revoked",
        ),
        pytest.param(
            (approval(),), ApprovalScope.ONLINE, date(2023, 4, 19), False, id="E3-before-valid"
        ),
        pytest.param(
            (approval(), approval(ApprovalScope.GROUP, number="7-QĐ/ĐUK")),
            ApprovalScope.GROUP,
            DAY,
            True,
            id="E3-group-decision",
        ),
    ],
)
def test_e3_approval(
    approvals: tuple[Approval, ...], scope: ApprovalScope, on: date, eligible: bool
) -> None:
    decision = check_approval(org(members(1), approvals=approvals), scope, on)
    assert decision.ok is eligible
    assert decision.rules == (RuleId.E3,)
    if eligible:
        assert "Ban Thường vụ Đảng ủy Khối" in decision.text.vi


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"number": " "}, id="E3-needs-a-number"),
        pytest.param({"valid_from": date(2023, 1, 1)}, id="E3-not-before-issued"),
        pytest.param({"valid_to": date(2023, 4, 1)}, id="E3-ends-before-start"),
        pytest.param({"scope": "online"}, id="E3-scope-enum"),
    ],
)
def test_e3_approval_values_are_checked(kwargs: dict[str, object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        approval(**kwargs)


@pytest.mark.parametrize(
    ("ready", "ok"),
    [pytest.param(True, True, id="P1-ready"), pytest.param(False, False, id="P1-not-ready")],
)
def test_p1_it_readiness(ready: bool, ok: bool) -> None:
    decision = check_it_ready(org(members(1), it_ready=ready))
    assert decision.ok is ok and decision.rules == (RuleId.P1,)


def test_p2_fully_online_only_when_nobody_can_gather() -> None:
    assert not check_fully_online(org(members(1, 5)), DAY).ok
    assert check_fully_online(org(members(0, 5, exempted=1)), DAY).ok


def _eligible_cell(**kwargs: object) -> OrgFacts:
    fields: dict[str, object] = {"approvals": (approval(), approval(ApprovalScope.GROUP))}
    fields.update(kwargs)
    return org(members(2, 5), **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cell", "mode", "on", "outcome", "rule"),
    [
        pytest.param(
            _eligible_cell(),
            MeetingMode.HYBRID,
            DAY,
            Outcome.ELIGIBLE,
            RuleId.E4,
            id="E1-E3-P1-hybrid-ok",
        ),
        pytest.param(
            _eligible_cell(),
            MeetingMode.HYBRID,
            date(2025, 7, 1),
            Outcome.BLOCKED,
            RuleId.E4,
            id="E4-hybrid-on-2025-07-01",
        ),
        pytest.param(
            _eligible_cell(),
            MeetingMode.IN_PERSON,
            date(2025, 7, 1),
            Outcome.ELIGIBLE,
            RuleId.P2,
            id="E4-in-person-needs-no-rule-set",
        ),
        pytest.param(
            _eligible_cell(it_ready=False),
            MeetingMode.HYBRID,
            DAY,
            Outcome.NOT_ELIGIBLE,
            RuleId.P1,
            id="P1-refuses-hybrid",
        ),
        pytest.param(
            _eligible_cell(approvals=()),
            MeetingMode.ONLINE,
            DAY,
            Outcome.NOT_ELIGIBLE,
            RuleId.P2,
            id="P2-refuses-fully-online-when-some-can-gather",
        ),
        pytest.param(
            _eligible_cell(approvals=()),
            MeetingMode.HYBRID,
            DAY,
            Outcome.NOT_ELIGIBLE,
            RuleId.E3,
            id="E3-refuses-hybrid-without-decision",
        ),
        pytest.param(
            org(members(5, 5), approvals=(approval(),)),
            MeetingMode.HYBRID,
            DAY,
            Outcome.NOT_ELIGIBLE,
            RuleId.E1,
            id="E1-refuses-hybrid-at-exactly-half",
        ),
        pytest.param(
            org(members(30, 20), groups=4, approvals=(approval(ApprovalScope.GROUP),)),
            MeetingMode.GROUP,
            DAY,
            Outcome.ELIGIBLE,
            RuleId.E2,
            id="E2-group-mode-ok",
        ),
        pytest.param(
            org(members(30, 19), groups=4, approvals=(approval(ApprovalScope.GROUP),)),
            MeetingMode.GROUP,
            DAY,
            Outcome.NOT_ELIGIBLE,
            RuleId.E2,
            id="E2-group-mode-49-members",
        ),
        pytest.param(
            org(members(30, 20), groups=4, approvals=(approval(),)),
            MeetingMode.GROUP,
            DAY,
            Outcome.NOT_ELIGIBLE,
            RuleId.E3,
            id="E3-group-mode-needs-group-decision",
        ),
    ],
)
def test_mode_decision(
    cell: OrgFacts, mode: MeetingMode, on: date, outcome: Outcome, rule: RuleId
) -> None:
    decision = check_mode(cell, (), mode, on)
    assert decision.outcome is outcome
    assert rule in decision.rules


def test_mode_eligible_cites_every_rule_checked() -> None:
    decision = check_mode(_eligible_cell(), (), MeetingMode.HYBRID, DAY)
    assert set(decision.rules) >= {RuleId.E4, RuleId.P1, RuleId.E1, RuleId.E3, RuleId.P3, RuleId.P4}
    assert "50-CT/TW" in decision.text.vi


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: MemberFacts("", MemberStatus.FULL), id="facts-empty-member-id"),
        pytest.param(lambda: MemberFacts("a", "full"), id="facts-status-enum"),  # type: ignore[arg-type]
        pytest.param(
            lambda: OrgFacts(
                "o", OrgLevel.CELL, members=(MemberFacts("a", MemberStatus.FULL),) * 2
            ),
            id="facts-member-twice",
        ),
        pytest.param(
            lambda: Circumstance(CircumstanceKind.EPIDEMIC, date(2025, 2, 1), date(2025, 1, 1)),
            id="E1b-ends-before-start",
        ),
        pytest.param(lambda: OrgFacts("o", OrgLevel.CELL, groups=-1), id="E2-negative-groups"),
    ],
)
def test_facts_are_checked(build: object) -> None:
    assert callable(build)
    with pytest.raises((ValueError, TypeError)):
        build()
