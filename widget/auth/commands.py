"""`widget avatars`: readers' pictures, fetched again on demand."""

from __future__ import annotations

import click
from sqlalchemy import select

from ..extensions import db
from ..models import User
from . import avatars

avatars_group = click.Group("avatars", help="Readers' pictures, copied from their providers.")


@avatars_group.command("refresh")
@click.option("--user", "user_ids", type=int, multiple=True, help="Only this user (repeatable).")
@click.option("--missing", is_flag=True, help="Only readers whose picture was never fetched.")
def refresh_command(user_ids: tuple[int, ...], missing: bool) -> None:
    """Fetch readers' pictures from their providers again, one at a time (each within the
    fetch deadline): for fetches a restart lost, or pictures changed at the provider."""
    query = select(User.id).where(User.avatar_source != "").order_by(User.id)
    if user_ids:
        query = query.where(User.id.in_(user_ids))
    if missing:
        query = query.where(User.avatar_version == "")
    ids = db.session.scalars(query).all()
    kept = sum(avatars.refresh(user_id) for user_id in ids)
    click.echo(f"{kept} of {len(ids)} pictures fetched.")
