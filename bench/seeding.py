"""The same threads for both services: the same bodies, authors and reply structure.

Ours is seeded in this process through widget.comments.services (as the API would post them);
Isso through its own API, POST /new?uri=…, one comment at a time.
"""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from client import Request, send
from servers import BenchError

SITE_KEY = "bench"
TITLE = "What we learned serving comments"
# Comments per thread → the page's path on the blog. The 200-comment page is the reference.
THREADS = {10: "/bench/short/", 200: "/bench/post/", 2000: "/bench/long/"}
REFERENCE = 200
REPLY_SHARE = 0.3  # of comments that answer an earlier one in their thread

NAMES = ["Ada", "Brendan", "Chidi", "Dana Scully", "Émile", "Farah", "Gus", "Hiro", "Ines"]
BODIES = [
    "Great post, thanks! The part about **caching** finally made it click for me.",
    "I tried this on a Raspberry Pi and it works, but the first request is slow.\n\n"
    "Is that expected? I'm on Python 3.11.",
    "See [the docs](https://docs.example.org/guide/caching) for the details; "
    "there is also https://example.org/faq which covers the edge cases.",
    "> the database is rarely the bottleneck\n\nIn my experience it almost always is, "
    "at least until you add an index on `thread_id`.",
    "Three things that helped us:\n\n1. measure first\n2. cache the rendered HTML\n"
    "3. keep the *hot path* free of network calls",
    'Small typo in the second paragraph: "it\'s" should be "its". Otherwise ~~perfect~~ very good.',
    "We ran something similar for years. The main lesson: keep it boring. "
    "Boring software gets upgraded, exciting software gets rewritten. "
    "Also, back up the database before every migration, not after.",
]
# Words to vary each comment with: seven bodies repeated would gzip far better than real ones.
WORDS = sorted(set(re.findall(r"[a-z]+", " ".join(BODIES).lower())))


@dataclass(frozen=True)
class Seed:
    body: str
    name: str
    email: str
    website: str
    parent: int | None  # index of an earlier comment of the same thread


def threads() -> dict[str, list[Seed]]:
    """Every thread's comments by page path, the same on every run."""
    rng = random.Random(1)
    return {path: thread_seeds(count, rng) for count, path in THREADS.items()}


def thread_seeds(count: int, rng: random.Random) -> list[Seed]:
    seeds: list[Seed] = []
    for n in range(count):
        words = " ".join(rng.choices(WORDS, k=rng.randint(5, 60)))
        seeds.append(
            Seed(
                body=f"{rng.choice(BODIES)}\n\n{words.capitalize()}.",
                name=rng.choice(NAMES),
                email=f"reader{n % 50}@example.org",
                website="https://example.net/~me" if n % 4 == 0 else "",
                parent=rng.randrange(n) if n and rng.random() < REPLY_SHARE else None,
            )
        )
    return seeds


def seed_ours(env: dict[str, str], origin: str) -> None:
    """Migrate a fresh database, register the blog as a site and post every thread."""
    from flask_migrate import upgrade

    from widget import create_app
    from widget.comments.services import NewComment, post_comment
    from widget.sites import create_site

    os.environ.update(env)  # create_app reads its settings from the environment
    with create_app().app_context():
        upgrade()
        create_site("Bench blog", [origin], key=SITE_KEY)
        for path, seeds in threads().items():
            ids: list[int] = []
            for seed in seeds:
                new = NewComment(
                    site=SITE_KEY,
                    url=origin + path,
                    title=TITLE,
                    body=seed.body,
                    author_name=seed.name,
                    author_email=seed.email,
                    author_url=seed.website,
                    parent_id=None if seed.parent is None else ids[seed.parent],
                )
                ids.append(post_comment(new).comment.id)


def seed_isso(base: str) -> None:
    for path, seeds in threads().items():
        ids: list[int] = []
        for seed in seeds:
            comment = {
                "text": seed.body,
                "author": seed.name,
                "email": seed.email,
                "website": seed.website or None,
                "parent": None if seed.parent is None else ids[seed.parent],
                "title": TITLE,
            }
            answer = send(isso_post(base, path, json.dumps(comment)))
            if answer.status != 201:
                raise BenchError(f"Isso refused a comment ({answer.status}): {answer.body!r}")
            ids.append(answer.json()["id"])


def isso_post(base: str, path: str, body: str) -> Request:
    url = f"{base}/new?{urlencode({'uri': path})}"
    return Request(url, "POST", body, {"Content-Type": "application/json"})
