"""Tables of the superior committee's oversight: meeting quality (Q1–Q3), supervision and
inspection (S1–S3), members' notebooks (S2) and the pilot as a programme (V1–V3).

A notebook entry's ``ciphertext`` is AES-256-GCM under its member's notebook data key
(``wrapped_keys``, purpose ``notebook``), so ``hopchibo keys rotate`` rewraps it and nothing
here holds a note in clear.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.storage.models import Base, utcnow


class CriteriaSetRow(Base):
    """Q1: one version of a superior committee's quality criteria (``policy.criteria``)."""

    __tablename__ = "quality_criteria_sets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    #: ``CriteriaSet.as_dict()``
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("org_id", "version", name="uq_criteria_version"),)


class QualityResult(Base):
    """Q2: the superior committee's classification of one cell for one period (``2026-01``,
    ``2026-Q1``), with the evaluation it rests on; published to the cell once ``published_at``
    is set."""

    __tablename__ = "quality_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    cell_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))
    criteria_version: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(16))
    percent: Mapped[int] = mapped_column(Integer)
    #: the period result, the meetings' evaluations with their evidence, the R1 state
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    evaluated_by: Mapped[str] = mapped_column(String(200))
    evaluated_at: Mapped[dt.datetime] = mapped_column()
    published_at: Mapped[dt.datetime | None] = mapped_column()

    __table_args__ = (
        UniqueConstraint("cell_org_id", "period", name="uq_quality_result"),
        CheckConstraint(
            "grade IN ('good', 'fair', 'average', 'weak')", name="ck_quality_result_grade"
        ),
    )


class SupervisionAssignment(Base):
    """S1: a committee member (an account) assigned to attend and follow a cell. ``granted``:
    the assignment gave the account the observer role on the cell (taken back at the end)."""

    __tablename__ = "supervision_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    cell_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    granted: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SupervisionVisit(Base):
    """S1: a superior committee member's attendance at a cell meeting, online (recorded when
    they join as an observer) or in the room (recorded by the chair or by themselves)."""

    __tablename__ = "supervision_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    way: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column()

    __table_args__ = (
        UniqueConstraint("meeting_id", "account_id", name="uq_supervision_visit"),
        CheckConstraint("way IN ('online', 'room')", name="ck_supervision_visit_way"),
    )


class Inspection(Base):
    """S2: an inspection (kiểm tra, giám sát) of one cell's records over a period."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    committee_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    cell_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(Text, default="")
    opened_by: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[dt.datetime] = mapped_column()
    closed_at: Mapped[dt.datetime | None] = mapped_column()

    __table_args__ = (CheckConstraint("period_from <= period_to", name="ck_inspection_period"),)


class NotebookEntry(Base):
    """S2: a member's private notes on one meeting (sổ ghi chép của đảng viên), sealed under
    the member's notebook key; shown to an inspection only once the member hands it in."""

    __tablename__ = "notebook_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime] = mapped_column()
    handed_in_inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    handed_in_at: Mapped[dt.datetime | None] = mapped_column()

    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_notebook_entry"),)


class PilotCall(Base):
    """V1: a superior committee's call for registrations, with its deadline (828-CV/ĐUK:
    "báo cáo Ban Thường vụ Đảng uỷ Khối trước 10/4/2023")."""

    __tablename__ = "pilot_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: V1: closed early by the organisation board (no registration accepted after it)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    closed_by: Mapped[str | None] = mapped_column(String(200), default=None)

    __table_args__ = (CheckConstraint("issued_on <= deadline", name="ck_pilot_call_deadline"),)


class RegistrationEvent(Base):
    """V2: one step of a registration (submitted, vetting, returned with a reason, corrected,
    vetted, approved, refused), who took it and why."""

    __tablename__ = "pilot_registration_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("pilot_registrations.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    state_from: Mapped[str] = mapped_column(String(16))
    state_to: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    #: the vetting decision (E1/E2/P1) when the board endorsed it: {"outcome", "rules", "vi", "en"}
    check: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column()


class PilotIncident(Base):
    """V3: an incident of the pilot (technical, security) or members' feedback, for the
    interim and final reviews."""

    __tablename__ = "pilot_incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "kind IN ('technical', 'security', 'feedback')", name="ck_pilot_incident_kind"
        ),
    )
