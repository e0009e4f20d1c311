"""Request and response models of the oversight API (Q1–Q3, S1–S3, V1–V3)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field

from policy.model import ApprovalScope, IssuerKind
from server.http.body import Input, Output
from server.http.schemas import LongText
from server.plaintext import NoControl

Period = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$")]


class CriterionIn(Input):
    criterion: Literal[
        "on_day",
        "duration",
        "attendance",
        "documents",
        "task_reports",
        "speakers",
        "resolution",
        "minutes",
        "thematic",
        "caps",
        "not_combined",
        "group_reports",
    ]
    points: int = Field(ge=0, le=100)
    threshold: float = Field(default=0.0, ge=0.0, le=1.0)
    cap: Literal["good", "fair", "average", "weak"] | None = None


class CriteriaIn(Input):
    """Q1: a new version of the committee's criteria set."""

    criteria: list[CriterionIn] = Field(min_length=1, max_length=12)
    good: int = Field(default=85, ge=0, le=100)
    fair: int = Field(default=70, ge=0, le=100)
    average: int = Field(default=50, ge=0, le=100)
    weak_periods: int = Field(default=2, ge=1, le=12)


class CriteriaOut(Output):
    version: int
    good: int
    fair: int
    average: int
    weak_periods: int
    criteria: list[dict[str, Any]]


class CriteriaVersionOut(CriteriaOut):
    """Q1: one version: the defaults from the rules (``default``) or a set the committee saved."""

    default: bool
    created_by: str | None
    created_at: str | None


class EvaluateIn(Input):
    """Q2: classify every cell for the period, or only ``cell_id``; ``publish`` sends the
    results to the cells."""

    period: Period
    publish: bool = False
    cell_id: int | None = Field(default=None, gt=0, lt=2**31)


class PublishIn(Input):
    """Q2: publish the period's stored results of every cell, or only of ``cell_id``."""

    period: Period
    cell_id: int | None = Field(default=None, gt=0, lt=2**31)


class QualityResultOut(Output):
    id: int
    cell_id: int
    cell: str
    committee_id: int
    period: str
    grade: str
    grade_text: dict[str, str]
    percent: int
    criteria_version: int
    evaluated_at: str
    published_at: str | None
    result: dict[str, Any]


class MeetingQualityOut(Output):
    meeting_id: str
    on: str
    version: int
    score: int
    max_score: int
    percent: int
    grade: str
    grade_text: dict[str, str]
    results: list[dict[str, Any]]


class CellOverviewOut(Output):
    cell_id: int
    cell: str
    period: str
    stored: bool
    published: bool
    grade: str
    percent: int
    months: list[dict[str, Any]]
    online_used: int
    online_cap: int
    group_used: int
    group_cap: int
    group_reports_late: int
    online_held: int


class WeakCellOut(Output):
    cell_id: int
    cell: str
    periods: list[str]
    rules: list[str]
    vi: str
    en: str
    responsible: list[str]


class SupervisionAssignmentIn(Input):
    """S1: assign a committee member (their account) to follow a cell."""

    cell_id: int = Field(gt=0, lt=2**31)
    account_id: int = Field(gt=0, lt=2**31)
    started_on: dt.date


class SupervisionAssignmentEndIn(Input):
    ended_on: dt.date


class SupervisionAssignmentOut(Output):
    id: int
    committee_org_id: int
    cell_org_id: int
    account_id: int
    started_on: dt.date
    ended_on: dt.date | None


class SupervisionAssignmentListOut(Output):
    id: int
    committee_id: int
    cell_id: int
    cell: str
    account_id: int
    member: str
    started_on: str
    ended_on: str | None


class CandidateOut(Output):
    """S1: a committee member who may be assigned to follow a cell."""

    account_id: int
    name: str
    roles: list[str]


class VisitIn(Input):
    """S1: a committee member attended the meeting."""

    account_id: int = Field(gt=0, lt=2**31)
    way: Literal["room", "online"] = "room"


class VisitOut(Output):
    id: int
    meeting_id: int
    account_id: int
    way: str


class VisitListOut(Output):
    meeting_id: int
    cell_id: int
    cell: str
    on: str
    account_id: int
    member: str
    way: str


class InspectionIn(Input):
    """S2: open an inspection of a cell's records for a period."""

    cell_id: int = Field(gt=0, lt=2**31)
    period_from: dt.date
    period_to: dt.date
    subject: LongText = ""


class InspectionOut(Output):
    id: int
    committee_id: int
    cell_id: int
    period_from: str
    period_to: str
    subject: str
    opened_at: str
    closed_at: str | None


