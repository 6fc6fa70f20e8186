"""deadlines end at 23:59:59 of the forum's zone (FORUM_TIMEZONE), no longer of WIB

A request's answer deadline and an objection's deadline keep their day: 23:59:59 WIB of that day
becomes 23:59:59 of the same day in the forum's zone, the config's FORUM_TIMEZONE (default
Asia/Makassar). Downgrading moves them back.

Revision ID: 0002_forum_days
Revises: 0001_ppid
Create Date: 2026-12-08 01:10:00
"""
from shared.db import move_stored_deadlines

revision = '0002_forum_days'
down_revision = '0001_ppid'
branch_labels = None
depends_on = None

DEADLINES = {"requests": ("answer_due",), "objections": ("due",)}


def upgrade():
    move_stored_deadlines(DEADLINES, toward_forum=True)


def downgrade():
    move_stored_deadlines(DEADLINES, toward_forum=False)
