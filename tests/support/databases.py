"""Each test's database: an SQLite file, or a PostgreSQL schema when WIDGET_TEST_DATABASE_URL
is set, made for the test and dropped after it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

from sqlalchemy import create_engine, make_url

PG_URL = os.environ.get("WIDGET_TEST_DATABASE_URL", "")
DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])


# --- PostgreSQL -----------------------------------------------------------------------------


def postgres_base_url() -> str:
    """WIDGET_TEST_DATABASE_URL with the psycopg 3 driver, as the app reads a postgres:// URL."""
    url = make_url(PG_URL)
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def schema_url(base: str, schema: str) -> str:
    """A URL whose connections see `schema` first (and only it, for unqualified names)."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def new_postgres_schema() -> Iterator[str]:
    """The URL of a new, empty schema, dropped when the generator is finished with."""
    base = postgres_base_url()
    engine = create_engine(base)
    schema = _new_name()
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield schema_url(base, schema)
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        engine.dispose()


def _new_name() -> str:
    return "t_" + uuid.uuid4().hex[:16]
