"""Blocks: an owner stops a guest email, a signed-in reader or an IP from commenting (or holds
what they write), for good or until a date; and words that hold a comment."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.support.blog import guest
from tests.support.dashboard import signed_in
from widget.auth import identities
from widget.auth.profiles import Profile
from widget.comments import blocks
from widget.extensions import db
from widget.models import Block, Comment, utcnow

ADDRESS = "203.0.113.9"


def post_from(post_json, payload, ip=ADDRESS):  # type: ignore[no-untyped-def]
    return post_json(payload, environ_base={"REMOTE_ADDR": ip})


def test_a_blocked_email_is_refused_with_a_kind_message(client, site, post_json):
    dashboard = signed_in(client, site)
    dashboard.post(
        f"/dashboard/sites/{site.id}/blocks",
        data={"kind": "email", "value": "Troll@Example.com", "action": "refuse"},
    )
    response = post_json(guest(site, author_email="troll@example.com"))
    assert response.status_code == 403
    assert response.json["error"] == {
        "code": "blocked",
        "message": "Sorry, this site is not accepting comments from you.",
    }
    assert post_json(guest(site, author_email="friend@example.com")).status_code == 201


def test_a_hold_block_holds_instead_of_refusing(client, site, post_json):
    signed_in(client, site).post(
        f"/dashboard/sites/{site.id}/blocks",
        data={"kind": "email", "value": "ann@example.com", "action": "hold"},
    )
    response = post_json(guest(site))
    assert response.status_code == 202
    assert response.json["status"] == "pending"


def test_an_ip_block_refuses_comments_from_that_address(client, site, post_json):
    signed_in(client, site).post(
        f"/dashboard/sites/{site.id}/blocks",
        data={"kind": "ip", "value": ADDRESS, "action": "refuse"},
    )
    assert post_from(post_json, guest(site)).status_code == 403
    assert post_from(post_json, guest(site), ip="198.51.100.1").status_code == 201


def test_blocked_emails_and_ips_are_stored_only_as_keyed_hashes(client, site):
    blocks.block_value(site, "email", "secret.person@example.com")
    blocks.block_value(site, "ip", ADDRESS)
    for block in db.session.scalars(select(Block)):
        assert "secret.person" not in block.value_hash + block.label
        assert ADDRESS not in block.value_hash + block.label
        assert len(block.value_hash) == 64
    # Keyed: the plain SHA-256 of the value is not what is stored.
    import hashlib

    plain = hashlib.sha256(b"email:secret.person@example.com").hexdigest()
    assert db.session.scalar(select(Block).where(Block.value_hash == plain)) is None


def test_the_ip_of_a_comment_is_stored_hashed_and_can_be_blocked_from_it(client, site, post_json):
    first = post_from(post_json, guest(site, author_email="a@example.com"))
    comment = db.session.get(Comment, first.json["id"])
    assert comment.ip_hash and ADDRESS not in comment.ip_hash
    dashboard = signed_in(client, site)
    response = dashboard.post(
        f"/dashboard/sites/{site.id}/comments/{comment.id}/block",
        data={"kind": "ip", "action": "refuse"},
    )
    assert response.status_code == 302
    # Another email from the same address is refused too.
    assert post_from(post_json, guest(site, author_email="b@example.com")).status_code == 403


def test_blocking_a_signed_in_reader_refuses_their_account(client, site, post_json):
    identity = identities.upsert_identity(
        Profile(
            provider="github",
            subject="7",
            name="Mallory",
            avatar_url=None,
            profile_url=None,
            email="m@example.com",
            email_verified=True,
        )
    )
    db.session.add(
        Comment(
            thread_id=_thread(site, post_json),
            user_id=identity.user_id,
            provider="github",
            author_name="Mallory",
            body="x",
            html="<p>x</p>",
        )
    )
    db.session.commit()
    comment = db.session.scalar(select(Comment).where(Comment.user_id == identity.user_id))
    signed_in(client, site).post(
        f"/dashboard/sites/{site.id}/comments/{comment.id}/block",
        data={"kind": "user", "action": "refuse"},
    )
    found = blocks.find_block(site, user_id=identity.user_id)
    assert found is not None and found.kind == "user" and "Mallory" in found.label


def _thread(site, post_json) -> int:  # type: ignore[no-untyped-def]
    return db.session.get(Comment, post_json(guest(site)).json["id"]).thread_id


def test_a_block_ends_at_its_expiry(client, site, post_json):
    block = blocks.block_value(
        site, "email", "ann@example.com", expires_at=utcnow() + timedelta(days=1)
    )
    assert post_json(guest(site)).status_code == 403
    block.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert post_json(guest(site)).status_code == 201


def test_the_dashboard_sets_an_expiry_in_days(client, site):
    signed_in(client, site).post(
        f"/dashboard/sites/{site.id}/blocks",
        data={"kind": "email", "value": "a@example.com", "action": "refuse", "expires": "7"},
    )
    block = db.session.scalar(select(Block))
    left = blocks.find_block(site, email="a@example.com").expires_at
    assert block.expires_at is not None
    assert timedelta(days=6) < left.replace(tzinfo=None) - utcnow().replace(tzinfo=None)


def test_unblocking_lets_them_comment_again(client, site, post_json):
    block = blocks.block_value(site, "email", "ann@example.com")
    dashboard = signed_in(client, site)
    assert "an…@example.com" in dashboard.text(f"/dashboard/sites/{site.id}/blocks")
    response = dashboard.post(f"/dashboard/sites/{site.id}/blocks/{block.id}/delete")
    assert response.status_code == 302
    assert post_json(guest(site)).status_code == 201


def test_a_block_on_one_site_does_not_reach_another(make_site, post_json):
    site_a = make_site()
    site_b = make_site(name="B", origins=["https://b.example"])
    blocks.block_value(site_a, "email", "ann@example.com")
    payload = guest(site_b, url="https://b.example/post/")
    assert post_json(payload).status_code == 201


def test_a_bad_address_is_refused_on_the_form(client, site):
    response = signed_in(client, site).post(
        f"/dashboard/sites/{site.id}/blocks",
        data={"kind": "ip", "value": "not-an-ip", "action": "refuse"},
    )
    assert response.status_code == 400
    assert "Give an IP address" in response.get_data(as_text=True)
    assert db.session.scalar(select(Block)) is None


# --- held words ---------------------------------------------------------------------------


def test_a_held_word_holds_the_comment_whatever_its_case(make_site, post_json):
    site = make_site(held_words=["casino", "cheap pills"])
    assert post_json(guest(site, body="Best CASINO in town")).status_code == 202
    assert post_json(guest(site, body="Buy cheap pills")).status_code == 202


def test_a_held_word_inside_another_word_does_not_hold(make_site, post_json):
    site = make_site(held_words=["ass"])
    assert post_json(guest(site, body="A classic, first class.")).status_code == 201
