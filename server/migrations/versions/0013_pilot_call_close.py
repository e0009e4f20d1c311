"""A call for pilot registrations can be closed early by the organisation board (V1):
``pilot_calls.closed_at`` and ``closed_by``

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 03:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.storage.models

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pilot_calls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("closed_at", server.storage.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("closed_by", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pilot_calls", schema=None) as batch_op:
        batch_op.drop_column("closed_by")
        batch_op.drop_column("closed_at")
