"""stored details name the parent: forget the ones stored without it

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:45:00
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # A missing stored detail is built on read, and stored again at the agency's next change.
    op.execute("UPDATE agencies SET detail_json = NULL")


def downgrade():
    op.execute("UPDATE agencies SET detail_json = NULL")
