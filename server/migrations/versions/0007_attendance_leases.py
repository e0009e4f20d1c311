"""Attendance exact after a crash, a meeting that survives its process (issue 14): each online
interval names the process holding it and when that process last saw the member; processes hold
leases (here, when no Redis is configured); the chair's admission decisions are kept, so a room
rebuilt elsewhere lets in and keeps out the same people.

Existing open online intervals get no owner: no process of this version holds them, so the first
server to start closes them at the last moment known (their start) and audits it as a recovery.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.storage.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attendance_intervals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("last_seen", server.storage.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_attendance_intervals_left_at"), ["left_at"])
    op.create_table(
        "room_admissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("admitted", sa.Boolean(), nullable=False),
        sa.Column("at", server.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_room_admission"),
    )
    op.create_table(
        "process_leases",
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("expires_at", server.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner"),
    )


def downgrade() -> None:
    op.drop_table("process_leases")
    op.drop_table("room_admissions")
    with op.batch_alter_table("attendance_intervals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_intervals_left_at"))
        batch_op.drop_column("last_seen")
        batch_op.drop_column("owner")
