"""The learned spam filter: what it learns, how it scores a comment being posted, what it
keeps in the database, that one site's owner teaches only their own site, and its command
line twin."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.support.blog import guest
from tests.support.dashboard import signed_in
from tests.support.shared_data import SPAM_CORPUS
from widget.comments import moderation, rules
from widget.comments.rules import Candidate
from widget.comments.verdicts import Reason, Verdict, describe
from widget.errors import Rejected
from widget.extensions import db
from widget.models import SPAM_AT, SPAM_HOLD_AT, Comment, Site, SpamLesson, Status
from widget.sites import update_site
from widget.spam_filter import base, storage
from widget.spam_filter.corpus import BUILD_FILES, Example, youtube_csv
from widget.spam_filter.features import Behaviour, Sample, domain, features, links
from widget.spam_filter.model import Calibration, Counts, buckets, evidence
from widget.spam_filter.scoring import Assessment, Outcome, assess, explain, outcome

PITCH = "Check out my channel and subscribe!!! http://bit.ly/free-views"
PITCH_AUTHOR = {"author_name": "Cheap Views", "author_email": "views@example.com"}
# What the owner of a blog about gardening keeps calling spam, and the base model cannot know.
LOCAL_SPAM = "Garden hoses at half price this week only"


@pytest.fixture
def make_site(make_site):  # type: ignore[no-untyped-def]
    """Sites whose owner switched the filter on (new sites have it off: docs/spam.md)."""

    def make(*args: Any, **attrs: Any) -> Site:
        return make_site(*args, **{"spam_filter": True} | attrs)

    return make


def score(text: str, site_id: int | None = None, **author: str) -> float:
    return assess(site_id, Sample(text, **author)).score


# --- features and the model --------------------------------------------------------------


def test_links_are_found_in_text_and_in_html_with_their_domains():
    body = 'see www.shop.example.co.uk/x and <a href="https://bit.ly/abc">this</a>'
    assert sorted(domain(u) for u in links(body)) == ["bit.ly", "example.co.uk"]
    found = features(Sample(body))
    assert {"dom:bit.ly", "link:shortener", "links:2"} <= found


def test_learning_and_taking_back_an_example_leaves_the_counts_as_they_were():
    counts = Counts()
    keys = buckets(features(Sample("buy cheap pills"))).keys()
    counts.learn(keys, is_spam=True)
    assert counts.spam_docs == 1 and all(counts.spam[k] == 1 for k in keys)
    counts.learn(keys, is_spam=True, times=-1)
    assert counts.spam_docs == 0 and all(counts.spam[k] == 0 for k in keys)


def test_a_model_trained_on_examples_scores_their_kind_as_spam():
    spam = [Example(Sample(f"buy cheap pills number {n} now"), True) for n in range(20)]
    ham = [Example(Sample(f"I liked part {n} of the essay"), False) for n in range(20)]
    counts = base.train(spam + ham)
    pills = evidence(buckets(features(Sample("cheap pills, buy now"))), counts, Calibration())
    essay = evidence(buckets(features(Sample("the essay, I liked it"))), counts, Calibration())
    assert pills.score > 0.9 > 0.1 > essay.score


@pytest.mark.skipif(not SPAM_CORPUS.is_dir(), reason="no shared/data/spam beside the checkout")
def test_a_model_of_one_video_tells_the_spam_under_another():
    counts = base.train(youtube_csv(SPAM_CORPUS / BUILD_FILES[0]))
    other = youtube_csv(SPAM_CORPUS / BUILD_FILES[1])
    scored = [
        (evidence(buckets(features(e.sample)), counts, Calibration()).raw, e.is_spam) for e in other
    ]
    spam = [s for s, is_spam in scored if is_spam]
    ham = [s for s, is_spam in scored if not is_spam]
    # The chance that a spam comment outscores a real one (the area under the ROC curve).
    area = sum(s > h for s in spam for h in ham) / (len(spam) * len(ham))
    assert area > 0.9


def test_the_shipped_base_model_was_built_on_the_build_files_only():
    shipped = base.shipped()
    assert shipped.trained_on == BUILD_FILES
    assert shipped.counts.spam_docs + shipped.counts.ham_docs == 350 + 350 + 438


@pytest.mark.skipif(not SPAM_CORPUS.is_dir(), reason="no shared/data/spam beside the checkout")
def test_building_the_base_model_again_gives_the_shipped_file(tmp_path):
    out = tmp_path / "base.json.gz"
    base.save(base.build(SPAM_CORPUS), out)
    assert out.read_bytes() == base.BASE_MODEL.read_bytes()


def test_ordinary_comments_pass_and_a_sales_pitch_does_not():
    for text in ("Hello", "Nice post", "A thoughtful comment.", "I disagree with the ending."):
        assert score(text, author_name="Ann Reader", author_email="ann@example.com") < SPAM_HOLD_AT
    assert score(PITCH, **PITCH_AUTHOR) >= SPAM_AT


# --- posting ------------------------------------------------------------------------------


def test_a_guests_sales_pitch_is_kept_as_spam_with_the_filters_reason(app, site, post_json):
    response = post_json(guest(site, body=PITCH, **PITCH_AUTHOR))
    assert response.status_code == 202
    comment = db.session.scalars(db.select(Comment)).one()
    assert (comment.status, comment.status_reason) == (Status.SPAM.value, Reason.FILTER)
    assert comment.spam_check is not None and comment.spam_check["score"] >= SPAM_AT
    said = describe(comment)
    assert re.match(r"Spam: the spam filter calls it spam \(spam score (0\.9\d|1\.00): ", said)
    assert "words seen in spam: " in said and "“check out”" in said


def test_an_ordinary_guest_comment_is_published_with_its_score_kept(app, site, post_json):
    assert post_json(guest(site, body="Nice post")).status_code == 201
    comment = db.session.scalars(db.select(Comment)).one()
    assert comment.status_reason is None
    assert comment.spam_check is not None and comment.spam_check["score"] < SPAM_HOLD_AT
    assert comment.spam_check["behaviour"] == ["first_comment"]


def test_with_the_filter_off_a_sales_pitch_is_published(app, make_site, post_json):
    site = make_site(spam_filter=False)
    assert post_json(guest(site, body=PITCH, **PITCH_AUTHOR)).status_code == 201
    assert db.session.scalars(db.select(Comment.spam_check)).one() is None


def test_a_site_that_never_calls_spam_holds_the_pitch_instead(app, make_site, post_json):
    site = make_site(spam_at=1.0)
    post_json(guest(site, body=PITCH, **PITCH_AUTHOR))
    comment = db.session.scalars(db.select(Comment)).one()
    assert (comment.status, comment.status_reason) == (Status.PENDING.value, Reason.FILTER)
    assert describe(comment).startswith("Held: the spam filter is unsure (spam score")


def test_the_same_text_again_in_another_thread_is_noticed(app, site, make_comment):
    make_comment(site, url="https://blog.example.com/a/", body="Same words", author_email="a@b.c")
    again = make_comment(site, url="https://blog.example.com/b/", body="Same words",
                         author_email="a@b.c").comment  # fmt: skip
    assert again.spam_check is not None
    assert again.spam_check["behaviour"] == ["repeated"]


def test_the_threshold_settings_are_checked(app, site):
    keep = {"name": site.name, "origins": site.origin_list, "moderation": site.moderation,
            "link_limit": 2, "guests_allowed": True, "disabled_providers": [],
            "held_words": [], "theme": "auto"}  # fmt: skip
    with pytest.raises(Rejected) as refused:
        update_site(site, **keep, spam_hold_at=0.9, spam_at=0.5)
    assert refused.value.field == "spam_at"
    with pytest.raises(Rejected):
        update_site(site, **keep, spam_hold_at=0.0)
    update_site(site, **keep, spam_filter=False, spam_hold_at=0.5, spam_at=0.99)
    assert (site.spam_filter, site.spam_hold_at, site.spam_at) == (False, 0.5, 0.99)


# --- learning from the owner -------------------------------------------------------------


def lesson(comment: Comment) -> bool | None:
    found = db.session.get(SpamLesson, comment.id)
    return None if found is None else found.is_spam


def tally(site) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return storage.tally(site.id)


def test_dashboard_approve_spam_and_not_spam_each_teach_the_site(client, make_site, make_comment):
    site = make_site(moderation="all")
    held = make_comment(site, body="Waiting words").comment
    other = make_comment(site, body="Other words").comment
    dashboard = signed_in(client, site)
    dashboard.post(f"/dashboard/sites/{site.id}/comments/{held.id}/approve")
    assert (lesson(held), tally(site)) == (False, (0, 1))
    dashboard.post(f"/dashboard/sites/{site.id}/comments/{other.id}/spam")
    assert (lesson(other), tally(site)) == (True, (1, 1))
    # A change of mind replaces the lesson: each comment counts once, with its last label.
    dashboard.post(f"/dashboard/sites/{site.id}/comments/{other.id}/not-spam")
    assert (lesson(other), tally(site)) == (False, (0, 2))


def test_deleting_teaches_nothing(client, site, make_comment):
    comment = make_comment(site, body="Off topic").comment
    signed_in(client, site).post(f"/dashboard/sites/{site.id}/comments/{comment.id}/delete")
    assert (lesson(comment), tally(site)) == (None, (0, 0))


def test_the_owners_spam_decisions_turn_the_sites_verdict(app, site, make_comment):
    first = make_comment(site, body=f"{LOCAL_SPAM}, offer 1").comment
    assert first.status == Status.PUBLISHED.value
    moderation.moderate(first, "spam")
    assert tally(site) == (1, 0)
    assert score(LOCAL_SPAM, site.id) >= SPAM_AT
    posted = make_comment(site, body=f"{LOCAL_SPAM}, offer 2").comment
    assert (posted.status, posted.status_reason) == (Status.SPAM.value, Reason.FILTER)


def test_one_sites_decisions_never_change_another_sites_scores(app, make_site, make_comment):
    taught, other = make_site(name="Taught"), make_site(name="Other")
    before = score(LOCAL_SPAM, other.id)
    for n in range(8):
        moderation.moderate(make_comment(taught, body=f"{LOCAL_SPAM} {n}").comment, "spam")
    assert score(LOCAL_SPAM, taught.id) > before
    assert score(LOCAL_SPAM, other.id) == before
    assert make_comment(other, body=LOCAL_SPAM).comment.status == Status.PUBLISHED.value


def test_what_a_site_learnt_is_in_the_database_for_the_next_process(make_app):
    first = make_app()
    with first.app_context():
        from widget.sites import create_site

        site_id = create_site("Blog", ["https://blog.example.com"]).id
        storage.learn(site_id, buckets(features(Sample(LOCAL_SPAM))).keys(), is_spam=True)
        db.session.commit()
        learnt = score(LOCAL_SPAM, site_id)
    second = make_app()  # another process, as after a restart: it reads the same rows
    with second.app_context():
        assert score(LOCAL_SPAM, site_id) == learnt != score(LOCAL_SPAM)
        assert storage.stored_buckets(site_id) == len(buckets(features(Sample(LOCAL_SPAM))))


# --- the command line ---------------------------------------------------------------------


@pytest.fixture
def cli(app):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    return lambda *args, **kw: runner.invoke(args=list(args), **kw)


def test_marking_spam_on_the_command_line_teaches_the_site(cli, site, make_comment):
    comment = make_comment(site, body="Spam here").comment
    assert cli("comments", "spam", str(comment.id)).exit_code == 0
    assert (lesson(comment), tally(site)) == (True, (1, 0))
    assert cli("comments", "not-spam", str(comment.id)).exit_code == 0
    assert (lesson(comment), tally(site)) == (False, (0, 1))


def test_classify_writes_a_verdict_per_line_and_stores_nothing(cli, site):
    lines = [{"body": "Nice post", "author_name": "Ann"}, {"body": PITCH, **PITCH_AUTHOR}]
    result = cli("spam", "classify", "--site", site.key,
                 input="\n".join(json.dumps(line) for line in lines) + "\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert [a["verdict"] for a in answers] == ["ham", "spam"]
    assert 0 <= answers[0]["score"] < answers[1]["score"] <= 1
    assert db.session.scalars(db.select(Comment)).all() == []
    assert tally(site) == (0, 0)


def test_classify_names_the_line_that_is_not_a_comment(cli):
    result = cli("spam", "classify", input='{"body": "fine"}\n{"author_name": "x"}\n')
    assert result.exit_code == 2
    assert 'line 2: "body" must be' in result.output


def test_train_learns_a_files_examples_for_the_site_alone(cli, make_site, tmp_path):
    site, other = make_site(name="Taught"), make_site(name="Other")
    export = tmp_path / "spam.jsonl"
    export.write_text("".join(json.dumps({"body": f"{LOCAL_SPAM} {n}"}) + "\n" for n in range(8)))
    before = score(LOCAL_SPAM, site.id)
    result = cli("spam", "train", "--site", site.key, "--spam", str(export))
    assert result.exit_code == 0, result.output
    assert "Learnt 8 spam and 0 not spam" in result.output
    assert tally(site) == (8, 0) and tally(other) == (0, 0)
    assert score(LOCAL_SPAM, site.id) > before


def test_train_refuses_a_file_with_a_bad_line_and_learns_none_of_it(cli, site, tmp_path):
    export = tmp_path / "mixed.jsonl"
    export.write_text('{"body": "ok", "spam": true}\n{"body": "no label"}\n')
    result = cli("spam", "train", "--site", site.key, str(export))
    assert result.exit_code == 2
    assert "line 2" in result.output
    assert tally(site) == (0, 0)


def test_the_reasons_say_what_pushed_towards_spam_as_an_owner_would():
    said = explain([("w:subscribe", 3.0), ("dom:a.example", 2.0), ("dom:b.example", 1.5),
                    ("dom:c.example", 1.0), ("links:2+", 1.0), ("w:the", -1.0)])  # fmt: skip
    assert said == (
        "links to 3 domains seen in spam",
        "words seen in spam: “subscribe”",
        "more than two links",
    )


def test_a_signed_in_reader_is_at_most_held(app, site):
    check = Assessment(0.999, ("words seen in spam: “subscribe”",), Behaviour())
    as_guest = Candidate(site=site, body=PITCH, html="", email="a@b.c", spam_check=check)
    signed_in_reader = Candidate(site=site, body=PITCH, html="", email="a@b.c", user_id=1,
                                 spam_check=check)  # fmt: skip
    assert rules.learned_filter(as_guest) == Verdict(Status.SPAM.value, Reason.FILTER)
    assert rules.learned_filter(signed_in_reader) == Verdict(Status.PENDING.value, Reason.FILTER)
    unsure = Assessment(SPAM_HOLD_AT + 0.01, (), Behaviour())
    assert outcome(site, unsure.score) == Outcome.UNSURE
    assert outcome(site, unsure.score, signed_in=True) == Outcome.HAM


# --- the dashboard ------------------------------------------------------------------------


def test_the_owner_sets_the_filters_thresholds_in_the_settings(client, site):
    dashboard = signed_in(client, site)
    page = dashboard.text(f"/dashboard/sites/{site.id}/settings")
    assert 'name="spam_hold_at"' in page and 'value="0.25"' in page
    form = {"name": site.name, "origins": "\n".join(site.origin_list), "moderation": "off",
            "link_limit": "2", "guests_allowed": "y", "theme": "auto",
            "spam_filter": "y"}  # fmt: skip
    refused = dashboard.post(f"/dashboard/sites/{site.id}/settings",
                             data=form | {"spam_hold_at": "0.9", "spam_at": "0.5"})  # fmt: skip
    assert refused.status_code == 400
    assert "no lower than the one that holds it" in refused.get_data(as_text=True)
    saved = dashboard.post(f"/dashboard/sites/{site.id}/settings",
                           data=form | {"spam_hold_at": "0.4", "spam_at": "0.99"})  # fmt: skip
    assert saved.status_code == 302
    db.session.refresh(site)
    assert (site.spam_filter, site.spam_hold_at, site.spam_at) == (True, 0.4, 0.99)


def test_the_spam_list_says_why_the_filter_kept_a_comment(client, site, post_json):
    post_json(guest(site, body=PITCH, **PITCH_AUTHOR))
    page = signed_in(client, site).text(f"/dashboard/sites/{site.id}/spam")
    assert "Spam: the spam filter calls it spam (spam score" in page
    assert "words seen in spam:" in page
