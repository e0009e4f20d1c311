"""Request and response bodies of the JSON API (validated at the edge, described in OpenAPI)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

import pydantic
from pydantic import AfterValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from policy.model import (
    AgendaCategory,
    ApprovalScope,
    CircumstanceKind,
    E1aReason,
    IssuerKind,
    ItemStatus,
    MeetingKind,
    MeetingMode,
    MeetingStatus,
    MemberFlag,
    MemberStatus,
    OrgLevel,
)
from server.http.body import Input, Output
from server.plaintext import NoControl, NoControlButLines

#: names, titles, places: one line, no control character (server/plaintext.py)
Name = Annotated[str, Field(min_length=1, max_length=200), NoControl]
LongText = Annotated[str, Field(max_length=10_000), NoControlButLines]


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


AwareDatetime = Annotated[pydantic.AwareDatetime, AfterValidator(_utc)]


class OrganisationIn(Input):
    parent_id: int | None = Field(default=None, gt=0)
    level: OrgLevel
    name: Name
    code: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
    location: Annotated[str, Field(max_length=200), NoControl] = ""
    it_ready: bool = False
    it_notes: LongText = ""
    meeting_day: int = Field(default=3, ge=1, le=28)
    #: E3: abroad, the MFA's party committee decides the pilot
    abroad: bool = False


class OrganisationOut(Output):
    id: int
    parent_id: int | None
    level: OrgLevel
    name: str
    code: str
    location: str
    it_ready: bool
    it_notes: str
    meeting_day: int
    abroad: bool


class ReasonPeriodIn(Input):
    """E1a period of one reason: inclusive dates, either may be open."""

    start: dt.date | None = None
    end: dt.date | None = None

    @model_validator(mode="after")
    def _range(self) -> ReasonPeriodIn:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise PydanticCustomError("date_order", "end is before start")
        return self


ReasonPeriods = Annotated[dict[E1aReason, ReasonPeriodIn], Field(max_length=10)]


FlagPeriods = Annotated[dict[MemberFlag, ReasonPeriodIn], Field(max_length=3)]


def periods_json(
    periods: Mapping[E1aReason, ReasonPeriodIn] | Mapping[MemberFlag, ReasonPeriodIn],
) -> dict[str, dict[str, str | None]]:
    """E1a periods (or the flags' dates) as stored on the member row: ``from``/``to``."""
    return {
        key.value: {
            "from": p.start.isoformat() if p.start else None,
            "to": p.end.isoformat() if p.end else None,
        }
        for key, p in periods.items()
    }


def _periods_match(
    reasons: list[E1aReason] | None, periods: dict[E1aReason, object] | None
) -> None:
    if periods and not set(periods) <= set(reasons or ()):
        raise PydanticCustomError(
            "period_reason", "a period for a reason the member does not carry"
        )


class MemberIn(Input):
    full_name: Name
    status: MemberStatus
    exempted: bool = False
    suspended: bool = False
    temporarily_attached: bool = False
    e1a_reasons: Annotated[list[E1aReason], Field(max_length=10)] = []
    #: E1a periods: a seasonal or temporary reason counts only within its period
    e1a_periods: ReasonPeriods = {}
    #: the flags' dates (exempted, suspended, temporarily attached): from and until when
    flag_periods: FlagPeriods = {}
    location: Annotated[str, Field(max_length=200), NoControl] = ""
    group_id: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _periods(self) -> MemberIn:
        _periods_match(self.e1a_reasons, dict(self.e1a_periods))
        return self


class MemberPatch(Input):
    full_name: Name | None = None
    status: MemberStatus | None = None
    exempted: bool | None = None
    suspended: bool | None = None
    temporarily_attached: bool | None = None
    e1a_reasons: Annotated[list[E1aReason], Field(max_length=10)] | None = None
    e1a_periods: ReasonPeriods | None = None
    flag_periods: FlagPeriods | None = None
    location: Annotated[str, Field(max_length=200), NoControl] | None = None
    group_id: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _not_empty(self) -> MemberPatch:
        if not self.model_fields_set:
            raise PydanticCustomError("nothing_to_change", "nothing to change")
        if self.e1a_periods and self.e1a_reasons is not None:
            _periods_match(self.e1a_reasons, dict(self.e1a_periods))
        return self


class MemberOut(Output):
    id: int
    org_id: int
    group_id: int | None
    full_name: str
    status: MemberStatus
    exempted: bool
    suspended: bool
    temporarily_attached: bool
    e1a_reasons: list[str]
    e1a_periods: dict[str, dict[str, str | None]]
    flag_periods: dict[str, dict[str, str | None]]
    location: str


class RegistrationIn(Input):
    """The 828-CV/ĐUK registration form."""

    scope: ApprovalScope
    submitted_on: dt.date
    member_count: int = Field(ge=0, le=100_000)
    locations: LongText = ""
    cells_count: int = Field(default=0, ge=0, le=10_000)
    groups_count: int = Field(default=0, ge=0, le=10_000)
    it_readiness: LongText = ""
    reason: LongText = ""
    contact: Annotated[str, Field(max_length=200), NoControl] = ""


class RegistrationOut(Output):
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
    #: V2: where it stands (draft, submitted, vetting, returned, vetted, approved, refused)
    state: str = "submitted"
    call_id: int | None = None


class DecisionIn(Input):
    """E3: the superior committee's approval decision."""

    registration_id: int | None = Field(default=None, gt=0)
    number: Annotated[str, Field(min_length=1, max_length=64), NoControl]
    decided_on: dt.date
    issuer: Name
    #: E3: who decided (03-HD/TW §III.1); checked against the organisation (home or abroad)
    issuer_kind: IssuerKind
    scope: ApprovalScope
    valid_from: dt.date  # no earlier than decided_on, valid_to no earlier than it (E3, service)
    valid_to: dt.date | None = None


class ApprovalOut(Output):
    id: int
    org_id: int
    registration_id: int | None
    number: str
    decided_on: dt.date
    issuer: str
    issuer_kind: IssuerKind
    scope: ApprovalScope
    valid_from: dt.date
    valid_to: dt.date | None


class CircumstanceIn(Input):
    """E1b: a declared special circumstance."""

    kind: CircumstanceKind
    description: LongText = ""
    started_on: dt.date


class CircumstanceEnd(Input):
    ended_on: dt.date


class CircumstanceOut(Output):
    id: int
    org_id: int
    kind: CircumstanceKind
    description: str
    started_on: dt.date
    ended_on: dt.date | None


class MeetingIn(Input):
    kind: MeetingKind
    mode: MeetingMode
    title: Annotated[str, Field(min_length=1, max_length=300), NoControl]
    scheduled_start: AwareDatetime
    location: Annotated[str, Field(max_length=200), NoControl] = ""
    circumstance_id: int | None = Field(default=None, gt=0)
    parent_meeting_id: int | None = Field(default=None, gt=0)
    #: R2: the other body's meeting this one would be combined with (refused when given)
    combined_with: Annotated[str, Field(max_length=200)] = ""
    #: R2: the chair confirms the meeting is the cell's own, not combined with another meeting
    not_combined_confirmed: bool = False


class MeetingOut(Output):
    id: int
    org_id: int
    kind: MeetingKind
    mode: MeetingMode
    status: MeetingStatus
    title: str
    location: str
    scheduled_start: dt.datetime
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    circumstance_id: int | None
    parent_meeting_id: int | None
    locked: bool


class AgendaItemIn(Input):
    title: Annotated[str, Field(min_length=1, max_length=500), NoControl]
    description: LongText = ""
    category: AgendaCategory
    attachment_names: Annotated[
        list[Annotated[str, Field(max_length=255), NoControl]], Field(max_length=50)
    ] = []


class AgendaItemOut(Output):
    id: int
    meeting_id: int
    position: int
    title: str
    description: str
    attachment_names: list[str]
    category: AgendaCategory
    status: ItemStatus
    gate: dict[str, Any] | None
    confirmed_reason: str


class Health(Output):
    status: str


class Readiness(Output):
    status: str
    database: bool
