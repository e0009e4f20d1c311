"""Issue 15: where a meeting live nowhere goes (:func:`server.meeting.nodes.place`)."""

from __future__ import annotations

import pytest

from server.config import ConfigError, NodeSettings
from server.meeting.nodes import Load, Placement, place


def node(meetings: int, limit: int = 0, members: int = 0, member_limit: int = 0) -> Load:
    return Load(meetings, members, 0.0, limit, member_limit)


@pytest.mark.parametrize(
    ("here", "others", "margin", "expected"),
    [
        (node(0), [], 1, Placement.HERE),  # alone, no limit
        (node(5, limit=5), [], 1, Placement.FULL),  # alone and full
        (node(5, limit=5), [node(5, limit=5)], 1, Placement.FULL),  # every node full
        (node(5, limit=5), [node(1, limit=5)], 1, Placement.ELSEWHERE),  # full, room elsewhere
        (node(3), [node(1)], 1, Placement.ELSEWHERE),  # two more than the least loaded
        (node(2), [node(1)], 1, Placement.HERE),  # within the margin
        (node(2), [node(1)], 0, Placement.ELSEWHERE),  # margin 0: strictly balanced
        (node(1), [node(1), node(4)], 0, Placement.HERE),  # the least loaded takes it
        (node(3), [node(0, limit=0, members=9, member_limit=9)], 0, Placement.HERE),  # full there
        (node(1, members=9, member_limit=9), [node(4)], 1, Placement.ELSEWHERE),  # members full
    ],
)
def test_place(here: Load, others: list[Load], margin: int, expected: Placement) -> None:
    assert place(here, others, margin) is expected


def test_the_least_loaded_never_sends_a_meeting_on() -> None:
    loads = [node(n, limit=10) for n in (0, 3, 7)]
    for margin in (0, 1, 2):
        takers = [
            i
            for i, here in enumerate(loads)
            if place(here, loads[:i] + loads[i + 1 :], margin) is Placement.HERE
        ]
        assert 0 in takers


def test_negative_limits_are_refused() -> None:
    with pytest.raises(ConfigError, match="HOPCHIBO_NODE_MAX_MEETINGS"):
        NodeSettings(max_meetings=-1)
