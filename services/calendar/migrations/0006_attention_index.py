"""the items flagged for the coordinator's attention have an index of their own

Revision ID: 0006_attention
Revises: 0005_calcontent
Create Date: 2026-12-03 09:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_attention'
down_revision = '0005_calcontent'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_items_attention', 'items', ['starts_at'], unique=False,
                    sqlite_where=sa.text('attention IS NOT NULL'), postgresql_where=sa.text('attention IS NOT NULL'))


def downgrade():
    op.drop_index('ix_items_attention', table_name='items')
