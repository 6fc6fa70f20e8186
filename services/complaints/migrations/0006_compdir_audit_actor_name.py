"""audit entries name the person who acted (an account's name; null for a key, the system, the reporter)

Revision ID: 0006_compdir
Revises: 0005_public
Create Date: 2026-12-03 06:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_compdir'
down_revision = '0005_public'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_name', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('actor_name')
