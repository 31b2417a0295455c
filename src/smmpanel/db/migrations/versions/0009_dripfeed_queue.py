"""An index for the console's Drip-feed queue: the drip-feed parents (orders with runs) in id order, a
partial index over those rows only — without it a page of a rare kind of order walks every order, newest
first, to find 50 of them.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_dripfeed_id', ['id'], unique=False, sqlite_where=sa.text("runs IS NOT NULL"),
                              postgresql_where=sa.text("runs IS NOT NULL"))


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_dripfeed_id', sqlite_where=sa.text("runs IS NOT NULL"),
                            postgresql_where=sa.text("runs IS NOT NULL"))
