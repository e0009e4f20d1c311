"""Meeting conduct: hall check-in codes, item notes, meeting documents, party-group cycle

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:37:38.840371
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.storage.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkin_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", server.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", server.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    with op.batch_alter_table("checkin_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checkin_codes_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "group_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cell_meeting_id", sa.Integer(), nullable=False),
        sa.Column("committee_meeting_id", sa.Integer(), nullable=False),
        sa.Column("group_org_id", sa.Integer(), nullable=False),
        sa.Column("group_meeting_id", sa.Integer(), nullable=False),
        sa.Column("leader_member_id", sa.Integer(), nullable=False),
        sa.Column("committee_member_id", sa.Integer(), nullable=False),
        sa.Column("leader_invited", sa.Boolean(), nullable=False),
        sa.Column("reported_at", server.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("gm3", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cell_meeting_id"],
            ["meetings.id"],
        ),
        sa.ForeignKeyConstraint(
            ["committee_meeting_id"],
            ["meetings.id"],
        ),
        sa.ForeignKeyConstraint(
            ["committee_member_id"],
            ["members.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_meeting_id"],
            ["meetings.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_org_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["leader_member_id"],
            ["members.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cell_meeting_id", "group_org_id", name="uq_group_assignment"),
        sa.UniqueConstraint("group_meeting_id"),
    )
    with op.batch_alter_table("group_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_assignments_cell_meeting_id"), ["cell_meeting_id"], unique=False
        )

    op.create_table(
        "meeting_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", server.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", server.storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("m3", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_documents_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "item_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("speaker", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", server.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('speech', 'differing', 'reserved', 'conclusion')", name="ck_item_note_kind"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_items.id"],
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("item_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_notes_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("item_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_notes_item_id"))

    op.drop_table("item_notes")
    with op.batch_alter_table("meeting_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_documents_meeting_id"))

    op.drop_table("meeting_documents")
    with op.batch_alter_table("group_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_assignments_cell_meeting_id"))

    op.drop_table("group_assignments")
    with op.batch_alter_table("checkin_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkin_codes_meeting_id"))

    op.drop_table("checkin_codes")
