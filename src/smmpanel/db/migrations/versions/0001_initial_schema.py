"""Initial schema: customers, API keys, the ledger, services, custom rates, orders, refills.

Money columns are BIGINT units of 1e-5; invariants are CHECK constraints (see smmpanel.db.tables).

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('balance', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('currency', sa.String(length=8), server_default='USD', nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("status IN ('active', 'suspended')", name=op.f('ck_customers_status_known')),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_customers_balance_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers')),
    sa.UniqueConstraint('name', name=op.f('uq_customers_name'))
    )
    op.create_table('panel_state',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_panel_state'))
    )
    op.create_table('services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('category', sa.Text(), server_default='', nullable=False),
    sa.Column('rate', sa.BigInteger(), nullable=False),
    sa.Column('min', sa.Integer(), nullable=False),
    sa.Column('max', sa.Integer(), nullable=False),
    sa.Column('refill_days', sa.Integer(), server_default='0', nullable=False),
    sa.Column('cancel', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('dripfeed', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('link_guard', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('min >= 1 AND max >= min', name=op.f('ck_services_min_max')),
    sa.CheckConstraint('rate >= 0', name=op.f('ck_services_rate_not_negative')),
    sa.CheckConstraint('refill_days >= 0', name=op.f('ck_services_refill_days_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('revoked_at', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_api_keys_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_keys_prefix'), ['prefix'], unique=False)

    op.create_table('custom_rates',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('rate', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('rate >= 0', name=op.f('ck_custom_rates_rate_not_negative')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_custom_rates_customer_id_customers')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_custom_rates_service_id_services')),
    sa.PrimaryKeyConstraint('customer_id', 'service_id', name=op.f('pk_custom_rates'))
    )
    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('link', sa.Text(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=True),
    sa.Column('interval', sa.Integer(), nullable=True),
    sa.Column('runs_done', sa.Integer(), server_default='0', nullable=False),
    sa.Column('fields', sa.Text(), server_default='{}', nullable=False),
    sa.Column('charge', sa.BigInteger(), nullable=False),
    sa.Column('refunded', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='Pending', nullable=False),
    sa.Column('start_count', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('remains', sa.BigInteger(), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.Column('completed_at', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("status IN ('Pending', 'In progress', 'Processing', 'Completed', 'Partial', 'Canceled')", name=op.f('ck_orders_status_known')),
    sa.CheckConstraint('charge >= 0 AND refunded >= 0 AND refunded <= charge', name=op.f('ck_orders_refund_within_charge')),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_orders_quantity_not_negative')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_orders_customer_id_customers')),
    sa.ForeignKeyConstraint(['parent_id'], ['orders.id'], name=op.f('fk_orders_parent_id_orders')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_orders_service_id_services')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_customer_id_id', ['customer_id', 'id'], unique=False)
        batch_op.create_index('ix_orders_customer_id_service_id_link', ['customer_id', 'service_id', 'link'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_service_id'), ['service_id'], unique=False)
        batch_op.create_index('ix_orders_status_id', ['status', 'id'], unique=False)

    op.create_table('ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("(kind = 'deposit' AND amount > 0) OR (kind = 'charge' AND amount < 0) OR (kind = 'refund' AND amount > 0) OR (kind = 'adjustment' AND amount <> 0)", name=op.f('ck_ledger_amount_sign')),
    sa.CheckConstraint("kind IN ('deposit', 'charge', 'refund', 'adjustment')", name=op.f('ck_ledger_kind_known')),
    sa.CheckConstraint("kind NOT IN ('charge', 'refund') OR order_id IS NOT NULL", name=op.f('ck_ledger_order_money_has_order')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_ledger_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_ledger_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger'))
    )
    with op.batch_alter_table('ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_ledger_order_id', ['order_id'], unique=False)
        batch_op.create_index('uq_ledger_refund_order', ['order_id'], unique=True, sqlite_where=sa.text("kind = 'refund'"), postgresql_where=sa.text("kind = 'refund'"))

    op.create_table('refills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='Pending', nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("status IN ('Pending', 'In progress', 'Completed', 'Rejected')", name=op.f('ck_refills_status_known')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_refills_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refills_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refills'))
    )
    with op.batch_alter_table('refills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refills_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refills_order_id'), ['order_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('refills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refills_order_id'))
        batch_op.drop_index(batch_op.f('ix_refills_customer_id'))

    op.drop_table('refills')
    with op.batch_alter_table('ledger', schema=None) as batch_op:
        batch_op.drop_index('uq_ledger_refund_order', sqlite_where=sa.text("kind = 'refund'"), postgresql_where=sa.text("kind = 'refund'"))
        batch_op.drop_index('ix_ledger_order_id')
        batch_op.drop_index(batch_op.f('ix_ledger_customer_id'))

    op.drop_table('ledger')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_status_id')
        batch_op.drop_index(batch_op.f('ix_orders_service_id'))
        batch_op.drop_index(batch_op.f('ix_orders_parent_id'))
        batch_op.drop_index('ix_orders_customer_id_service_id_link')
        batch_op.drop_index('ix_orders_customer_id_id')

    op.drop_table('orders')
    op.drop_table('custom_rates')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_prefix'))
        batch_op.drop_index(batch_op.f('ix_api_keys_customer_id'))

    op.drop_table('api_keys')
    op.drop_table('services')
    op.drop_table('panel_state')
    op.drop_table('customers')
