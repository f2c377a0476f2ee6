"""gig board schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 12:15:16.484711
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('community',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('default_locale', sa.String(length=8), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('default_channels', sa.JSON(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community'))
    )
    op.create_table('member',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('platform_user_id', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=True),
    sa.Column('platform_locale', sa.String(length=8), nullable=True),
    sa.Column('is_poster', sa.Boolean(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('quiet_hours', sa.String(length=16), nullable=True),
    sa.Column('nudges_enabled', sa.Boolean(), nullable=False),
    sa.Column('dm_undeliverable', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_member_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('community_id', 'platform', 'platform_user_id', name=op.f('uq_member_community_id'))
    )
    op.create_table('workspace',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_workspace_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workspace')),
    sa.UniqueConstraint('platform', 'external_id', name=op.f('uq_workspace_platform'))
    )
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workspace_community_id'), ['community_id'], unique=False)

    op.create_table('audit_entry',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['member.id'], name=op.f('fk_audit_entry_actor_id_member')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_audit_entry_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_community_id'), ['community_id'], unique=False)

    op.create_table('gig',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('poster_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('title_key', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('budget_min', sa.BigInteger(), nullable=False),
    sa.Column('budget_max', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('hourly', sa.Boolean(), nullable=False),
    sa.Column('remote', sa.Boolean(), nullable=False),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=True),
    sa.Column('apply_by', sa.Date(), nullable=False),
    sa.Column('apply_url', sa.String(length=500), nullable=True),
    sa.Column('canonical_url', sa.String(length=500), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('filled_by_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_gig_community_id_community')),
    sa.ForeignKeyConstraint(['filled_by_id'], ['member.id'], name=op.f('fk_gig_filled_by_id_member')),
    sa.ForeignKeyConstraint(['poster_id'], ['member.id'], name=op.f('fk_gig_poster_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gig'))
    )
    with op.batch_alter_table('gig', schema=None) as batch_op:
        batch_op.create_index('ix_gig_community_canonical_url', ['community_id', 'canonical_url'], unique=False)
        batch_op.create_index('ix_gig_community_status_created', ['community_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_gig_poster_title_key', ['poster_id', 'title_key'], unique=False)

    op.create_table('route',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('remote', sa.Boolean(), nullable=True),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_route_community_id_community')),
    sa.ForeignKeyConstraint(['created_by_id'], ['member.id'], name=op.f('fk_route_created_by_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_route'))
    )
    with op.batch_alter_table('route', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_route_community_id'), ['community_id'], unique=False)

    op.create_table('application',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('gig_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('pitch', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['gig_id'], ['gig.id'], name=op.f('fk_application_gig_id_gig')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_application_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application')),
    sa.UniqueConstraint('gig_id', 'member_id', name=op.f('uq_application_gig_id'))
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_gig_id'), ['gig_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_member_id'), ['member_id'], unique=False)

    op.create_table('gig_tag',
    sa.Column('gig_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('tag', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['gig_id'], ['gig.id'], name=op.f('fk_gig_tag_gig_id_gig'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('gig_id', 'tag', name=op.f('pk_gig_tag'))
    )
    with op.batch_alter_table('gig_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gig_tag_tag'), ['tag'], unique=False)

    op.create_table('posting',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('gig_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('message_ref', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['gig_id'], ['gig.id'], name=op.f('fk_posting_gig_id_gig')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting')),
    sa.UniqueConstraint('gig_id', 'platform', 'channel', name=op.f('uq_posting_gig_id'))
    )
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posting_gig_id'), ['gig_id'], unique=False)

    op.create_table('application_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('application_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['member.id'], name=op.f('fk_application_event_actor_id_member')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_event_application_id_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_event'))
    )
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_event_application_id'), ['application_id'], unique=False)

    op.create_table('nudge',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('application_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column('gig_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_nudge_application_id_application')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_nudge_community_id_community')),
    sa.ForeignKeyConstraint(['gig_id'], ['gig.id'], name=op.f('fk_nudge_gig_id_gig')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_nudge_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nudge'))
    )
    with op.batch_alter_table('nudge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nudge_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nudge_gig_id'), ['gig_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nudge_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_nudge_state_due', ['state', 'due_at'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('community_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('destination', sa.String(length=64), nullable=False),
    sa.Column('posting_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_outbox_message_community_id_community')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_outbox_message_member_id_member')),
    sa.ForeignKeyConstraint(['posting_id'], ['posting.id'], name=op.f('fk_outbox_message_posting_id_posting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_platform_state_due', ['platform', 'state', 'next_attempt_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_platform_state_due')

    op.drop_table('outbox_message')
    with op.batch_alter_table('nudge', schema=None) as batch_op:
        batch_op.drop_index('ix_nudge_state_due')
        batch_op.drop_index(batch_op.f('ix_nudge_member_id'))
        batch_op.drop_index(batch_op.f('ix_nudge_gig_id'))
        batch_op.drop_index(batch_op.f('ix_nudge_application_id'))

    op.drop_table('nudge')
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_event_application_id'))

    op.drop_table('application_event')
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posting_gig_id'))

    op.drop_table('posting')
    with op.batch_alter_table('gig_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gig_tag_tag'))

    op.drop_table('gig_tag')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_member_id'))
        batch_op.drop_index(batch_op.f('ix_application_gig_id'))

    op.drop_table('application')
    with op.batch_alter_table('route', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_route_community_id'))

    op.drop_table('route')
    with op.batch_alter_table('gig', schema=None) as batch_op:
        batch_op.drop_index('ix_gig_poster_title_key')
        batch_op.drop_index('ix_gig_community_status_created')
        batch_op.drop_index('ix_gig_community_canonical_url')

    op.drop_table('gig')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_community_id'))

    op.drop_table('audit_entry')
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workspace_community_id'))

    op.drop_table('workspace')
    op.drop_table('member')
    op.drop_table('community')
