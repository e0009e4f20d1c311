"""Tables of the domain model (docs/domain.md). Enums come from :mod:`policy.model`."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from policy.model import (
    AgendaCategory,
    ApprovalScope,
    CircumstanceKind,
    IssuerKind,
    ItemStatus,
    MeetingKind,
    MeetingMode,
    MeetingStatus,
    MemberStatus,
    OrgLevel,
    Role,
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _enum(cls: type[Enum], name: str) -> SAEnum:
    return SAEnum(
        cls,
        name=name,
        native_enum=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime()}


class Organisation(Base):
    """Grassroots committee → cell → party group (OrgLevel)."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    level: Mapped[OrgLevel] = mapped_column(_enum(OrgLevel, "org_level"))
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    location: Mapped[str] = mapped_column(String(200), default="")
    #: P1: IT readiness recorded and approved for online meetings
    it_ready: Mapped[bool] = mapped_column(Boolean, default=False)
    it_notes: Mapped[str] = mapped_column(Text, default="")
    #: M4: the superior committee's meeting day of the month (R1 default 3)
    meeting_day: Mapped[int] = mapped_column(Integer, default=3)
    #: E3: an organisation abroad, whose pilot the MFA's party committee decides
    abroad: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("meeting_day BETWEEN 1 AND 28", name="ck_org_meeting_day"),)


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[MemberStatus] = mapped_column(_enum(MemberStatus, "member_status"))
    exempted: Mapped[bool] = mapped_column(Boolean, default=False)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    temporarily_attached: Mapped[bool] = mapped_column(Boolean, default=False)
    #: E1a reason codes (policy.model.E1aReason values)
    e1a_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: E1a periods: {reason code: {"from": "YYYY-MM-DD" | null, "to": "YYYY-MM-DD" | null}}; a
    #: reason without an entry holds always (or in its season, policy.facts.SEASONS)
    e1a_periods: Mapped[dict[str, dict[str, str | None]]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    location: Mapped[str] = mapped_column(String(200), default="")
    #: dates of the flags: {"exempted" | "suspended" | "temporarily_attached": {"from": ..,
    #: "to": ..}} (ISO dates or null); a flag with a period holds only within it
    flag_periods: Mapped[dict[str, dict[str, str | None]]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MemberChange(Base):
    """The roster's history: who changed which fields of a member's record, from what to what
    (the same change is in the audit log too; this is what the secretary reads)."""

    __tablename__ = "member_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: "create" | "update" | "import"
    action: Mapped[str] = mapped_column(String(16))
    #: {field: [old, new]} (JSON values)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    changed_at: Mapped[dt.datetime] = mapped_column()


class Account(Base):
    """A sign-in identity; linked to a member record except for officers, admins, devices."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the administrator reset the second factors: the member enrols a new one at next sign-in
    factor_reset_at: Mapped[dt.datetime | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    roles: Mapped[list[RoleAssignment]] = relationship(back_populates="account", lazy="selectin")


class RoleAssignment(Base):
    __tablename__ = "role_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))

    account: Mapped[Account] = relationship(back_populates="roles")

    __table_args__ = (UniqueConstraint("account_id", "org_id", "role", name="uq_role"),)


class PilotRegistration(Base):
    """A unit's registration for the pilot, with the 828-CV/ĐUK form fields (E3)."""

    __tablename__ = "pilot_registrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    scope: Mapped[ApprovalScope] = mapped_column(_enum(ApprovalScope, "approval_scope"))
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    member_count: Mapped[int] = mapped_column(Integer)
    locations: Mapped[str] = mapped_column(Text, default="")
    cells_count: Mapped[int] = mapped_column(Integer, default=0)
    groups_count: Mapped[int] = mapped_column(Integer, default=0)
    it_readiness: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    #: V1: the call (with its deadline) it answers, if any
    call_id: Mapped[int | None] = mapped_column(ForeignKey("pilot_calls.id"))
    #: V2: policy.programme.RegistrationState; rows from before 0008 were submitted
    state: Mapped[str] = mapped_column(String(16), default="submitted", server_default="submitted")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApprovalDecision(Base):
    """The superior committee's decision approving a pilot (E3)."""

    __tablename__ = "approval_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("pilot_registrations.id"))
    number: Mapped[str] = mapped_column(String(64))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(200))
    #: E3: who decided (03-HD/TW §III.1); rows from before 0006 were recorded as the superior
    #: committee's decisions
    issuer_kind: Mapped[IssuerKind] = mapped_column(
        _enum(IssuerKind, "issuer_kind"), server_default=IssuerKind.SUPERIOR_COMMITTEE.value
    )
    scope: Mapped[ApprovalScope] = mapped_column(_enum(ApprovalScope, "approval_scope"))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Circumstance(Base):
    """A declared special circumstance (E1b) for an organisation."""

    __tablename__ = "circumstances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[CircumstanceKind] = mapped_column(_enum(CircumstanceKind, "circumstance_kind"))
    description: Mapped[str] = mapped_column(Text, default="")
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PublicHoliday(Base):
    """A public day off (Labour Code 2019 Art. 112) of one year: the data R1/M4 pass over.

    Lunar holidays (Tết, Hùng Kings' day) are computed in UTC+7 when the year is added
    (``hopchibo holidays add``); the Tết days and the day next to 2 Sep are set yearly by the
    government, so rows can be added or removed by hand."""

    __tablename__ = "public_holidays"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True, index=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    #: "solar" (fixed date), "lunar" (from the lunar calendar) or "set" (set yearly by decision)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("kind IN ('solar', 'lunar', 'set')", name="ck_public_holiday_kind"),
    )


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind, "meeting_kind"))
    mode: Mapped[MeetingMode] = mapped_column(_enum(MeetingMode, "meeting_mode"))
    status: Mapped[MeetingStatus] = mapped_column(
        _enum(MeetingStatus, "meeting_status"), default=MeetingStatus.SCHEDULED
    )
    title: Mapped[str] = mapped_column(String(300))
    location: Mapped[str] = mapped_column(String(200), default="")
    scheduled_start: Mapped[dt.datetime] = mapped_column()
    started_at: Mapped[dt.datetime | None] = mapped_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column()
    #: E1b: held under this declared circumstance (not counted toward the P3 cap)
    circumstance_id: Mapped[int | None] = mapped_column(ForeignKey("circumstances.id"))
    #: party-group meetings (E2): the cell meeting they prepare
    parent_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AgendaItem(Base):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    attachment_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    category: Mapped[AgendaCategory] = mapped_column(_enum(AgendaCategory, "agenda_category"))
    status: Mapped[ItemStatus] = mapped_column(
        _enum(ItemStatus, "item_status"), default=ItemStatus.PLANNED
    )
    #: last gate decision (G1–G3) as {"outcome", "rules", "text": {"vi","en"}}
    gate: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: G2: the chair's written reason when confirming a suspected item
    confirmed_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("meeting_id", "position", name="uq_agenda_position"),)


