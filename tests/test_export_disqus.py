"""The Disqus export: Disqus's own layout (a category, the threads, then the posts), read back
with xml.etree by its namespaces; what readers here do not see goes as a deleted post with
nothing of what it said or who said it."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from tests.support.exports import TRICKY_HTML, TRICKY_NAME, build_sample, clean_name
from tests.support.shared_data import shared_data
from widget.exporters import disqus
from widget.models import Status

NS = "{http://disqus.com}"
DSQ = "{http://disqus.com/disqus-internals}id"


def exported(site):  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    counts = disqus.write(site, out)
    return counts, ET.fromstring(out.getvalue())


def posts(root):  # type: ignore[no-untyped-def]
    return {int(p.get(DSQ)): p for p in root.findall(f"{NS}post")}


@pytest.fixture
def sample(make_site, make_comment):  # type: ignore[no-untyped-def]
    return build_sample(make_site, make_comment)


def test_a_category_then_every_thread_then_every_post(sample):
    counts, root = exported(sample.site)
    assert root.tag == f"{NS}disqus"
    tags = [child.tag.removeprefix(NS) for child in root]
    assert tags == ["category"] + ["thread"] * 2 + ["post"] * len(sample.comments)
    assert counts == {"threads": 2, "comments": len(sample.comments)}
    assert root.find(f"{NS}category").get(DSQ) == "1"


def test_threads_carry_their_id_link_title_and_creation(sample):
    threads = exported(sample.site)[1].findall(f"{NS}thread")
    assert [int(t.get(DSQ)) for t in threads] == [t.id for t in sample.threads]
    for element, thread in zip(threads, sample.threads, strict=True):
        assert element.findtext(f"{NS}link") == thread.url
        assert element.findtext(f"{NS}id") == thread.url
        assert element.findtext(f"{NS}title") == thread.title
        assert element.find(f"{NS}category").get(DSQ) == "1"
        assert element.findtext(f"{NS}isDeleted") == "false"
        assert element.findtext(f"{NS}createdAt").endswith("Z")
    assert threads[1].findtext(f"{NS}title") == "Second & <last> ]]>"


def test_posts_name_their_thread_and_parent(sample):
    elements = posts(exported(sample.site)[1])
    assert set(elements) == {c.id for c in sample.comments.values()}
    for comment in sample.comments.values():
        element = elements[comment.id]
        assert int(element.find(f"{NS}thread").get(DSQ)) == comment.thread_id
        parent = element.find(f"{NS}parent")
        assert (None if parent is None else int(parent.get(DSQ))) == comment.parent_id
    deep = elements[sample.comments["deep"].id]
    assert int(deep.find(f"{NS}parent").get(DSQ)) == sample.comments["reply"].id


def test_published_posts_are_whole_and_dated_to_the_second(sample):
    elements = posts(exported(sample.site)[1])
    for comment in sample.published:
        element = elements[comment.id]
        assert element.findtext(f"{NS}message") == comment.html
        assert element.findtext(f"{NS}isDeleted") == "false"
        assert element.findtext(f"{NS}isSpam") == "false"
        assert element.findtext(f"{NS}author/{NS}name") == clean_name(comment.author_name)
        assert element.findtext(f"{NS}author/{NS}email") == comment.author_email
    top = elements[sample.comments["top"].id]
    assert top.findtext(f"{NS}createdAt") == "2026-01-02T03:04:12Z"
    assert top.findtext(f"{NS}author/{NS}isAnonymous") == "true"
    signed_in = elements[sample.comments["signed_in"].id]
    assert signed_in.findtext(f"{NS}author/{NS}isAnonymous") == "false"


def test_what_readers_do_not_see_goes_deleted_and_empty(sample):
    elements = posts(exported(sample.site)[1])
    hidden = [c for c in sample.comments.values() if c.status != Status.PUBLISHED.value]
    assert {c.status for c in hidden} == {"pending", "spam", "deleted"}
    for comment in hidden:
        element = elements[comment.id]
        assert element.findtext(f"{NS}isDeleted") == "true"
        assert element.findtext(f"{NS}isSpam") == str(comment.status == "spam").lower()
        assert not element.findtext(f"{NS}message")
        assert not element.findtext(f"{NS}author/{NS}name")
        assert not element.findtext(f"{NS}author/{NS}email")
    # Their replies keep their place under them.
    under = elements[sample.comments["under_deleted"].id]
    assert int(under.find(f"{NS}parent").get(DSQ)) == sample.comments["deleted"].id


def test_markup_and_cdata_ends_survive_as_text(sample):
    elements = posts(exported(sample.site)[1])
    tricky = elements[sample.comments["tricky"].id]
    assert tricky.findtext(f"{NS}message") == TRICKY_HTML
    assert tricky.findtext(f"{NS}author/{NS}name") == clean_name(TRICKY_NAME)
    top = sample.comments["top"]
    assert elements[top.id].findtext(f"{NS}message") == top.html
    assert "&lt;script&gt;" in top.html


def test_posts_use_the_words_of_a_real_disqus_export(sample):
    """Every element we write in a post or a thread is one a real Disqus export has there
    (a 2013 export of guoyukun.cn, in shared/data/import: see its README)."""
    real = ET.parse(shared_data() / "import" / "disqus2duoshuo-gyk001-disqus.redacted.xml")

    def words(root, kind):  # type: ignore[no-untyped-def]
        return {e.tag for node in root.getroot().iter(f"{NS}{kind}") for e in node.iter()}

    ours = ET.ElementTree(exported(sample.site)[1])
    for kind in ("post", "thread"):
        assert words(ours, kind) <= words(real, kind), kind


def test_a_site_without_comments_has_only_its_category(make_site):
    counts, root = exported(make_site(name="Quiet"))
    assert counts == {"threads": 0, "comments": 0}
    assert [child.tag for child in root] == [f"{NS}category"]
