"""Sign-in providers: which are configured, how they register, and how each provider's answer
(the shapes their documentation gives) becomes a Profile. Real providers are not reachable from
tests, so a small fake stands in for the Authlib client."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from authlib.integrations.flask_client import OAuth
from flask import Flask

from widget.auth.profiles import Profile, ProfileUnavailable
from widget.auth.providers import (
    PROVIDER_NAMES,
    configured_providers,
    provider_settings_from_env,
    register_providers,
)

ALL = {
    "WIDGET_WORDPRESS_CLIENT_ID": "wp-id",
    "WIDGET_WORDPRESS_CLIENT_SECRET": "wp-secret",
    "WIDGET_GOOGLE_CLIENT_ID": "google-id",
    "WIDGET_GOOGLE_CLIENT_SECRET": "google-secret",
    "WIDGET_TWITTER_CLIENT_ID": "x-id",
    "WIDGET_TWITTER_CLIENT_SECRET": "x-secret",
    "WIDGET_FACEBOOK_CLIENT_ID": "fb-id",
    "WIDGET_FACEBOOK_CLIENT_SECRET": "fb-secret",
    "WIDGET_GITHUB_CLIENT_ID": "gh-id",
    "WIDGET_GITHUB_CLIENT_SECRET": "gh-secret",
    "WIDGET_OIDC_ISSUER": "https://id.example.org/",
    "WIDGET_OIDC_CLIENT_ID": "oidc-id",
    "WIDGET_OIDC_CLIENT_SECRET": "oidc-secret",
}
TOKEN: dict[str, Any] = {"access_token": "at", "token_type": "Bearer"}


class FakeResponse:
    def __init__(self, body: Any, status_code: int = 200) -> None:
        self.body = body
        self.status_code = status_code
        self.ok = status_code < 400

    def json(self) -> Any:
        return self.body


class FakeClient:
    """Answers GET by path, like an Authlib client with api_base_url; records what was asked."""

    def __init__(self, answers: dict[str, Any], userinfo: dict[str, Any] | None = None) -> None:
        self.answers = answers
        self.userinfo_answer = userinfo
        self.requests: list[tuple[str, Any]] = []

    def get(self, path: str, params: Any = None, token: Any = None) -> FakeResponse:
        assert token is TOKEN or token.get("access_token") == "at"
        self.requests.append((path, params))
        answer = self.answers[path]
        return answer if isinstance(answer, FakeResponse) else FakeResponse(answer)

    def userinfo(self, token: Any = None) -> dict[str, Any]:
        if self.userinfo_answer is None:
            raise AssertionError("userinfo endpoint called when the ID token sufficed")
        self.requests.append(("userinfo", None))
        return self.userinfo_answer


def fetch(name: str, client: FakeClient, token: dict[str, Any] = TOKEN) -> Profile:
    return configured_providers(ALL)[name].fetch_profile(client, token)


# --- WordPress.com: GET /rest/v1.1/me ---------------------------------------------------------

WPCOM_ME = {
    "ID": 1001000100,
    "display_name": "Ada Lovelace",
    "username": "adalovelace",
    "email": "ada@example.com",
    "primary_blog": 415,
    "avatar_URL": "https://0.gravatar.com/avatar/a178ebb1731d432338e6bb0158720fcc?s=96&d=identicon",
    "profile_URL": "https://gravatar.com/adalovelace",
    "verified": True,
    "email_verified": True,
}


def test_wordpress_profile_reads_the_oddly_capitalised_me_fields() -> None:
    client = FakeClient({"me": WPCOM_ME})
    assert fetch("wordpress", client) == Profile(
        provider="wordpress",
        subject="1001000100",
        name="Ada Lovelace",
        avatar_url=WPCOM_ME["avatar_URL"],
        profile_url="https://gravatar.com/adalovelace",
        email="ada@example.com",
        email_verified=True,
    )
    base = configured_providers(ALL)["wordpress"].register_kwargs["api_base_url"]
    assert urljoin(base, "me") == "https://public-api.wordpress.com/rest/v1.1/me"


def test_wordpress_email_is_verified_by_email_verified_not_by_connect_verified() -> None:
    me = {**WPCOM_ME, "verified": True, "email_verified": False}
    assert fetch("wordpress", FakeClient({"me": me})).email_verified is False


def test_wordpress_name_falls_back_to_username() -> None:
    me = {**WPCOM_ME, "display_name": "  "}
    assert fetch("wordpress", FakeClient({"me": me})).name == "adalovelace"


# --- Google: claims of the ID token, parsed by Authlib into token["userinfo"] ----------------

GOOGLE_CLAIMS = {
    "iss": "https://accounts.google.com",
    "azp": "google-id",
    "aud": "google-id",
    "sub": "110169484474386276334",
    "email": "ada@gmail.com",
    "email_verified": True,
    "name": "Ada Lovelace",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "picture": "https://lh3.googleusercontent.com/a/ACg8ocK=s96-c",
    "iat": 1764000000,
    "exp": 1764003600,
}


def test_google_profile_comes_from_the_id_token_without_calling_userinfo() -> None:
    client = FakeClient({})  # its userinfo() fails the test if called
    token = {**TOKEN, "id_token": "x.y.z", "userinfo": GOOGLE_CLAIMS}
    assert fetch("google", client, token) == Profile(
        provider="google",
        subject="110169484474386276334",
        name="Ada Lovelace",
        avatar_url="https://lh3.googleusercontent.com/a/ACg8ocK=s96-c",
        profile_url=None,
        email="ada@gmail.com",
        email_verified=True,
    )
    assert client.requests == []


# --- X: GET /2/users/me?user.fields=... -> {"data": {...}} ------------------------------------

X_ME = {
    "data": {
        "id": "2244994945",
        "name": "X Developers",
        "username": "XDevelopers",
        "profile_image_url": "https://pbs.twimg.com/profile_images/1/abc_normal.jpg",
    }
}


def test_x_profile_unwraps_data_and_builds_the_profile_url_from_the_username() -> None:
    client = FakeClient({"users/me": X_ME})
    assert fetch("twitter", client) == Profile(
        provider="twitter",
        subject="2244994945",
        name="X Developers",
        avatar_url="https://pbs.twimg.com/profile_images/1/abc_normal.jpg",
        profile_url="https://x.com/XDevelopers",
        email=None,
        email_verified=False,
    )
    [(path, params)] = client.requests
    assert path == "users/me"
    assert set(params["user.fields"].split(",")) >= {"profile_image_url", "name", "username"}


def test_x_without_display_name_is_named_by_handle() -> None:
    me = {"data": {**X_ME["data"], "name": ""}}
    assert fetch("twitter", FakeClient({"users/me": me})).name == "XDevelopers"


# --- Facebook: GET /<version>/me?fields=id,name,email,picture... -----------------------------

FACEBOOK_ME = {
    "id": "10158012345678901",
    "name": "Ada Lovelace",
    "email": "ada@example.net",
    "picture": {
        "data": {
            "height": 128,
            "is_silhouette": False,
            "url": "https://platform-lookaside.fbsbx.com/platform/profilepic/?asid=1&height=128",
            "width": 128,
        }
    },
}


def test_facebook_profile_takes_the_avatar_from_picture_data_url() -> None:
    client = FakeClient({"me": FACEBOOK_ME})
    assert fetch("facebook", client) == Profile(
        provider="facebook",
        subject="10158012345678901",
        name="Ada Lovelace",
        avatar_url=FACEBOOK_ME["picture"]["data"]["url"],
        profile_url=None,
        email="ada@example.net",
        email_verified=False,
    )
    [(path, params)] = client.requests
    assert path == "me"
    assert params["fields"] == "id,name,email,picture.width(128).height(128)"


def test_facebook_user_who_declined_email_has_none() -> None:
    me = {k: v for k, v in FACEBOOK_ME.items() if k != "email"}
    assert fetch("facebook", FakeClient({"me": me})).email is None


# --- GitHub: GET /user, and /user/emails for a private primary address -----------------------

GITHUB_USER = {
    "login": "octocat",
    "id": 583231,
    "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4",
    "html_url": "https://github.com/octocat",
    "name": "The Octocat",
    "email": None,
}
GITHUB_EMAILS = [
    {"email": "old@example.com", "primary": False, "verified": True, "visibility": None},
    {"email": "octocat@github.com", "primary": True, "verified": True, "visibility": "private"},
]


def test_github_private_email_comes_from_the_verified_primary_in_user_emails() -> None:
    client = FakeClient({"user": GITHUB_USER, "user/emails": GITHUB_EMAILS})
    assert fetch("github", client) == Profile(
        provider="github",
        subject="583231",
        name="The Octocat",
        avatar_url="https://avatars.githubusercontent.com/u/583231?v=4",
        profile_url="https://github.com/octocat",
        email="octocat@github.com",
        email_verified=True,
    )


def test_github_unverified_primary_gives_way_to_a_verified_address() -> None:
    emails = [
        {"email": "new@example.com", "primary": True, "verified": False, "visibility": "private"},
        {"email": "old@example.com", "primary": False, "verified": True, "visibility": None},
    ]
    profile = fetch("github", FakeClient({"user": GITHUB_USER, "user/emails": emails}))
    assert (profile.email, profile.email_verified) == ("old@example.com", True)


def test_github_without_user_emails_keeps_the_public_email_unverified() -> None:
    user = {**GITHUB_USER, "name": None, "email": "public@example.com"}
    client = FakeClient({"user": user, "user/emails": FakeResponse({"message": "Not Found"}, 404)})
    profile = fetch("github", client)
    assert (profile.name, profile.email, profile.email_verified) == (
        "octocat",
        "public@example.com",
        False,
    )


# --- Generic OIDC: ID token with only sub; name and email from the userinfo endpoint ---------

OIDC_ID_CLAIMS = {
    "sub": "user-42",
    "iss": "https://id.example.org",
    "aud": "oidc-id",
    "nonce": "n",
    "iat": 1764000000,
    "exp": 1764003600,
}
OIDC_USERINFO = {
    "sub": "user-42",
    "name": "Grace Hopper",
    "email": "grace@example.org",
    "email_verified": True,
    "picture": "https://id.example.org/avatars/user-42.png",
}


def test_oidc_completes_a_bare_id_token_from_the_userinfo_endpoint() -> None:
    client = FakeClient({}, userinfo=OIDC_USERINFO)
    token = {**TOKEN, "id_token": "x.y.z", "userinfo": OIDC_ID_CLAIMS}
    assert fetch("oidc", client, token) == Profile(
        provider="oidc",
        subject="user-42",
        name="Grace Hopper",
        avatar_url="https://id.example.org/avatars/user-42.png",
        profile_url=None,
        email="grace@example.org",
        email_verified=True,
    )
    assert client.requests == [("userinfo", None)]


def test_oidc_ignores_userinfo_about_another_subject() -> None:
    client = FakeClient({}, userinfo={**OIDC_USERINFO, "sub": "someone-else"})
    token = {**TOKEN, "id_token": "x.y.z", "userinfo": OIDC_ID_CLAIMS}
    profile = fetch("oidc", client, token)
    assert (profile.subject, profile.name, profile.email) == ("user-42", "user-42", None)


def test_oidc_names_by_preferred_username_when_there_is_no_name() -> None:
    info = {"sub": "user-42", "preferred_username": "grace", "email": "g@example.org"}
    token = {**TOKEN, "userinfo": OIDC_ID_CLAIMS}
    profile = fetch("oidc", FakeClient({}, userinfo=info), token)
    assert (profile.name, profile.email_verified) == ("grace", False)


# --- Failures are ProfileUnavailable (a ValueError, which the callback already handles) -----


def test_an_error_answer_is_profile_unavailable() -> None:
    client = FakeClient({"users/me": FakeResponse({"title": "Unauthorized"}, 401)})
    with pytest.raises(ProfileUnavailable, match="401"):
        fetch("twitter", client)


def test_an_answer_without_user_id_is_profile_unavailable() -> None:
    with pytest.raises(ValueError):
        fetch("facebook", FakeClient({"me": {"name": "Nobody"}}))


# --- Configuration ---------------------------------------------------------------------------


def test_nothing_configured_offers_no_provider() -> None:
    assert configured_providers({}) == {}


def test_a_client_id_without_secret_is_not_configured() -> None:
    config = {"WIDGET_GITHUB_CLIENT_ID": "gh-id", "WIDGET_GOOGLE_CLIENT_ID": "g"}
    config["WIDGET_GOOGLE_CLIENT_SECRET"] = "   "
    assert configured_providers(config) == {}


def test_oidc_needs_an_issuer() -> None:
    config = {"WIDGET_OIDC_CLIENT_ID": "id", "WIDGET_OIDC_CLIENT_SECRET": "secret"}
    assert configured_providers(config) == {}


def test_oidc_label_is_the_operators_name_for_it() -> None:
    assert configured_providers(ALL)["oidc"].label == "OpenID Connect"
    named = configured_providers({**ALL, "WIDGET_OIDC_NAME": "Example Staff"})
    assert named["oidc"].label == "Example Staff"


def test_oidc_discovers_its_endpoints_under_the_issuer() -> None:
    kwargs = configured_providers(ALL)["oidc"].register_kwargs
    assert kwargs["server_metadata_url"] == (
        "https://id.example.org/.well-known/openid-configuration"
    )
    assert kwargs["client_kwargs"] == {
        "scope": "openid email profile",
        "code_challenge_method": "S256",
    }
    assert (kwargs["client_id"], kwargs["client_secret"]) == ("oidc-id", "oidc-secret")


def test_labels() -> None:
    labels = {name: p.label for name, p in configured_providers(ALL).items()}
    assert labels == {
        "wordpress": "WordPress.com",
        "google": "Google",
        "twitter": "X",
        "facebook": "Facebook",
        "github": "GitHub",
        "oidc": "OpenID Connect",
    }


def test_providers_come_in_display_order_whatever_the_config_order() -> None:
    assert PROVIDER_NAMES == ("wordpress", "google", "twitter", "facebook", "github", "oidc")
    reversed_config = dict(reversed(list(ALL.items())))
    assert tuple(configured_providers(reversed_config)) == PROVIDER_NAMES
    some = {k: v for k, v in ALL.items() if "GITHUB" in k or "WORDPRESS" in k}
    assert list(configured_providers(some)) == ["wordpress", "github"]


def test_twitter_registers_pkce_s256_and_http_basic_client_auth() -> None:
    kwargs = configured_providers(ALL)["twitter"].register_kwargs
    assert kwargs["client_kwargs"] == {
        "scope": "tweet.read users.read",
        "code_challenge_method": "S256",
        "token_endpoint_auth_method": "client_secret_basic",
    }
    assert kwargs["authorize_url"] == "https://x.com/i/oauth2/authorize"
    assert kwargs["access_token_url"] == "https://api.x.com/2/oauth2/token"
    assert urljoin(kwargs["api_base_url"], "users/me") == "https://api.x.com/2/users/me"


@pytest.mark.parametrize(
    ("name", "scope", "auth_method", "pkce"),
    [
        ("wordpress", "auth", "client_secret_post", None),
        ("google", "openid email profile", None, "S256"),
        ("facebook", "email public_profile", "client_secret_post", None),
        ("github", "user:email", "client_secret_post", "S256"),
    ],
)
def test_scope_client_auth_and_pkce(
    name: str, scope: str, auth_method: str | None, pkce: str | None
) -> None:
    client_kwargs = configured_providers(ALL)[name].register_kwargs["client_kwargs"]
    assert client_kwargs["scope"] == scope
    assert client_kwargs.get("token_endpoint_auth_method") == auth_method
    assert client_kwargs.get("code_challenge_method") == pkce


def test_google_uses_discovery() -> None:
    kwargs = configured_providers(ALL)["google"].register_kwargs
    assert kwargs["server_metadata_url"] == (
        "https://accounts.google.com/.well-known/openid-configuration"
    )


def test_facebook_urls_carry_the_graph_version() -> None:
    default = configured_providers(ALL)["facebook"].register_kwargs
    assert default["authorize_url"] == "https://www.facebook.com/v26.0/dialog/oauth"
    assert default["access_token_url"] == "https://graph.facebook.com/v26.0/oauth/access_token"
    assert default["api_base_url"] == "https://graph.facebook.com/v26.0/"
    pinned = configured_providers({**ALL, "WIDGET_FACEBOOK_GRAPH_VERSION": "25.0"})
    assert pinned["facebook"].register_kwargs["authorize_url"] == (
        "https://www.facebook.com/v25.0/dialog/oauth"
    )


def test_a_malformed_graph_version_is_refused_at_startup() -> None:
    with pytest.raises(ValueError, match="WIDGET_FACEBOOK_GRAPH_VERSION"):
        configured_providers({**ALL, "WIDGET_FACEBOOK_GRAPH_VERSION": "latest"})


def test_settings_from_env_are_exactly_the_sign_in_variables() -> None:
    environ = {**ALL, "WIDGET_OIDC_NAME": "Staff", "WIDGET_FACEBOOK_GRAPH_VERSION": "v25.0"}
    environ |= {"PATH": "/usr/bin", "WIDGET_SECRET_KEY": "s", "GOOGLE_CLIENT_ID": "other"}
    assert provider_settings_from_env(environ) == {
        **ALL,
        "WIDGET_OIDC_NAME": "Staff",
        "WIDGET_FACEBOOK_GRAPH_VERSION": "v25.0",
    }


# --- Registration with Authlib ---------------------------------------------------------------


def _app_with(oauth: OAuth, config: dict[str, str]) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", **config)
    oauth.init_app(app)
    register_providers(oauth, configured_providers(app.config))
    return app


def test_registered_twitter_client_sends_users_to_x_with_a_pkce_challenge() -> None:
    oauth = OAuth()
    app = _app_with(oauth, ALL)
    with app.test_request_context():
        client = oauth.create_client("twitter")
        started = client.create_authorization_url(
            "https://comments.example.com/auth/twitter/callback"
        )
    url = urlsplit(started["url"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://x.com/i/oauth2/authorize"
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["client_id"] == ["x-id"]
    assert query["scope"] == ["tweet.read users.read"]
    assert started["code_verifier"]


def test_a_second_app_on_the_same_oauth_gets_its_own_providers() -> None:
    oauth = OAuth()
    _app_with(oauth, ALL)
    only_github = {
        "WIDGET_GITHUB_CLIENT_ID": "gh-other",
        "WIDGET_GITHUB_CLIENT_SECRET": "gh-secret-2",
    }
    app = _app_with(oauth, only_github)
    with app.app_context():
        assert oauth.create_client("github").client_id == "gh-other"
        assert oauth.create_client("twitter") is None
