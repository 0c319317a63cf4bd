"""reply depth: how many levels a site's threads nest

Revision ID: 0007_reply_depth
Revises: 0006_avatar_fetch
Create Date: 2026-11-25 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_reply_depth'
down_revision = '0006_avatar_fetch'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_depth', sa.Integer(), server_default='5', nullable=False))
        batch_op.create_check_constraint(op.f('ck_site_site_reply_depth'), 'reply_depth BETWEEN 1 AND 10')


def downgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_site_site_reply_depth'), type_='check')
        batch_op.drop_column('reply_depth')
