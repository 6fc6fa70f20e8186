"""approvals name the person

Revision ID: 0004_accounts
Revises: 0003
Create Date: 2026-12-03 06:05:19.737499
"""
from alembic import op
import sqlalchemy as sa
import shared.db


revision = '0004_accounts'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('account_name', sa.String(length=200), nullable=True))



def downgrade():
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_column('account_name')
        batch_op.drop_column('account_id')

