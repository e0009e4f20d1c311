"""Oversight (issue 17): meeting quality criteria and results (Q1–Q3), supervision
assignments, visits and inspections (S1–S3), members' notebooks (S2, sealed under a per-member
data key), and the pilot as a programme: calls with a deadline, registration states and their
events, incidents (V1–V3).

Existing registrations were sent before states existed: they become ``submitted``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 19:22:49
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_org_id", sa.Integer(), nullable=False),
        sa.Column("cell_org_id", sa.Integer(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("opened_by", sa.String(length=200), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("period_from <= period_to", name="ck_inspection_period"),
        sa.ForeignKeyConstraint(
            ["cell_org_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["committee_org_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspections_cell_org_id"), ["cell_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspections_committee_org_id"), ["committee_org_id"], unique=False
        )

    op.create_table(
        "pilot_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("issued_on <= deadline", name="ck_pilot_call_deadline"),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pilot_calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pilot_calls_org_id"), ["org_id"], unique=False)

    op.create_table(
        "quality_criteria_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_id", "version", name="uq_criteria_version"),
    )
    with op.batch_alter_table("quality_criteria_sets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quality_criteria_sets_org_id"), ["org_id"], unique=False
        )

    op.create_table(
        "quality_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_org_id", sa.Integer(), nullable=False),
        sa.Column("cell_org_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("criteria_version", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("evaluated_by", sa.String(length=200), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "grade IN ('good', 'fair', 'average', 'weak')", name="ck_quality_result_grade"
        ),
        sa.ForeignKeyConstraint(
            ["cell_org_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["committee_org_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cell_org_id", "period", name="uq_quality_result"),
    )
    with op.batch_alter_table("quality_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quality_results_cell_org_id"), ["cell_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_quality_results_committee_org_id"), ["committee_org_id"], unique=False
        )

    op.create_table(
        "notebook_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handed_in_inspection_id", sa.Integer(), nullable=True),
        sa.Column("handed_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["handed_in_inspection_id"],
            ["inspections.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "member_id", name="uq_notebook_entry"),
    )
    with op.batch_alter_table("notebook_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notebook_entries_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notebook_entries_member_id"), ["member_id"], unique=False
        )

    op.create_table(
        "pilot_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('technical', 'security', 'feedback')", name="ck_pilot_incident_kind"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pilot_incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pilot_incidents_org_id"), ["org_id"], unique=False)

    op.create_table(
        "pilot_registration_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("state_from", sa.String(length=16), nullable=False),
        sa.Column("state_to", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("check", sa.JSON(), nullable=True),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["pilot_registrations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pilot_registration_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pilot_registration_events_registration_id"),
            ["registration_id"],
            unique=False,
        )

    op.create_table(
        "supervision_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_org_id", sa.Integer(), nullable=False),
        sa.Column("cell_org_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["cell_org_id"],
            ["organisations.id"],
        ),
        sa.ForeignKeyConstraint(
            ["committee_org_id"],
            ["organisations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("supervision_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervision_assignments_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supervision_assignments_cell_org_id"), ["cell_org_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supervision_assignments_committee_org_id"),
            ["committee_org_id"],
            unique=False,
        )

    op.create_table(
        "supervision_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("way", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("way IN ('online', 'room')", name="ck_supervision_visit_way"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "account_id", name="uq_supervision_visit"),
    )
    with op.batch_alter_table("supervision_visits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervision_visits_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supervision_visits_meeting_id"), ["meeting_id"], unique=False
        )

    with op.batch_alter_table("pilot_registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("state", sa.String(length=16), server_default="submitted", nullable=False)
        )
        batch_op.create_foreign_key(
            "fk_pilot_registrations_call_id", "pilot_calls", ["call_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("pilot_registrations", schema=None) as batch_op:
        batch_op.drop_constraint("fk_pilot_registrations_call_id", type_="foreignkey")
        batch_op.drop_column("state")
        batch_op.drop_column("call_id")

    with op.batch_alter_table("supervision_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_visits_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_supervision_visits_account_id"))

    op.drop_table("supervision_visits")
    with op.batch_alter_table("supervision_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_assignments_committee_org_id"))
        batch_op.drop_index(batch_op.f("ix_supervision_assignments_cell_org_id"))
        batch_op.drop_index(batch_op.f("ix_supervision_assignments_account_id"))

    op.drop_table("supervision_assignments")
    with op.batch_alter_table("pilot_registration_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pilot_registration_events_registration_id"))

    op.drop_table("pilot_registration_events")
    with op.batch_alter_table("pilot_incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pilot_incidents_org_id"))

    op.drop_table("pilot_incidents")
    with op.batch_alter_table("notebook_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notebook_entries_member_id"))
        batch_op.drop_index(batch_op.f("ix_notebook_entries_meeting_id"))

    op.drop_table("notebook_entries")
    with op.batch_alter_table("quality_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_results_committee_org_id"))
        batch_op.drop_index(batch_op.f("ix_quality_results_cell_org_id"))

    op.drop_table("quality_results")
    with op.batch_alter_table("quality_criteria_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_criteria_sets_org_id"))

    op.drop_table("quality_criteria_sets")
    with op.batch_alter_table("pilot_calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pilot_calls_org_id"))

    op.drop_table("pilot_calls")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_committee_org_id"))
        batch_op.drop_index(batch_op.f("ix_inspections_cell_org_id"))

    op.drop_table("inspections")
