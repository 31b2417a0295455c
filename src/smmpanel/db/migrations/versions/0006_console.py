"""The operator console: staff accounts and their append-only activity log, an order timeline
(order_events), what each order cost upstream (orders.cost), daily money rollups (order_rollups) the
dashboard and reports read instead of scanning orders, and the indexes of the console's order filters.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('last_sign_in_at', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("role IN ('owner', 'admin', 'support')", name=op.f('ck_staff_role_known')),
    sa.CheckConstraint("status IN ('active', 'disabled')", name=op.f('ck_staff_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('name', name=op.f('uq_staff_name'))
    )
    op.create_table('staff_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_activity_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_activity'))
    )
    with op.batch_alter_table('staff_activity', schema=None) as batch_op:
        batch_op.create_index('ix_staff_activity_staff_id_id', ['staff_id', 'id'], unique=False)
        batch_op.create_index('ix_staff_activity_action_id', ['action', 'id'], unique=False)
        batch_op.create_index('ix_staff_activity_object_type_object_id_id', ['object_type', 'object_id', 'id'], unique=False)

    op.create_table('order_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status_from', sa.String(length=16), nullable=True),
    sa.Column('status_to', sa.String(length=16), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=True),
    sa.Column('detail', sa.Text(), server_default='', nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_events_order_id_orders')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_order_events_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_events'))
    )
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.create_index('ix_order_events_order_id_id', ['order_id', 'id'], unique=False)

    op.create_table('order_rollups',
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('orders', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('charged', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('refunded', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('cost', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('day', 'customer_id', 'service_id', 'provider_id', name=op.f('pk_order_rollups'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cost', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_index('ix_orders_service_id_id', ['service_id', 'id'], unique=False)
        batch_op.create_index('ix_orders_provider_id_id', ['provider_id', 'id'], unique=False)
        batch_op.create_index('ix_orders_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_orders_link', ['link'], unique=False)
        batch_op.create_index('ix_orders_upstream_id', ['upstream_id'], unique=False)

    # the existing orders' money, so the reports start from what the ledger already says (cost unknown: 0)
    op.execute(
        "INSERT INTO order_rollups (day, customer_id, service_id, provider_id, orders, charged, refunded, cost)"
        " SELECT l.created_at / 86400, o.customer_id, o.service_id, COALESCE(o.provider_id, 0),"
        " SUM(CASE WHEN l.kind = 'charge' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN l.kind = 'charge' THEN -l.amount ELSE 0 END),"
        " SUM(CASE WHEN l.kind = 'refund' THEN l.amount ELSE 0 END), 0"
        " FROM ledger l JOIN orders o ON o.id = l.order_id WHERE l.kind IN ('charge', 'refund')"
        " GROUP BY l.created_at / 86400, o.customer_id, o.service_id, COALESCE(o.provider_id, 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_upstream_id')
        batch_op.drop_index('ix_orders_link')
        batch_op.drop_index('ix_orders_created_at')
        batch_op.drop_index('ix_orders_provider_id_id')
        batch_op.drop_index('ix_orders_service_id_id')
        batch_op.drop_column('cost')
    op.drop_table('order_rollups')
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.drop_index('ix_order_events_order_id_id')
    op.drop_table('order_events')
    with op.batch_alter_table('staff_activity', schema=None) as batch_op:
        batch_op.drop_index('ix_staff_activity_object_type_object_id_id')
        batch_op.drop_index('ix_staff_activity_action_id')
        batch_op.drop_index('ix_staff_activity_staff_id_id')
    op.drop_table('staff_activity')
    op.drop_table('staff')
