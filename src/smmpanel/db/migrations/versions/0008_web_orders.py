"""Indexes for the website's order pages: a customer's orders in one status newest first (the /orders tabs:
orders: customer_id, status, id) and a customer's refills newest first (refills: customer_id, id). Without
the first, a tab of a rare status walks every order of a customer with 100,000 of them.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_customer_id_status_id', ['customer_id', 'status', 'id'], unique=False)
    with op.batch_alter_table('refills', schema=None) as batch_op:
        batch_op.create_index('ix_refills_customer_id_id', ['customer_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('refills', schema=None) as batch_op:
        batch_op.drop_index('ix_refills_customer_id_id')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_customer_id_status_id')
