"""E4 (rule sets with effective dates) and the decision values every check returns."""

from __future__ import annotations

from datetime import date

import pytest

from policy.decision import Decision, Outcome, PolicyDenied, RuleId, cite, require
from policy.i18n import Text, tr
from policy.model import AgendaCategory
from policy.rulesets import (
    BASELINE,
    CT50,
    HD03,
    RULE_SETS,
    RuleSet,
    RuleSetId,
    check_ruleset,
    find_ruleset,
    regime_for,
    ruleset_for,
)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param(date(2022, 12, 26), None, id="E4-day-before-03-HD-is-uncovered"),
        pytest.param(date(2022, 12, 27), RuleSetId.HD03, id="E4-03-HD-signing-day"),
        pytest.param(date(2024, 2, 29), RuleSetId.HD03, id="E4-03-HD-leap-day"),
        pytest.param(date(2025, 6, 30), RuleSetId.HD03, id="E4-2025-06-30-last-day-of-03-HD"),
        pytest.param(date(2025, 7, 1), None, id="E4-2025-07-01-no-rule-set"),
        pytest.param(date(2025, 7, 22), None, id="E4-2025-07-22-no-rule-set"),
        pytest.param(date(2025, 7, 23), RuleSetId.CT50, id="E4-2025-07-23-50-CT-first-day"),
        pytest.param(date(2031, 1, 1), RuleSetId.CT50, id="E4-50-CT-open-ended"),
    ],
)
def test_e4_rule_set_in_force(on: date, expected: RuleSetId | None) -> None:
    found = find_ruleset(on)
    decision = check_ruleset(on)
    assert decision.rules == (RuleId.E4,)
    if expected is None:
        assert found is None
        assert decision.outcome is Outcome.BLOCKED
        assert on.strftime("%d/%m/%Y") in decision.text.vi
        with pytest.raises(PolicyDenied) as raised:
            ruleset_for(on)
        assert raised.value.rules == (RuleId.E4,)
        assert regime_for(on) is BASELINE
    else:
        assert found is not None and found.id is expected
        assert decision.outcome is Outcome.ALLOWED
        assert ruleset_for(on) is found
        assert regime_for(on) is found


def test_e4_2025_07_01_is_answered_in_both_languages() -> None:
    decision = check_ruleset(date(2025, 7, 1))
    assert "01/07/2025" in decision.text.vi and "01/07/2025" in decision.text.en
    assert "E4" in decision.text.vi and "E4" in decision.text.en


def test_e4_thresholds_are_parameters_of_the_set() -> None:
    for ruleset in RULE_SETS:
        assert (ruleset.grassroots_online_cap, ruleset.cell_online_cap) == (1, 3)
        assert ruleset.group_meeting_cap == 3
        assert ruleset.group_min_members == 50
        assert ruleset.group_report_days == 1
        assert (ruleset.min_minutes, ruleset.min_minutes_combined) == (90, 120)
        assert ruleset.documents_days_before == 1
        assert (ruleset.quorum_num, ruleset.quorum_den) == (1, 2)
        assert ruleset.blocked_categories == frozenset(
            c for c in AgendaCategory if c.value.startswith("T")
        )
    assert HD03.valid_to == date(2025, 6, 30)
    assert CT50.valid_to is None
    assert not BASELINE.pilot


def test_e4_custom_sets_are_searched_in_order() -> None:
    local = RuleSet(
        id=RuleSetId.CT50,
        source="local",
        valid_from=date(2025, 7, 1),
        valid_to=None,
        cell_online_cap=2,
    )
    assert ruleset_for(date(2025, 7, 1), (HD03, local)).cell_online_cap == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"valid_to": date(2020, 1, 1)}, id="E4-ends-before-it-starts"),
        pytest.param({"quorum_num": 2, "quorum_den": 2}, id="A3-fraction-not-below-one"),
        pytest.param({"cell_online_cap": -1}, id="P3-negative-cap"),
        pytest.param({"meeting_day": 31}, id="R1-day-not-in-every-month"),
    ],
)
def test_e4_rule_set_rejects_bad_parameters(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {
        "id": RuleSetId.HD03,
        "source": "x",
        "valid_from": date(2022, 12, 27),
        "valid_to": None,
    }
    with pytest.raises(ValueError):
        RuleSet(**{**base, **kwargs})  # type: ignore[arg-type]


def test_decision_requires_rule_ids_and_outcome_type() -> None:
    text = tr("rules.p1.ready")
    with pytest.raises(ValueError):
        Decision(Outcome.ALLOWED, (), text)
    with pytest.raises(ValueError):
        Decision(Outcome.ALLOWED, (RuleId.P1, RuleId.P1), text)
    with pytest.raises(TypeError):
        Decision("allowed", (RuleId.P1,), text)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Decision(Outcome.ALLOWED, ("P1",), text)  # type: ignore[arg-type]


def test_decision_reads_as_dict_and_rule_ids() -> None:
    decision = Decision(Outcome.BLOCKED, (RuleId.G1, RuleId.T2), Text("vi", "en"))
    assert decision.rule_ids == ("G1", "T2")
    assert not decision.ok
    assert decision.as_dict() == {
        "outcome": "blocked",
        "rules": ["G1", "T2"],
        "vi": "vi",
        "en": "en",
    }
    assert cite(RuleId.E1, RuleId.E1A, RuleId.E1) == (RuleId.E1, RuleId.E1A)


def test_policy_denied_carries_the_decision_and_refuses_an_ok_one() -> None:
    refusal = check_ruleset(date(2025, 7, 1))
    with pytest.raises(PolicyDenied) as raised:
        require(refusal)
    assert raised.value.decision is refusal
    assert raised.value.text == refusal.text
    assert "E4" in str(raised.value)
    allowed = check_ruleset(date(2025, 7, 23))
    assert require(allowed) is allowed
    with pytest.raises(ValueError):
        PolicyDenied(allowed)
