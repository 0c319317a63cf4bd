"""avatar fetch: the provider's picture URL, fetched in the background; web-only profile links

Revision ID: 0006_avatar_fetch
Revises: 54d5884ae051
Create Date: 2026-11-25 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_avatar_fetch'
down_revision = '54d5884ae051'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('avatar_source', sa.String(length=2048), server_default='', nullable=False)
        )
    # Profile links are kept as http(s) only from now on; one stored before (a javascript: or
    # data: link a provider sent) is dropped, and the next sign-in brings a good one back.
    user = sa.table('user', sa.column('profile_url', sa.String))
    link = sa.func.lower(user.c.profile_url)
    op.execute(
        user.update()
        .where(user.c.profile_url != '')
        .where(sa.not_(link.like('https://%')), sa.not_(link.like('http://%')))
        .values(profile_url='')
    )


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('avatar_source')
