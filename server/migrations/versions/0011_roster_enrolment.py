"""The roster and enrolment: flag dates on members, the roster's change history, enrolment
links, the second-factor reset mark on accounts; E1a periods stored as ``from``/``to``

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 00:00:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.storage.models

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = server.storage.models.UTCDateTime(timezone=True)


def _periods_from_to() -> None:
    """Rows written through the API kept E1a periods as ``start``/``end`` while the rules read
    ``from``/``to`` (so such a period was ignored): one spelling from now on."""
    bind = op.get_bind()
    members = sa.table("members", sa.column("id", sa.Integer), sa.column("e1a_periods", sa.JSON))
    for row in bind.execute(sa.select(members.c.id, members.c.e1a_periods)).all():
        periods = row[1]
        if isinstance(periods, str):
            periods = json.loads(periods)
        if not periods:
            continue
        fixed = {
            reason: {
                "from": p.get("from", p.get("start")),
                "to": p.get("to", p.get("end")),
            }
            for reason, p in periods.items()
        }
        if fixed != periods:
            bind.execute(members.update().where(members.c.id == row[0]).values(e1a_periods=fixed))


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("flag_periods", sa.JSON(), server_default="{}", nullable=False)
        )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("factor_reset_at", UTC, nullable=True))
    op.create_table(
        "member_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("changed_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("member_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_changes_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_member_changes_org_id"), ["org_id"], unique=False)
    op.create_table(
        "enrolment_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["accounts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("enrolment_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrolment_links_account_id"), ["account_id"], unique=False
        )
    _periods_from_to()


def downgrade() -> None:
    with op.batch_alter_table("enrolment_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_links_account_id"))
    op.drop_table("enrolment_links")
    with op.batch_alter_table("member_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_changes_org_id"))
        batch_op.drop_index(batch_op.f("ix_member_changes_member_id"))
    op.drop_table("member_changes")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("factor_reset_at")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("flag_periods")