class AttendanceInterval(Base):
    """A1: one interval of presence, online or in the room."""

    __tablename__ = "attendance_intervals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    way: Mapped[str] = mapped_column(String(16))  # "online" | "room"
    joined_at: Mapped[dt.datetime] = mapped_column()
    left_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    #: an online interval: the process holding its connection (its lease says whether it is
    #: alive, :mod:`server.leases`) and when that process last saw the member connected; a
    #: room interval has neither
    owner: Mapped[str | None] = mapped_column(String(64))
    last_seen: Mapped[dt.datetime | None] = mapped_column()

    __table_args__ = (CheckConstraint("way IN ('online', 'room')", name="ck_attendance_way"),)


class RoomAdmission(Base):
    """The chair's last admission decision on one person in a meeting's room (admitted, or
    denied/removed: held in the lobby), so that a room rebuilt in another process after a crash
    lets in who was let in and keeps out who was kept out."""

    __tablename__ = "room_admissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    #: the room's user id (``m<member id>`` or ``a<account id>``)
    user_id: Mapped[str] = mapped_column(String(32))
    admitted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime] = mapped_column()

    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="uq_room_admission"),)


class ProcessLease(Base):
    """A server process's lease (when no Redis is configured): alive until ``expires_at``,
    renewed by the process itself (:class:`server.leases.DatabaseLeases`)."""

    __tablename__ = "process_leases"

    owner: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column()


class Absence(Base):
    __tablename__ = "absences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    with_reason: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_absence"),)


class Vote(Base):
    """An open vote (A3, A4): online ballots plus the hall's count entered by the secretary."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    subject: Mapped[str] = mapped_column(String(500))
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    hall_yes: Mapped[int] = mapped_column(Integer, default=0)
    hall_no: Mapped[int] = mapped_column(Integer, default=0)
    hall_abstain: Mapped[int] = mapped_column(Integer, default=0)
    #: the tally decision as {"valid", "passed", "rules", "text"} once closed
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Ballot(Base):
    __tablename__ = "ballots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    choice: Mapped[str] = mapped_column(String(8))  # yes | no | abstain
    cast_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("vote_id", "member_id", name="uq_ballot"),
        CheckConstraint("choice IN ('yes', 'no', 'abstain')", name="ck_ballot_choice"),
    )


class Minutes(Base):
    """M1: the biên bản of a meeting, generated then edited, read back and adopted."""

    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), unique=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    adopted_at: Mapped[dt.datetime | None] = mapped_column()
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditRecord(Base):
    """Append-only, sealed audit log (R6, R7): the columns of :class:`server.crypto.auditchain.
    AuditRow`. The payload (actor, action, target, details) is AES-256-GCM ciphertext; triggers
    created by migration 0004 refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    ts: Mapped[int] = mapped_column(BigInteger, index=True)  # microseconds since epoch, UTC
    key_id: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary)
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary)
    mac: Mapped[bytes] = mapped_column(LargeBinary)


# ``PilotRegistration.call_id`` refers to a table of the oversight models: load them with these
# (at the end, once ``Base`` exists), so the metadata always knows every table a flush orders.
import server.storage.models_oversight  # noqa: E402, F401
