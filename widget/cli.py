"""The `widget` command: database migrations, sites, and the demo."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import click
from flask import Flask, current_app

from .auth.commands import avatars_group
from .dashboard.commands import COMMANDS
from .demo.views import DEMO_KEY
from .errors import Rejected
from .exporters.commands import export_command
from .extensions import db
from .importers.commands import import_command
from .models import Moderation, Site
from .notify.commands import mail_group
from .owners import add_site, find_owner
from .sites import create_site, snippet
from .spam_filter.commands import spam_group


def _site_json(site: Site) -> dict[str, object]:
    return {
        "key": site.key,
        "name": site.name,
        "origins": site.origin_list,
        "moderation": site.moderation,
        "snippet": snippet(site),
    }


sites = click.Group("sites", help="Register and list sites.")


@sites.command("create")
@click.option("--name", required=True, help="What the site is called.")
@click.option(
    "--origin",
    "origins",
    multiple=True,
    required=True,
    help="An origin that may embed the widget, e.g. https://blog.example.com.",
)
@click.option(
    "--moderation",
    type=click.Choice([m.value for m in Moderation]),
    default=Moderation.OFF.value,
    show_default=True,
)
@click.option("--owner", "owner_email", help="Email of an owner (widget owners create) to run it.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def create_site_command(
    name: str, origins: tuple[str, ...], moderation: str, owner_email: str | None, as_json: bool
) -> None:
    """Register a site and print the snippet to paste into its pages."""
    owner = find_owner(owner_email) if owner_email else None
    if owner_email and owner is None:
        raise click.UsageError(f"--owner: no owner has the email {owner_email}.")
    try:
        site = create_site(name, list(origins), moderation)
    except Rejected as exc:
        option = {"origins": "origin"}.get(exc.field or "", exc.field)
        raise click.UsageError(f"--{option}: {exc.message}") from exc
    if owner is not None:
        add_site(owner, site)
    if as_json:
        click.echo(json.dumps(_site_json(site)))
        return
    click.echo(f"Site {site.name!r} created with key {site.key}.")
    click.echo("Paste this where the comments should appear:\n")
    click.echo(snippet(site))


@sites.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
def list_sites_command(as_json: bool) -> None:
    """Every site with its key, origins and moderation mode."""
    all_sites = db.session.scalars(db.select(Site).order_by(Site.id)).all()
    if as_json:
        click.echo(json.dumps([_site_json(s) for s in all_sites]))
        return
    if not all_sites:
        click.echo("No sites yet: widget sites create --name NAME --origin URL")
    for site in all_sites:
        origins = " ".join(site.origin_list)
        click.echo(f"{site.key}  {site.name}  moderation={site.moderation}  {origins}")


@click.command("demo")
def demo_command() -> None:
    """Create the demo site that /demo/ embeds, if it is not there yet."""
    if db.session.scalar(db.select(Site).where(Site.key == DEMO_KEY)):
        click.echo("The demo site exists.")
        return
    public = urlsplit(current_app.config["WIDGET_PUBLIC_URL"])
    origins = [f"{public.scheme}://{public.netloc}"]
    if public.hostname == "127.0.0.1":
        # Opening the demo at localhost makes it a real third-party embed, as on a blog.
        origins.append(f"{public.scheme}://localhost" + (f":{public.port}" if public.port else ""))
    create_site("Demo blog", origins, key=DEMO_KEY)
    click.echo(f"Demo site created: open {current_app.config['WIDGET_PUBLIC_URL']}/demo/")


def register(app: Flask) -> None:
    app.cli.add_command(sites)
    app.cli.add_command(avatars_group)
    app.cli.add_command(spam_group)
    for group in COMMANDS:
        app.cli.add_command(group)
    app.cli.add_command(demo_command)
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)
    app.cli.add_command(mail_group)
