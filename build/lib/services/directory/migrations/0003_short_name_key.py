"""short names unique after Unicode normalisation, case and spacing (short_name_key)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:45:00
"""
from alembic import op
import sqlalchemy as sa

from shared.schemas import name_key

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('short_name_key', sa.String(length=50), nullable=True))
    agencies = sa.table('agencies', sa.column('id', sa.String), sa.column('short_name', sa.String),
                        sa.column('short_name_key', sa.String))
    connection = op.get_bind()
    for agency_id, short_name in connection.execute(sa.select(agencies.c.id, agencies.c.short_name)).all():
        connection.execute(agencies.update().where(agencies.c.id == agency_id)
                           .values(short_name=short_name.strip(), short_name_key=name_key(short_name)))
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agencies_short_name_key'), ['short_name_key'], unique=True)


def downgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agencies_short_name_key'))
        batch_op.drop_column('short_name_key')
