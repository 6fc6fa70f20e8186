"""the copy of the forum's own non-working days (local holidays), kept from the directory's events

Revision ID: 0008_local_holidays
Revises: 0007_forum_days
Create Date: 2026-12-08 02:45:00
"""
from alembic import op
import sqlalchemy as sa
import shared.db


revision = '0008_local_holidays'
down_revision = '0007_forum_days'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('local_holidays',
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('name', sa.String(length=120), nullable=False),
                    sa.PrimaryKeyConstraint('day'))
    op.create_table('local_holidays_as_of',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('as_of', shared.db.UtcDateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('id'))


def downgrade():
    op.drop_table('local_holidays_as_of')
    op.drop_table('local_holidays')
