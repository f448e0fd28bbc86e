"""co-host grants: what a show's owner lets one co-host do there; mutes kept to one show

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("show_hosts") as batch:
        batch.add_column(sa.Column("grants", sa.JSON(), server_default="[]", nullable=False))
    with op.batch_alter_table("chat_sanctions") as batch:
        batch.add_column(sa.Column("show_id", sa.String(length=36), nullable=True))
        batch.create_foreign_key(
            op.f("fk_chat_sanctions_show_id_shows"), "shows", ["show_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("chat_sanctions") as batch:
        batch.drop_constraint(op.f("fk_chat_sanctions_show_id_shows"), type_="foreignkey")
        batch.drop_column("show_id")
    with op.batch_alter_table("show_hosts") as batch:
        batch.drop_column("grants")
