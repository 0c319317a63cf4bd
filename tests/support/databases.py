"""Each test's database: an SQLite file, or a PostgreSQL schema when WIDGET_TEST_DATABASE_URL
is set.

Making the models' tables is most of what a new database costs a test (on PostgreSQL, CREATE
SCHEMA and `create_all` took about 0.15 s, for each of the ~950 tests that build the app). So a
test that builds the app gets tables made once a session instead: on SQLite a copy of a
template file, on PostgreSQL a schema from a pool, whose rows are deleted and sequences reset
when its test ends. Either way the test starts with no row and every id at 1, as on a new
database. A test that builds the schema itself (migrations) calls `Database.clear()` first and
has no table at all; a schema so used is dropped afterwards, never handed on, and so is one
whose tables a test changed. Tests that only need a URL (real servers, which migrate it
themselves) get a new empty database, as before.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, inspect, make_url

from tests.support.apps import create_tables

PG_URL = os.environ.get("WIDGET_TEST_DATABASE_URL", "")
DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])
LOCK_SECONDS = 10  # a connection of the test still in a transaction: fail, do not hang


@dataclass
class Database:
    """One test's database: its URL, and whether the models' tables are there (without rows)."""

    url: str
    prepared: bool
    _clear: Callable[[], None] = field(repr=False)

    def clear(self) -> None:
        """No table left: for a test that builds the schema itself, as on a new database."""
        if self.prepared:
            self._clear()
            self.prepared = False


# --- SQLite ---------------------------------------------------------------------------------


class SqliteTemplate:
    """A database file with the models' tables, made on first use; each test gets a copy."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "template.db"

    def copy_to(self, path: Path) -> None:
        if not self.path.exists():
            create_tables(f"sqlite:///{self.path}", self.folder / "instance")
        shutil.copy(self.path, path)  # with its mode: 0600, as the app makes its file


@contextlib.contextmanager
def sqlite_database(path: Path, template: SqliteTemplate | None) -> Iterator[Database]:
    """The database file at `path`: a copy of `template`, or none yet (a new database)."""
    if template is not None:
        template.copy_to(path)

    def clear() -> None:
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)

    yield Database(f"sqlite:///{path}", template is not None, clear)


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


class SchemaPool:
    """PostgreSQL schemas with the models' tables, each made once and emptied for the next
    test; connects on first use, and drops every schema it made at `close()`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder  # the instance folder of the app that makes the tables
        self._base = postgres_base_url() if PG_URL else ""
        self._engine: Engine | None = None
        self._free: list[str] = []
        # Every schema this pool made, in use or free: its tables, children before parents.
        self._made: dict[str, list[str]] = {}
        self._empty: set[str] = set()  # schemas made empty, for tests that build their own

    def url(self, schema: str) -> str:
        return schema_url(self._base, schema)

    def take(self) -> str:
        """A schema with the models' tables and no row, its sequences at 1."""
        if self._free:
            return self._free.pop()
        schema = self.take_empty()
        create_tables(self.url(schema), self.folder)
        with self._connect() as conn:
            order = inspect(conn).get_sorted_table_and_fkc_names(schema=schema)
        self._empty.discard(schema)
        self._made[schema] = [name for name, _ in reversed(order) if name]
        return schema

    def take_empty(self) -> str:
        """A schema with no table at all."""
        schema = self._create()
        self._empty.add(schema)
        return schema

    def clear(self, schema: str) -> None:
        """Take every table away: the schema is as new, and will not be handed on again."""
        self._made.pop(schema, None)
        self._empty.add(schema)
        with self._connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')

    def give_back(self, schema: str) -> None:
        """Empty the schema for the next test; drop it if it no longer holds what it was made
        with (a test that changed its tables, or built them itself)."""
        tables = self._made.get(schema)
        with self._connect() as conn:
            found = conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
            )
            if tables is not None and {row[0] for row in found} == set(tables):
                # DELETE, children first, not TRUNCATE: TRUNCATE makes new files for every
                # table and index, and took several times longer on tables of a few rows.
                conn.exec_driver_sql(
                    "; ".join(f'DELETE FROM "{schema}"."{table}"' for table in tables)
                )
                conn.exec_driver_sql(
                    "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = %s",
                    (schema,),
                )
                self._free.append(schema)
                return
            self._made.pop(schema, None)
            self._empty.discard(schema)
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')

    def close(self) -> None:
        if self._engine is None:
            return
        for schema in [*self._made, *self._empty]:
            with contextlib.suppress(Exception), self._connect() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        self._engine.dispose()

    def _create(self) -> str:
        schema = _new_name()
        with self._connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        return schema

    @contextlib.contextmanager
    def _connect(self) -> Iterator[Connection]:
        """A transaction that gives up waiting for a lock held by a connection of the test."""
        if self._engine is None:
            self._engine = create_engine(self._base)
        with self._engine.begin() as conn:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_SECONDS}s'")
            yield conn


@contextlib.contextmanager
def postgres_database(pool: SchemaPool, prepared: bool) -> Iterator[Database]:
    """A schema from `pool`: with the models' tables when `prepared`, else empty."""
    schema = pool.take() if prepared else pool.take_empty()
    try:
        yield Database(pool.url(schema), prepared, lambda: pool.clear(schema))
    finally:
        pool.give_back(schema)


def _new_name() -> str:
    return "t_" + uuid.uuid4().hex[:16]
