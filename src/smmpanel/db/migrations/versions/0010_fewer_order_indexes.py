"""Three order indexes fewer: each `add` writes every index of orders, and these three are served by others —
(service_id) by (service_id, id); (upstream_id) by the unique (provider_id, upstream_id), looked up per
provider; (created_at) by a binary search over the primary key (ids grow with created_at). The console's
filters stay as fast; placing an order gets cheaper (bench/run.py, scenario add).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_orders_service_id', table_name='orders')
    op.drop_index('ix_orders_created_at', table_name='orders')
    op.drop_index('ix_orders_upstream_id', table_name='orders')


def downgrade() -> None:
    op.create_index('ix_orders_upstream_id', 'orders', ['upstream_id'])
    op.create_index('ix_orders_created_at', 'orders', ['created_at'])
    op.create_index('ix_orders_service_id', 'orders', ['service_id'])
