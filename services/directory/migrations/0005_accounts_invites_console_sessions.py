"""accounts invites console sessions

Revision ID: 0005_accounts
Revises: 0004
Create Date: 2026-12-03 05:48:33.372862
"""
from alembic import op
import sqlalchemy as sa
import shared.db


revision = '0005_accounts'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accounts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('agency_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=True),
    sa.Column('account_role', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_pending_secret', sa.String(length=64), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('invited_by', sa.String(length=36), nullable=True),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('activated_at', shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('deactivated_at', shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email_key')
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_agency_id'), ['agency_id'], unique=False)

    op.create_table('account_invites',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('account_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_invites_account_id'), ['account_id'], unique=False)

    op.create_table('console_sessions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', shared.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', shared.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_sessions_account_id'), ['account_id'], unique=False)



def downgrade():
    with op.batch_alter_table('console_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_console_sessions_account_id'))

    op.drop_table('console_sessions')
    with op.batch_alter_table('account_invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_invites_account_id'))

    op.drop_table('account_invites')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_agency_id'))

    op.drop_table('accounts')
