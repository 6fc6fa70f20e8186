"""one head again: complaint files (0005_public) and the person in audit entries (0005_accounts)
were added side by side; nothing changes in the tables

Revision ID: 0006_compdir
Revises: 0005_public, 0005_accounts
Create Date: 2026-12-03 06:35:00
"""
revision = '0006_compdir'
down_revision = ('0005_public', '0005_accounts')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
