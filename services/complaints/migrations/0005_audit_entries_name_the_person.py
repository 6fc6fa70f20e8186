"""audit entries name the person

Revision ID: 0005_accounts
Revises: 0004
Create Date: 2026-12-03 06:04:57.156743
"""
from alembic import op
import sqlalchemy as sa
import shared.db


revision = '0005_accounts'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_account_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('actor_name', sa.String(length=200), nullable=True))



def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('actor_name')
        batch_op.drop_column('actor_account_id')

