"""The `widget` command: migrate, register sites, demo."""

import json

import pytest
from sqlalchemy import inspect

from widget.extensions import db
from widget.models import Site


@pytest.fixture
def cli(app):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    return lambda *args, **kw: runner.invoke(args=list(args), **kw)


def test_sites_create_prints_the_key_and_the_snippet(cli):
    result = cli("sites", "create", "--name", "My blog", "--origin", "https://blog.example.com")
    assert result.exit_code == 0, result.output
    site = db.session.scalar(db.select(Site))
    assert site.key in result.output
    assert '<div id="comments"></div>' in result.output
    src = "https://comments.example.net/embed.js"
    assert f'<script async src="{src}" data-site="{site.key}"></script>' in result.output


def test_sites_create_json_holds_key_and_snippet(cli):
    result = cli(
        "sites", "create", "--name", "B", "--origin", "https://B.example.com:443",
        "--origin", "http://127.0.0.2:8001", "--moderation", "first-time", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["snippet"].endswith(f'data-site="{data["key"]}"></script>')
    assert data["origins"] == ["https://b.example.com", "http://127.0.0.2:8001"]
    assert data["moderation"] == "first-time"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--origin", "https://blog.example.com/with/path"], "no path"),
        (["--origin", "javascript:alert(1)"], "http and https"),
        (["--origin", "https://b.example", "--moderation", "sometimes"], "sometimes"),
    ],
)
def test_sites_create_refuses_bad_values_and_stores_nothing(cli, args, message):
    result = cli("sites", "create", "--name", "X", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(db.select(Site)) is None


def test_sites_list_shows_every_site(cli):
    cli("sites", "create", "--name", "One", "--origin", "https://one.example")
    cli("sites", "create", "--name", "Two", "--origin", "https://two.example")
    result = cli("sites", "list", "--json")
    assert [s["name"] for s in json.loads(result.output)] == ["One", "Two"]
    assert "https://two.example" in cli("sites", "list").output


def test_demo_creates_the_demo_site_once(make_app):
    app = make_app(WIDGET_DEMO=True)  # (off unless asked: `make run` asks)
    with app.app_context():
        runner = app.test_cli_runner()
        assert "created" in runner.invoke(args=["demo"]).output
        assert "exists" in runner.invoke(args=["demo"]).output
        page = app.test_client().get("/demo/")
    assert page.status_code == 200
    assert 'data-site="demo"' in page.get_data(as_text=True)
    assert "/embed.js" in page.get_data(as_text=True)


def test_db_upgrade_builds_the_schema_the_models_describe(make_app):
    app = make_app(create_schema=False)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert {"site", "site_origin", "thread", "comment", "alembic_version"} <= tables
        # Autogenerate finds nothing new: the migrations match the models.
        check = runner.invoke(args=["db", "check"])
        assert check.exit_code == 0, check.output
