"""Atom feeds of published comments: one per thread (`/feeds/<key>/thread.atom?url=…`) and one
per site (`/feeds/<key>.atom`), the newest first.

`entries.py` reads what a feed shows (a site or thread in one query, its comments in one more),
`atom.py` writes it, and `views.py` answers, validated and cached as thread pages are
(widget/embed/__init__.py): the ETag names the versions the feed was written from, so a comment
posted, approved, edited or removed changes it, and the written feed is kept in the page cache
under that ETag.
"""
