from tests.conftest import guest


def test_guest_comment_appears_in_thread(client, site, post_json):
    response = post_json(guest(site))
    assert response.status_code == 201, response.json
    thread = client.get(
        "/api/v1/threads", query_string={"site": site.key, "url": guest(site)["url"]}
    )
    assert [c["author_name"] for c in thread.json["comments"]] == ["Ann Reader"]
