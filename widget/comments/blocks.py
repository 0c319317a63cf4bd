"""Blocks: a guest email, a signed-in user or an IP whose new comments a site refuses or holds.

Emails and IPs are never stored: only an HMAC-SHA256 under the service's pepper, enough to
recognise them again and useless to anyone who reads the database without the pepper.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime

from sqlalchemy import or_, select

from ..digests import peppered_hash
from ..errors import Rejected
from ..extensions import db
from ..models import Block, Comment, Owner, Site, User, utcnow
from . import validation

KINDS = ("email", "user", "ip")
ACTIONS = ("refuse", "hold")
REFUSED_MESSAGE = "Sorry, this site is not accepting comments from you."


def ip_digest(ip: str | None) -> str:
    """The peppered hash of an IP address, or "" when there is none (or it is not one)."""
    try:
        return (
            peppered_hash("ip", ipaddress.ip_address((ip or "").strip()).compressed) if ip else ""
        )
    except ValueError:
        return ""


def find_block(
    site: Site, *, email: str = "", user_id: int | None = None, ip_hash: str = ""
) -> Block | None:
    """The live block that matches this commenter on this site; a refusal wins over a hold."""
    matches = []
    if email:
        matches.append(
            (Block.kind == "email") & (Block.value_hash == peppered_hash("email", email))
        )
    if user_id is not None:
        matches.append(
            (Block.kind == "user") & (Block.value_hash == peppered_hash("user", str(user_id)))
        )
    if ip_hash:
        matches.append((Block.kind == "ip") & (Block.value_hash == ip_hash))
    if not matches:
        return None
    found = db.session.scalars(
        select(Block).where(
            Block.site_id == site.id,
            or_(*matches),
            or_(Block.expires_at.is_(None), Block.expires_at > utcnow()),
        )
    ).all()
    return min(found, key=lambda b: ACTIONS.index(b.action), default=None)


def block_value(
    site: Site,
    kind: str,
    value: str,
    *,
    action: str = "refuse",
    expires_at: datetime | None = None,
    by: Owner | None = None,
) -> Block:
    """Block an email address or an IP address typed by the owner."""
    value = (value or "").strip()
    if kind == "email":
        clean = validation.author_email(value) if value else ""
        if not clean:
            raise Rejected("value", "Give the email address to block.")
        return _put(site, "email", peppered_hash("email", clean), _mask_email(clean), action,
                    expires_at, by)  # fmt: skip
    if kind == "ip":
        try:
            address = ipaddress.ip_address(value)
        except ValueError as exc:
            raise Rejected("value", "Give an IP address like 203.0.113.7 or 2001:db8::1.") from exc
        return _put(site, "ip", peppered_hash("ip", address.compressed), _mask_ip(address), action,
                    expires_at, by)  # fmt: skip
    raise Rejected("kind", "Block an email or an IP address here; block users from a comment.")


def block_author(
    site: Site,
    comment: Comment,
    kind: str,
    *,
    action: str = "refuse",
    expires_at: datetime | None = None,
    by: Owner | None = None,
) -> Block:
    """Block whoever wrote `comment` by their email, their account or their IP."""
    who = comment.author_name
    if kind == "user":
        if comment.user_id is None:
            raise Rejected("kind", "This comment was written by a guest: block their email.")
        user = db.session.get(User, comment.user_id)
        label = f"{user.name if user else who} (signed in with {comment.provider})"
        return _put(site, "user", peppered_hash("user", str(comment.user_id)), label, action,
                    expires_at, by)  # fmt: skip
    if kind == "email":
        if not comment.author_email:
            raise Rejected("kind", "This comment has no email address to block.")
        label = f"{_mask_email(comment.author_email)} ({who})"
        return _put(site, "email", peppered_hash("email", comment.author_email), label, action,
                    expires_at, by)  # fmt: skip
    if kind == "ip":
        if not comment.ip_hash:
            raise Rejected("kind", "The IP address of this comment is not known.")
        label = f"the IP address of {who}'s comment #{comment.id}"
        return _put(site, "ip", comment.ip_hash, label, action, expires_at, by)
    raise Rejected("kind", "Block by email, user or IP.")


def _put(site: Site, kind: str, value_hash: str, label: str, action: str,
         expires_at: datetime | None, by: Owner | None) -> Block:  # fmt: skip
    if action not in ACTIONS:
        raise Rejected("action", "A block refuses or holds new comments.")
    if expires_at is not None and expires_at <= utcnow():
        raise Rejected("expires_at", "The expiry must be in the future.")
    block = db.session.scalar(
        select(Block).where(
            Block.site_id == site.id, Block.kind == kind, Block.value_hash == value_hash
        )
    )
    if block is None:
        block = Block(site_id=site.id, kind=kind, value_hash=value_hash)
        db.session.add(block)
    block.label = label[:200]
    block.action = action
    block.expires_at = expires_at
    block.created_by = by.id if by else None
    block.created_at = utcnow()
    db.session.commit()
    return block


def site_blocks(site: Site) -> list[Block]:
    return list(
        db.session.scalars(
            select(Block).where(Block.site_id == site.id).order_by(Block.created_at.desc())
        )
    )


def unblock(block: Block) -> None:
    db.session.delete(block)
    db.session.commit()


def _mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:2]}…@{domain}"


def _mask_ip(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if address.version == 4:
        return ".".join(address.compressed.split(".")[:2]) + ".…"
    return address.exploded.split(":")[0] + ":…"
