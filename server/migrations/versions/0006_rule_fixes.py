"""Rule fixes (issue 17): E1a periods on members, organisations abroad and the issuer of a pilot
decision (E3), public holidays as data (R1/M4).

Existing rows stay valid: members get no periods (a reason without a period holds as before,
except the seasonal "students during summer break", which now counts in its season only);
organisations are at home; decisions already recorded were entered as the superior committee's
(the only issuer the API described), so they get ``superior_committee``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("e1a_periods", sa.JSON(), server_default="{}", nullable=False)
        )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("abroad", sa.Boolean(), server_default="0", nullable=False))
    with op.batch_alter_table("approval_decisions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "issuer_kind",
                sa.Enum(
                    "superior_committee",
                    "provincial_standing",
                    "mfa_committee",
                    "other",
                    name="issuer_kind",
                    native_enum=False,
                    length=32,
                ),
                server_default="superior_committee",
                nullable=False,
            )
        )
    op.create_table(
        "public_holidays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('solar', 'lunar', 'set')", name="ck_public_holiday_kind"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("public_holidays", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_public_holidays_day"), ["day"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("public_holidays", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_holidays_day"))
    op.drop_table("public_holidays")
    with op.batch_alter_table("approval_decisions", schema=None) as batch_op:
        batch_op.drop_column("issuer_kind")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("abroad")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("e1a_periods")
