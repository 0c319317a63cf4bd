"""`widget spam`: what the filter would do to an owner's own comments (classify), teaching a
site from a file of labelled comments (train), forgetting a site's lessons (forget), and
rebuilding the shipped base model from the public data (build-base, for maintainers)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import click

from ..errors import Rejected
from ..extensions import db
from ..models import SPAM_AT, SPAM_HOLD_AT, Site
from ..sites import get_site
from ..transactions import take_write_lock
from . import base, storage
from .corpus import BUILD_FILES, BadExample, json_lines, labelled_lines, sample_from
from .features import features
from .model import buckets
from .scoring import assess, outcome


def _start_writing() -> None:
    """End the transaction that only read (the site) and begin one holding the write lock."""
    db.session.commit()
    take_write_lock()


spam_group = click.Group("spam", help="The learned spam filter: try it, teach it.")


def _site(key: str) -> Site:
    try:
        return get_site(key)
    except Rejected as exc:
        raise click.UsageError(f"--site {key}: {exc.message}") from exc


@spam_group.command("classify")
@click.option("--site", "site_key", help="Score with this site's lessons and thresholds.")
def classify_command(site_key: str | None) -> None:
    """Read comments as JSON lines on standard input ({"body", "author_name", "author_email",
    "author_url"}) and write one verdict per line: {"verdict", "score"}. Nothing is stored."""
    site = _site(site_key) if site_key else Site(spam_hold_at=SPAM_HOLD_AT, spam_at=SPAM_AT)
    try:
        for number, data in json_lines(sys.stdin):
            sample = sample_from(data, f"line {number}")
            said = assess(site.id if site_key else None, sample)
            verdict = outcome(site, said.score)
            click.echo(json.dumps({"verdict": verdict.value, "score": round(said.score, 4)}))
    except BadExample as exc:
        raise click.UsageError(str(exc)) from exc


@spam_group.command("train")
@click.option("--site", "site_key", required=True, help="The site to teach.")
@click.option("--spam", "label", flag_value=True, default=None, help="Every line is spam.")
@click.option("--ham", "label", flag_value=False, help="Every line is not spam.")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def train_command(site_key: str, label: bool | None, file: TextIO) -> None:
    """Teach the site from FILE (- for standard input): JSON lines like classify's, each with
    "spam": true or false, or all of one kind with --spam or --ham. Every line is checked
    before any is learnt."""
    site = _site(site_key)
    try:
        examples = labelled_lines(file, label)
    except BadExample as exc:
        raise click.UsageError(str(exc)) from exc
    _start_writing()
    for example in examples:
        storage.learn(site.id, buckets(features(example.sample)).keys(), example.is_spam)
    db.session.commit()
    spam = sum(e.is_spam for e in examples)
    click.echo(f"Learnt {spam} spam and {len(examples) - spam} not spam for {site.name}.")


@spam_group.command("forget")
@click.option("--site", "site_key", required=True, help="The site whose lessons to forget.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget_command(site_key: str, yes: bool) -> None:
    """Forget what the site learnt: it starts again from the base model."""
    site = _site(site_key)
    if not yes:
        click.confirm(f"Forget every lesson {site.name} taught the spam filter?", abort=True)
    _start_writing()
    storage.forget(site.id)
    db.session.commit()
    click.echo(f"{site.name} is scored by the base model alone again.")


@spam_group.command("build-base")
@click.option("--data", "folder", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="The YouTube Spam Collection's folder of CSV files.")  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=base.BASE_MODEL,
              show_default=True, help="Where to write the model.")  # fmt: skip
def build_base_command(folder: Path, out: Path) -> None:
    """Rebuild the base model from Youtube01-03 (never 04-05, kept for bench/)."""
    missing = [name for name in BUILD_FILES if not (folder / name).is_file()]
    if missing:
        raise click.UsageError(f"--data {folder}: no {', '.join(missing)}")
    model = base.build(folder)
    base.save(model, out)
    counts = model.counts
    click.echo(f"Wrote {out}: {counts.spam_docs} spam and {counts.ham_docs} not spam from "
               f"{', '.join(model.trained_on)}.")  # fmt: skip
