"""The simulated provider's state: its orders and refills, progressed by elapsed time.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('simulated_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.Integer(), nullable=False),
    sa.Column('link', sa.Text(), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('canceled_at', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_simulated_orders_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_simulated_orders'))
    )
    with op.batch_alter_table('simulated_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_simulated_orders_provider_id'), ['provider_id'], unique=False)

    op.create_table('simulated_refills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['simulated_orders.id'], name=op.f('fk_simulated_refills_order_id_simulated_orders')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_simulated_refills_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_simulated_refills'))
    )
    with op.batch_alter_table('simulated_refills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_simulated_refills_order_id'), ['order_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('simulated_refills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_simulated_refills_order_id'))
    op.drop_table('simulated_refills')
    with op.batch_alter_table('simulated_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_simulated_orders_provider_id'))
    op.drop_table('simulated_orders')
