"""Fulfilment: providers, the upstream mapping and pricing rule of services, dispatch and tracking state
of orders and refills.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('api_key', sa.Text(), nullable=True),
    sa.Column('step_seconds', sa.Integer(), server_default='10', nullable=False),
    sa.Column('low_balance', sa.BigInteger(), nullable=True),
    sa.Column('balance', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=8), nullable=True),
    sa.Column('balance_checked_at', sa.BigInteger(), nullable=True),
    sa.Column('enabled', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("kind <> 'upstream' OR (url IS NOT NULL AND api_key IS NOT NULL)", name=op.f('ck_providers_upstream_has_url_key')),
    sa.CheckConstraint("kind IN ('upstream', 'manual', 'simulated')", name=op.f('ck_providers_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_providers')),
    sa.UniqueConstraint('name', name=op.f('uq_providers_name'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('upstream_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('dispatch', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('next_check_at', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('quiet_checks', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('cancel_forwarded', sa.Boolean(), server_default=sa.text('(false)'), nullable=False))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.create_index('ix_orders_dispatch_next_attempt_at', ['dispatch', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_orders_provider_id_next_check_at', ['provider_id', 'next_check_at'], unique=False)
        batch_op.create_index('uq_orders_provider_id_upstream_id', ['provider_id', 'upstream_id'], unique=True)
        batch_op.create_foreign_key(batch_op.f('fk_orders_provider_id_providers'), 'providers', ['provider_id'], ['id'])
        batch_op.create_check_constraint(
            op.f('ck_orders_dispatch_known'),
            "dispatch IS NULL OR dispatch IN ('queued', 'dispatching', 'sent', 'held', 'failed', 'scheduled')",
        )

    with op.batch_alter_table('refills', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upstream_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('forward', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('next_check_at', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))

    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('provider_service', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('provider_dripfeed', sa.Boolean(), server_default=sa.text('(false)'), nullable=False))
        batch_op.add_column(sa.Column('failover_provider_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('failover_service', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('cost', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('markup', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('min_margin', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('price_locked', sa.Boolean(), server_default=sa.text('(false)'), nullable=False))
        batch_op.create_index(batch_op.f('ix_services_provider_id'), ['provider_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_services_provider_id_providers'), 'providers', ['provider_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_services_failover_provider_id_providers'), 'providers', ['failover_provider_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_services_failover_provider_id_providers'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_services_provider_id_providers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_services_provider_id'))
        batch_op.drop_column('price_locked')
        batch_op.drop_column('min_margin')
        batch_op.drop_column('markup')
        batch_op.drop_column('cost')
        batch_op.drop_column('failover_service')
        batch_op.drop_column('failover_provider_id')
        batch_op.drop_column('provider_dripfeed')
        batch_op.drop_column('provider_service')
        batch_op.drop_column('provider_id')

    with op.batch_alter_table('refills', schema=None) as batch_op:
        batch_op.drop_column('last_error')
        batch_op.drop_column('next_check_at')
        batch_op.drop_column('forward')
        batch_op.drop_column('upstream_id')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_orders_dispatch_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_orders_provider_id_providers'), type_='foreignkey')
        batch_op.drop_index('uq_orders_provider_id_upstream_id')
        batch_op.drop_index('ix_orders_provider_id_next_check_at')
        batch_op.drop_index('ix_orders_dispatch_next_attempt_at')
        batch_op.drop_column('last_error')
        batch_op.drop_column('cancel_forwarded')
        batch_op.drop_column('quiet_checks')
        batch_op.drop_column('next_check_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('dispatch')
        batch_op.drop_column('upstream_id')
        batch_op.drop_column('provider_id')

    op.drop_table('providers')
