"""WhatsApp as Meta answers: message ids kept whole (event_id 80 -> 255), the wamid and reported status
of a sent message, each citizen's last message (the 24-hour window)

Revision ID: 0002_notify_whatsapp
Revises: 0001_notify
Create Date: 2026-12-08 01:10:00
"""
from alembic import op
import sqlalchemy as sa
import shared.db


revision = '0002_notify_whatsapp'
down_revision = '0001_notify'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('whatsapp_windows',
    sa.Column('person', sa.String(length=60), nullable=False),
    sa.Column('last_message_at', shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('person')
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.alter_column('event_id', existing_type=sa.String(length=80), type_=sa.String(length=255),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('wamid', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('reported', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_messages_wamid'), ['wamid'], unique=False)


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_wamid'))
        batch_op.drop_column('reported')
        batch_op.drop_column('wamid')
        batch_op.alter_column('event_id', existing_type=sa.String(length=255), type_=sa.String(length=80),
                              existing_nullable=False)
    op.drop_table('whatsapp_windows')
