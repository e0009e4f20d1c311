"""Meeting documents encrypted at rest (R7): enc_version, key_id and nonce on meeting_documents

Rows already stored hold plaintext and stay readable: they get ``enc_version`` 0 (legacy) and no
key. The migration has no KEK, so it cannot encrypt them; the server does at start-up, and
``hopchibo records encrypt-documents`` does on demand (both audited, one transaction,
idempotent). A downgrade is refused while any row is encrypted: the old schema would take the
ciphertext for the document.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEALING = (
    "(enc_version = 0 AND key_id IS NULL AND nonce IS NULL) OR "
    "(enc_version = 1 AND key_id IS NOT NULL AND nonce IS NOT NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("meeting_documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("enc_version", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("key_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("nonce", sa.LargeBinary(), nullable=True))
        batch_op.create_check_constraint("ck_meeting_document_sealing", _SEALING)


def downgrade() -> None:
    sealed = op.get_bind().scalar(
        sa.text("SELECT COUNT(*) FROM meeting_documents WHERE enc_version <> 0")
    )
    if sealed:
        raise RuntimeError(
            f"{sealed} meeting document(s) are encrypted; the schema before 0005 stores "
            "plaintext only, so this downgrade would make them unreadable"
        )
    with op.batch_alter_table("meeting_documents", schema=None) as batch_op:
        batch_op.drop_constraint("ck_meeting_document_sealing", type_="check")
        batch_op.drop_column("nonce")
        batch_op.drop_column("key_id")
        batch_op.drop_column("enc_version")