class InspectionRecordsOut(InspectionOut):
    cell: str
    meetings: list[dict[str, Any]]
    notebooks: list[dict[str, Any]]


class NotebookIn(Input):
    text: Annotated[str, Field(max_length=20_000)]


class NotebookOut(Output):
    id: int
    meeting_id: int
    member_id: int
    text: str
    updated_at: str
    handed_in_inspection_id: int | None
    handed_in_at: str | None


class HandInChoiceOut(Output):
    """S2: an open inspection a member may hand their notes on a meeting to."""

    id: int
    committee: str
    period_from: str
    period_to: str
    subject: str


class HandInIn(Input):
    inspection_id: int = Field(gt=0, lt=2**31)


class HandInOut(Output):
    id: int
    meeting_id: int
    handed_in_inspection_id: int
    handed_in_at: str


class CallIn(Input):
    """V1: a call for registrations with its deadline."""

    number: Annotated[str, Field(min_length=1, max_length=64), NoControl]
    issued_on: dt.date
    deadline: dt.date


class CallOut(Output):
    id: int
    org_id: int
    number: str
    issued_on: dt.date
    deadline: dt.date
    #: V1: when the organisation board closed it early (no registration accepted after)
    closed_at: dt.datetime | None = None


class AnsweredCallOut(CallOut):
    """V1: a call one of the unit's registrations answered, with the organisation that issued
    it."""

    org: str


class OpenCallOut(CallOut):
    """V1: a call a unit may still answer, with the organisation that issued it."""

    org: str
    days_left: int


class ProgrammeRegistrationIn(Input):
    """V1: the 828-CV form, answering a call (``call_id``); ``draft`` keeps it unsent."""

    scope: ApprovalScope
    submitted_on: dt.date
    member_count: int = Field(ge=0, le=100_000)
    locations: LongText = ""
    cells_count: int = Field(default=0, ge=0, le=10_000)
    groups_count: int = Field(default=0, ge=0, le=10_000)
    it_readiness: LongText = ""
    reason: LongText = ""
    contact: Annotated[str, Field(max_length=200), NoControl] = ""
    call_id: int | None = Field(default=None, gt=0, lt=2**31)
    draft: bool = False


class CorrectionIn(Input):
    """V2: the fields a unit corrects in a returned registration."""

    member_count: int | None = Field(default=None, ge=0, le=100_000)
    locations: LongText | None = None
    cells_count: int | None = Field(default=None, ge=0, le=10_000)
    groups_count: int | None = Field(default=None, ge=0, le=10_000)
    it_readiness: LongText | None = None
    reason: LongText | None = None
    contact: Annotated[str, Field(max_length=200), NoControl] | None = None


class StepIn(Input):
    """V2: one step of a registration; ``reason`` for return and refuse, ``correction`` for
    correct, the decision's particulars for approve (E3)."""

    action: Literal["submit", "vet", "return", "correct", "endorse", "approve", "refuse"]
    reason: LongText = ""
    correction: CorrectionIn | None = None
    number: Annotated[str, Field(max_length=64), NoControl] = ""
    decided_on: dt.date | None = None
    issuer: Annotated[str, Field(max_length=200), NoControl] = ""
    issuer_kind: IssuerKind = IssuerKind.SUPERIOR_COMMITTEE
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class ProgrammeRegistrationOut(Output):
    id: int
    org_id: int
    scope: ApprovalScope
    submitted_on: dt.date
    member_count: int
    locations: str
    cells_count: int
    groups_count: int
    it_readiness: str
    reason: str
    contact: str
    call_id: int | None
    state: str


class RegistrationEventOut(Output):
    id: int
    registration_id: int
    action: str
    state_from: str
    state_to: str
    reason: str
    check: dict[str, Any] | None
    by: str
    at: dt.datetime


class IncidentIn(Input):
    """V3: an incident of the pilot or members' feedback."""

    occurred_on: dt.date
    kind: Literal["technical", "security", "feedback"]
    description: LongText = ""
    meeting_id: int | None = Field(default=None, gt=0, lt=2**31)


class IncidentOut(Output):
    id: int
    org_id: int
    meeting_id: int | None
    occurred_on: dt.date
    kind: str
    description: str


class IncidentListOut(IncidentOut):
    unit: str


class MonitoringOut(Output):
    unit: str
    online_meetings: int
    group_meetings: int
    in_person_meetings: int
    attendance_percent: int
    deferred_items: int
    incidents: int
    registration: str
    decision: str
