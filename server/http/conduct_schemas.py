"""Request and response bodies of the meeting-conduct API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from policy.model import AgendaCategory, ItemStatus
from server.http.body import Input, Output
from server.http.schemas import AwareDatetime, MeetingOut
from server.plaintext import NoControl, NoControlButLines

Id = Annotated[int, Field(gt=0, lt=2**31)]
Ids = Annotated[list[Id], Field(min_length=1, max_length=500)]
Count = Annotated[int, Field(ge=0, le=10_000)]
Words = Annotated[str, Field(min_length=1, max_length=10_000), NoControlButLines]
Short = Annotated[str, Field(max_length=200), NoControl]


class CheckInIn(Input):
    member_ids: Ids
    way: Literal["room"] = "room"


class CheckOutIn(Input):
    member_ids: Ids


class HallCodeIn(Input):
    code: Annotated[str, Field(min_length=4, max_length=16)]


class AbsenceIn(Input):
    member_id: Id
    with_reason: bool
    reason: Annotated[str, Field(max_length=1000), NoControl] = ""

    @model_validator(mode="after")
    def _reason(self) -> AbsenceIn:
        if self.with_reason and not self.reason:
            raise PydanticCustomError("missing", "a reason is needed when with_reason is true")
        return self


class AbsencesIn(Input):
    absences: Annotated[list[AbsenceIn], Field(min_length=1, max_length=500)]


class ReclassifyIn(Input):
    category: AgendaCategory


class ConfirmIn(Input):
    """G2: the written reason (at least 10 characters) why the item is not a blocked topic."""

    reason: Annotated[str, Field(min_length=10, max_length=2000), NoControlButLines]


class NoteIn(Input):
    kind: Literal["speech", "differing", "reserved", "conclusion"]
    member_id: Id | None = None
    speaker: Short = ""
    text: Words


class VoteIn(Input):
    subject: Annotated[str, Field(min_length=1, max_length=500), NoControl]
    item_id: Id | None = None
    kind: Literal["open", "secret"] = "open"


class BallotIn(Input):
    choice: Literal["yes", "no", "abstain"]


class HallIn(Input):
    yes: Count
    no: Count
    abstain: Count


class MinutesIn(Input):
    """Who chaired and who took the minutes: a member of the meeting, or a name."""

    chair_member_id: Id | None = None
    chair: Short = ""
    secretary_member_id: Id | None = None
    secretary: Short = ""


class MinutesItemPatch(Input):
    item_id: Id
    conclusion: Annotated[str, Field(max_length=10_000), NoControlButLines]


class MinutesPatch(Input):
    place: Short | None = None
    chair: Short | None = None
    secretary: Short | None = None
    opening: Annotated[str, Field(max_length=10_000), NoControlButLines] | None = None
    closing: Annotated[str, Field(max_length=10_000), NoControlButLines] | None = None
    notes: Annotated[str, Field(max_length=20_000), NoControlButLines] | None = None
    transferred_out: Count | None = None
    items: Annotated[list[MinutesItemPatch], Field(max_length=200)] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> MinutesPatch:
        if not self.model_fields_set:
            raise PydanticCustomError("nothing_to_change", "nothing to change")
        return self


class GroupPlanIn(Input):
    group_id: Id
    leader_member_id: Id
    committee_member_id: Id
    scheduled_start: AwareDatetime
    location: Short = ""


class GroupsIn(Input):
    committee_meeting_id: Id
    groups: Annotated[list[GroupPlanIn], Field(min_length=1, max_length=50)]


class RuleDecisionOut(Output):
    outcome: str
    rules: list[str]
    vi: str
    en: str


class ItemGateOut(Output):
    id: int
    meeting_id: int
    position: int
    title: str
    category: AgendaCategory
    status: ItemStatus
    gate: dict[str, Any] | None
    confirmed_reason: str


class NoteOut(Output):
    id: int
    item_id: int
    kind: str
    member_id: int | None
    speaker: str
    text: str


class DeferredOut(Output):
    item_id: int
    meeting_id: int
    meeting_title: str
    meeting_date: dt.date
    title: str
    category: str
    rules: list[str]
    vi: str
    en: str


class CheckedOut(Output):
    member_ids: list[int]


class CodeOut(Output):
    code: str
    expires_at: dt.datetime
    seconds: int


class AttendanceOut(Output):
    meeting_id: int
    at: dt.datetime
    members: int
    present: int
    room: int
    online: int
    by_category: dict[str, int]
    counted_full_members: int
    counted_full_present: int
    quorum: RuleDecisionOut
    people: list[dict[str, Any]]


class VoteOut(Output):
    id: int
    meeting_id: int
    item_id: int | None
    subject: str
    kind: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    hall: dict[str, int]
    result: dict[str, Any] | None


class BallotOut(Output):
    vote_id: int
    changed: bool


class DocumentOut(Output):
    id: int
    meeting_id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    published_at: dt.datetime | None
    m3: dict[str, Any] | None


class ChatMessageOut(Output):
    id: int
    sender: str
    text: str
    sent_at: dt.datetime


class MinutesOut(Output):
    meeting_id: int
    adopted: bool
    adopted_at: dt.datetime | None
    updated_at: dt.datetime
    content: dict[str, Any]


class AssignmentOut(Output):
    id: int
    cell_meeting_id: int
    committee_meeting_id: int
    group_org_id: int
    group_meeting_id: int
    leader_member_id: int
    committee_member_id: int
    leader_invited: bool
    reported_at: dt.datetime | None
    gm3: dict[str, Any] | None


class GroupReportOut(Output):
    group_id: int
    group: str
    group_meeting_id: int
    meeting_status: str
    leader_member_id: int
    leader: str
    committee_member_id: int
    committee_member: str
    leader_invited: bool
    held_on: dt.date
    due_on: dt.date
    reported_on: dt.date | None
    status: str
    report: dict[str, Any] | None
    outcome: str
    rules: list[str]
    vi: str
    en: str


class GroupStatusOut(GroupReportOut):
    """A group meeting's part in the cycle, for its leader (GM3 judged on the app clock)."""

    cell_meeting_id: int
    cell_meeting_title: str


class AttendingOut(Output):
    """A party group's meeting the caller attends for the cell committee (§II.4.2)."""

    meeting: MeetingOut
    group_id: int
    group: str
    cell_meeting_id: int


class HomeOut(Output):
    """The home page's day and the group meetings the caller attends for the committee."""

    #: today in Vietnam on the app clock: the page's "today", never the device's
    today: dt.date
    now: dt.datetime
    attending: list[AttendingOut]
    #: GM3: the group meetings the caller leads whose report the committee still waits for
    reports_owed: list[MeetingOut]


class GroupPlanningOut(Output):
    """The committee's assignment step: the cell's party groups with their members, the
    committee members, the committee's meetings and the content (the cell meeting's agenda)."""

    meeting: dict[str, Any]
    groups: list[dict[str, Any]]
    committee: list[dict[str, Any]]
    committee_meetings: list[dict[str, Any]]
    content: list[dict[str, Any]]


class ConsolidationOut(Output):
    cell_meeting_id: int
    groups: list[dict[str, Any]]
    attendance: dict[str, Any]
    votes: list[dict[str, Any]]
    consolidated_at: dt.datetime


class ConsoleOut(Output):
    """What a chair console shows at once; poll it or refresh it on live-meeting events."""

    meeting: dict[str, Any]
    agenda: list[ItemGateOut]
    open_item_id: int | None
    votes: list[VoteOut]
    open_vote_id: int | None
    running: dict[str, int] | None
    attendance: AttendanceOut
    minutes: dict[str, Any]
