"""Site owners: accounts, passwords, which sites they run, invitations, linked identities."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from . import login_throttle, owner_sessions
from .comments import validation
from .digests import secret_hash
from .errors import Rejected
from .extensions import db
from .models import (
    Identity,
    Invite,
    Owner,
    OwnerIdentity,
    OwnerSession,
    Site,
    SiteOwner,
    as_utc,
    utcnow,
)
from .passwords import check_password
from .sites import create_site

ROLES = ("owner", "moderator")
INVITE_LIFETIME = timedelta(days=7)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")  # what secrets.token_urlsafe makes
# Checked when nobody has the email typed, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


def normalize_email(value: object) -> str:
    try:
        return validation.author_email(value)
    except Rejected as exc:
        raise Rejected("email", "Give an email address like name@example.com.") from exc


def find_owner(email: str) -> Owner | None:
    if "\x00" in email:  # PostgreSQL refuses NUL in text; nobody's address has one
        return None
    return db.session.scalar(select(Owner).where(Owner.email == email.strip().lower()))


def create_owner(
    email: object, password: object, *, name: str = "", admin: bool = False,
    sites: tuple[Site, ...] | list[Site] = (),
) -> Owner:  # fmt: skip
    """A new owner account (scrypt-hashed password), owner of `sites`."""
    address = normalize_email(email)
    if find_owner(address) is not None:
        raise Rejected("email", "An owner with that email exists.", code="exists", status=409)
    owner = Owner(
        email=address,
        name=(name or "").strip()[:100],
        password_hash=generate_password_hash(check_password(password, about=(address, name))),
        is_admin=admin,
    )
    db.session.add(owner)
    db.session.flush()
    for site in sites:
        _grant(owner, site, "owner")
    db.session.commit()
    return owner


def authenticate(email: object, password: object) -> Owner | None:
    """The owner with this email and password, or None (without saying which was wrong).

    After repeated failures for one email, from wherever they come, Rejected (429) until the
    wait is over, whatever the password: a guesser learns nothing while it lasts.
    """
    if not isinstance(email, str) or not isinstance(password, str):
        return None
    attempt = login_throttle.begin(email)
    owner = find_owner(email)
    if owner is None or not owner.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        owner = None
    elif not check_password_hash(owner.password_hash, password):
        owner = None
    if owner is None:
        login_throttle.failed(attempt)
    else:
        login_throttle.succeeded(attempt)
    return owner


def set_password(owner: Owner, password: object, *, keep: OwnerSession | None = None) -> None:
    """A new password; every session but `keep` (the browser that chose it) is signed out."""
    owner.password_hash = generate_password_hash(
        check_password(password, about=(owner.email, owner.name))
    )
    owner_sessions.end_all(owner, keep=keep, commit=False)
    db.session.commit()


def remove_owner(owner: Owner) -> list[Site]:
    """Delete the account: its sessions end, its sites lose it. The sites left with no owner
    (an admin still manages them) are returned."""
    sites = sites_of(owner) if not owner.is_admin else []
    owner_sessions.end_all(owner, commit=False)
    db.session.delete(owner)
    db.session.flush()
    orphans = [
        s for s in sites
        if db.session.scalar(select(SiteOwner.owner_id).where(
            SiteOwner.site_id == s.id, SiteOwner.role == "owner").limit(1)) is None
    ]  # fmt: skip
    db.session.commit()
    return orphans


# --- sites ------------------------------------------------------------------------------


def role_on(owner: Owner, site: Site) -> str | None:
    """`owner`, `moderator` or None: what this owner may do on this site."""
    if owner.is_admin:
        return "owner"
    return db.session.scalar(
        select(SiteOwner.role).where(SiteOwner.owner_id == owner.id, SiteOwner.site_id == site.id)
    )


def sites_of(owner: Owner) -> list[Site]:
    query = select(Site).order_by(Site.name, Site.id)
    if not owner.is_admin:
        query = query.join(SiteOwner, SiteOwner.site_id == Site.id).where(
            SiteOwner.owner_id == owner.id
        )
    return list(db.session.scalars(query))


def site_owners(site: Site) -> list[SiteOwner]:
    return list(
        db.session.scalars(
            select(SiteOwner)
            .where(SiteOwner.site_id == site.id)
            .join(Owner, Owner.id == SiteOwner.owner_id)
            .order_by(Owner.email)
        )
    )


def create_owned_site(owner: Owner, name: str, origins: list[str]) -> Site:
    site = create_site(name, origins)
    _grant(owner, site, "owner")
    db.session.commit()
    return site


def add_site(owner: Owner, site: Site, role: str = "owner") -> None:
    _grant(owner, site, role)
    db.session.commit()


def _grant(owner: Owner, site: Site, role: str) -> None:
    if role not in ROLES:
        raise Rejected("role", "The role is owner or moderator.")
    link = db.session.get(SiteOwner, (owner.id, site.id))
    if link is None:
        db.session.add(SiteOwner(owner_id=owner.id, site_id=site.id, role=role))
    elif link.role == "moderator":
        link.role = role  # an invitation never demotes anyone


# --- invitations ------------------------------------------------------------------------


@dataclass(frozen=True)
class Invited:
    invite: Invite
    token: str  # in the emailed link only; the database keeps its hash


def invite(site: Site, email: object, by: Owner, role: str = "owner") -> Invited:
    address = normalize_email(email)
    if role not in ROLES:
        raise Rejected("role", "The role is owner or moderator.")
    token = secrets.token_urlsafe(32)
    record = Invite(
        site_id=site.id,
        email=address,
        role=role,
        token_hash=secret_hash(token),
        invited_by=by.id,
        expires_at=utcnow() + INVITE_LIFETIME,
    )
    db.session.add(record)
    db.session.commit()
    return Invited(record, token)


def find_invite(token: object) -> Invite:
    """The open invitation this link carries; a 404 Rejected if it is unknown, used or old."""
    record = None
    if isinstance(token, str) and _TOKEN.fullmatch(token):
        record = db.session.scalar(select(Invite).where(Invite.token_hash == secret_hash(token)))
    if record is None or record.accepted_at is not None or as_utc(record.expires_at) <= utcnow():
        raise Rejected(
            None, "This invitation is not valid any more: ask for a new one.",
            code="invite_invalid", status=404,
        )  # fmt: skip
    return record


def accept_invite(token: object, *, owner: Owner | None = None, password: object = None) -> Owner:
    """Add the invitation's site to `owner`, or make its email a new owner with `password`.

    The link was sent to that email, so holding it proves the address.
    """
    record = find_invite(token)
    if owner is None:
        owner = find_owner(record.email)
    if owner is None:
        owner = Owner(email=record.email, password_hash=generate_password_hash(
            check_password(password, about=(record.email,))))  # fmt: skip
        db.session.add(owner)
        db.session.flush()
    _grant(owner, record.site, record.role)
    record.accepted_at = utcnow()
    db.session.commit()
    return owner


# --- identities from sign-in providers --------------------------------------------------


def owner_for_identity(identity: Identity) -> Owner | None:
    return db.session.scalar(
        select(Owner)
        .join(OwnerIdentity, OwnerIdentity.owner_id == Owner.id)
        .where(OwnerIdentity.identity_id == identity.id)
    )


def link_identity(owner: Owner, identity: Identity) -> None:
    linked = db.session.get(OwnerIdentity, identity.id)
    if linked is not None and linked.owner_id != owner.id:
        raise Rejected(
            None, "That account is already linked to another owner.", code="taken", status=409
        )
    if linked is None:
        db.session.add(OwnerIdentity(identity_id=identity.id, owner_id=owner.id))
    db.session.commit()


def linked_identities(owner: Owner) -> list[Identity]:
    return list(
        db.session.scalars(
            select(Identity)
            .join(OwnerIdentity, OwnerIdentity.identity_id == Identity.id)
            .where(OwnerIdentity.owner_id == owner.id)
            .order_by(Identity.provider)
        )
    )


def unlink_identity(owner: Owner, identity_id: int) -> None:
    linked = db.session.get(OwnerIdentity, identity_id)
    if linked is None or linked.owner_id != owner.id:
        raise Rejected(None, "No such linked account.", code="not_found", status=404)
    db.session.delete(linked)
    db.session.commit()
