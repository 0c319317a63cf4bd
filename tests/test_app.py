"""Configuration, served assets and the OpenAPI document."""

import gzip
import stat

from widget import create_app


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("WIDGET_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("WIDGET_SECRET_KEY", raising=False)
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 40
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("WIDGET_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WIDGET_SECRET_KEY", "from-env")
    assert create_app().config["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_settings_come_from_widget_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("WIDGET_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WIDGET_DATABASE_URL", "postgresql://u@db.internal/comments")
    monkeypatch.setenv("WIDGET_PUBLIC_URL", "https://comments.example.net/")
    monkeypatch.setenv("WIDGET_RATELIMIT_ENABLED", "0")
    config = create_app().config
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal/comments"
    assert config["WIDGET_PUBLIC_URL"] == "https://comments.example.net"
    assert config["WIDGET_RATELIMIT_ENABLED"] is False
    assert config["SESSION_COOKIE_SECURE"] is True


def test_default_database_is_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("WIDGET_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("WIDGET_DATABASE_URL", raising=False)
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/widget.db"


def test_embed_js_is_small_and_loadable_from_any_page(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response.mimetype in {"text/javascript", "application/javascript"}
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert len(gzip.compress(response.get_data())) < 2048


def test_thread_assets_are_served(client):
    assert client.get("/static/thread.js").status_code == 200
    assert client.get("/static/thread.css").status_code == 200
    assert client.get("/static/../wsgi.py").status_code == 404


def test_openapi_document_describes_the_api(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {"/threads", "/comments", "/counts"}
    assert set(doc["paths"]["/comments"]["post"]["responses"]) >= {"201", "202", "400", "403"}
    required = doc["components"]["schemas"]["NewComment"]["required"]
    assert required == ["site", "url", "body", "author_name", "author_email"]


def test_demo_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv("WIDGET_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WIDGET_DEMO", "0")
    assert create_app().test_client().get("/demo/").status_code == 404


def test_a_setting_set_empty_takes_its_default(tmp_path, monkeypatch):
    monkeypatch.setenv("WIDGET_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WIDGET_THREAD_PAGE_SIZE", "")
    monkeypatch.setenv("WIDGET_RATELIMIT_PREFIX", " ")
    config = create_app().config
    assert config["WIDGET_THREAD_PAGE_SIZE"] == 50
    assert config["WIDGET_RATELIMIT_PREFIX"] == "widget"


def test_sign_in_providers_are_configured_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("WIDGET_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WIDGET_GITHUB_CLIENT_ID", "id")
    monkeypatch.setenv("WIDGET_GITHUB_CLIENT_SECRET", "secret")
    assert create_app().config["WIDGET_GITHUB_CLIENT_ID"] == "id"
