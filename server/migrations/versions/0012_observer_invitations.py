"""Invitations for an observer's account (R5): ``invitations.observer_account_id``, and
``member_id`` may be empty (exactly one of the two is set)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("observer_account_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_invitations_observer_account_id_accounts",
            "accounts",
            ["observer_account_id"],
            ["id"],
        )
        batch_op.alter_column("member_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(
            "ck_invitations_one_invitee",
            "(member_id IS NULL) <> (observer_account_id IS NULL)",
        )


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint("ck_invitations_one_invitee", type_="check")
        batch_op.alter_column("member_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("fk_invitations_observer_account_id_accounts", type_="foreignkey")
        batch_op.drop_column("observer_account_id")
