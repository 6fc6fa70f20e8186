"""agency search words: pickers find an agency by the beginnings of the words of its names, indexed

Revision ID: 0006_search_words
Revises: 0005_accounts
Create Date: 2026-12-08 01:10:00
"""
from alembic import op
import sqlalchemy as sa

from services.directory.domain.details import words_of
from services.directory.models import SEARCH_WORD

revision = '0006_search_words'
down_revision = '0005_accounts'
branch_labels = None
depends_on = None


def upgrade():
    words = op.create_table('agency_search_words',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('agency_id', sa.String(length=36), nullable=False),
    sa.Column('word', SEARCH_WORD, nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agency_search_words', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_search_words_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('ix_agency_search_words_word', ['word', 'agency_id'], unique=False)
    agencies = sa.table('agencies', sa.column('id', sa.String), sa.column('name', sa.String),
                        sa.column('short_name', sa.String))
    rows = op.get_bind().execute(sa.select(agencies.c.id, agencies.c.name, agencies.c.short_name)).all()
    op.bulk_insert(words, [{"agency_id": agency_id, "word": word}
                           for agency_id, name, short_name in rows for word in sorted(words_of(name, short_name))])


def downgrade():
    with op.batch_alter_table('agency_search_words', schema=None) as batch_op:
        batch_op.drop_index('ix_agency_search_words_word')
        batch_op.drop_index(batch_op.f('ix_agency_search_words_agency_id'))
    op.drop_table('agency_search_words')
