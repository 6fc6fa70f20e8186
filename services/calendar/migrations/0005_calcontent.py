"""items keep their rendered summary; history names the person who acted

Revision ID: 0005_calcontent
Revises: 0004
Create Date: 2026-12-03 06:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_calcontent'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_json', sa.Text(), nullable=True))
    with op.batch_alter_table('item_history', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_account_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('actor_name', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('item_history', schema=None) as batch_op:
        batch_op.drop_column('actor_name')
        batch_op.drop_column('actor_account_id')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_column('summary_json')
