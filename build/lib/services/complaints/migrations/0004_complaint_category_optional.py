"""a complaint may come without a category (it then waits in triage)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.alter_column('category', existing_type=sa.String(length=40), nullable=True)


def downgrade():
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.alter_column('category', existing_type=sa.String(length=40), nullable=False)
