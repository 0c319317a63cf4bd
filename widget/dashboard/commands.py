"""The dashboard's essentials on the command line: `widget owners`, `threads`, `comments`."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app

from .. import owners
from ..comments import moderation
from ..errors import Rejected
from ..extensions import db
from ..models import Comment, Owner, Site
from ..sites import get_site
from . import listing


def _site(key: str) -> Site:
    try:
        return get_site(key)
    except Rejected as exc:
        raise click.UsageError(f"--site {key}: {exc.message}") from exc


owners_group = click.Group("owners", help="Accounts that sign in to the dashboard.")


@owners_group.command("create")
@click.argument("email")
@click.option("--site", "site_keys", multiple=True, help="Key of a site they run (repeatable).")
@click.option("--admin", is_flag=True, help="May manage every site on this service.")
@click.option("--name", default="", help="The name shown on their replies (else their email).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_owner_command(
    email: str, site_keys: tuple[str, ...], admin: bool, name: str, password_stdin: bool
) -> None:
    """Create an owner; the password is asked for (or read with --password-stdin)."""
    sites = [_site(key) for key in site_keys]
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        owner = owners.create_owner(email, password, name=name, admin=admin, sites=sites)
    except Rejected as exc:
        raise click.UsageError(exc.message) from exc
    where = ", ".join(s.name for s in sites) or ("every site" if admin else "no site yet")
    click.echo(f"Owner {owner.email} created ({where}).")
    click.echo(f"Sign in at {current_app.config['WIDGET_PUBLIC_URL']}/dashboard/")


@owners_group.command("list")
def list_owners_command() -> None:
    """Every owner with the sites they run."""
    for owner in db.session.scalars(db.select(Owner).order_by(Owner.email)):
        sites = ", ".join(s.key for s in owners.sites_of(owner)) if not owner.is_admin else "*"
        click.echo(f"{owner.email}  {'admin  ' if owner.is_admin else ''}sites: {sites or '-'}")


@owners_group.command("remove")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove_owner_command(email: str, yes: bool) -> None:
    """Delete an owner's account: they are signed out everywhere, at once."""
    owner = owners.find_owner(email)
    if owner is None:
        raise click.UsageError(f"No owner has the email {email}.")
    if not yes:
        click.confirm(f"Remove {owner.email} and sign them out everywhere?", abort=True)
    orphans = owners.remove_owner(owner)
    click.echo(f"Owner {email} removed; they are signed out everywhere.")
    for site in orphans:
        click.echo(f"{site.name} ({site.key}) has no owner left: only admins can manage it.")


threads_group = click.Group("threads", help="A site's threads, one per page URL.")


@threads_group.command("list")
@click.option("--site", "site_key", required=True, help="The site's key.")
@click.option("--sort", type=click.Choice(listing.SORTS), default="activity", show_default=True)
@click.option("--search", default="", help="Only threads whose URL or title contains this.")
@click.option("--page", default=1, show_default=True, help=f"{listing.PAGE_SIZE} per page.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
def list_threads_command(site_key: str, sort: str, search: str, page: int, as_json: bool) -> None:
    """Threads with their published and pending counts, latest activity first."""
    paged = listing.threads(_site(site_key), sort=sort, search=search, page=max(1, page))
    rows = [
        {
            "id": row.thread.id,
            "url": row.thread.url,
            "title": row.thread.title,
            "published": row.thread.published_count,
            "pending": row.pending,
            "last_comment_at": row.thread.last_comment_at.isoformat()
            if row.thread.last_comment_at
            else None,
        }
        for row in paged.items
    ]
    if as_json:
        click.echo(json.dumps(rows))
        return
    if not rows:
        click.echo("No threads.")
    for r in rows:
        click.echo(f"{r['id']:>7}  {r['published']:>5} published  {r['pending']:>4} pending  "
                   f"{r['url']}  {r['title']}")  # fmt: skip
    if paged.pages > 1:
        click.echo(f"Page {paged.page} of {paged.pages} ({paged.total} threads): --page N")


comments_group = click.Group("comments", help="A site's held comments; moderate one by its id.")


def _moderate(comment_id: int, action: str) -> None:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise click.UsageError(f"No comment has id {comment_id}.")
    moderation.moderate(comment, action)
    thread = comment.thread
    click.echo(
        f"Comment {comment_id} is now {comment.status}; {thread.url} has "
        f"{thread.published_count} published."
    )


@comments_group.command("approve")
@click.argument("comment_id", type=int)
def approve_command(comment_id: int) -> None:
    """Publish a held comment."""
    _moderate(comment_id, "approve")


@comments_group.command("spam")
@click.argument("comment_id", type=int)
def spam_command(comment_id: int) -> None:
    """Mark a comment as spam: readers no longer see it."""
    _moderate(comment_id, "spam")


@comments_group.command("delete")
@click.argument("comment_id", type=int)
def delete_command(comment_id: int) -> None:
    """Delete a comment (its replies stay, under a placeholder)."""
    _moderate(comment_id, "delete")


@comments_group.command("not-spam")
@click.argument("comment_id", type=int)
def not_spam_command(comment_id: int) -> None:
    """Let through a comment held as spam: published, or pending where the site holds it."""
    _moderate(comment_id, "not-spam")


@comments_group.command("list")
@click.option("--site", "site_key", required=True, help="The site's key.")
@click.option("--status", type=click.Choice(["pending", "spam"]), default="pending",
              show_default=True, help="The queue, or what is held as spam.")  # fmt: skip
@click.option("--page", default=1, show_default=True, help=f"{listing.PAGE_SIZE} per page.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
def list_comments_command(site_key: str, status: str, page: int, as_json: bool) -> None:
    """What waits for the owner on a site, newest first: the queue or the spam."""
    site = _site(site_key)
    paged = (listing.spam if status == "spam" else listing.queue)(site, max(1, page))
    rows = [
        {"id": c.id, "url": c.thread.url, "author_name": c.author_name,
         "author_email": c.author_email, "body": c.body, "created_at": c.created_at.isoformat()}
        for c in paged.items
    ]  # fmt: skip
    if as_json:
        click.echo(json.dumps(rows))
        return
    if not rows:
        click.echo("Nothing held." if status == "pending" else "Nothing held as spam.")
    for c in paged.items:
        body = " ".join(c.body.split())
        click.echo(f"{c.id:>7}  {c.author_name} <{c.author_email}>  {c.thread.url}\n"
                   f"         {body[:100]}{'…' if len(body) > 100 else ''}")  # fmt: skip
    if paged.pages > 1:
        click.echo(f"Page {paged.page} of {paged.pages} ({paged.total} comments): --page N")


@comments_group.command("restore")
@click.argument("comment_id", type=int)
def restore_command(comment_id: int) -> None:
    """Publish again a comment deleted or marked as spam."""
    _moderate(comment_id, "restore")


COMMANDS = (owners_group, threads_group, comments_group)
