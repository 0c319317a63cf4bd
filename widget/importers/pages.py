"""Which of the site's pages an imported thread belongs to.

Most failed migrations fail here, not in parsing: the old system kept a page as a path, or
under http://, or www., or a development host, and the comments land on a thread nobody
visits. A thread's URL goes through, in order: the owner's `--map OLD=NEW` rules (longest
first), a path joined to the site's first origin, the normalisation every page URL gets
(urls.py: fragments and tracking parameters dropped), and, when its origin is not one of the
site's, the site's origin with the same host give or take `www.` and http/https. What is still
elsewhere (localhost, an old domain) is reported with the `--map` that would bring it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ..urls import BadURL, normalize_page_url, origin_of


@dataclass(frozen=True, slots=True)
class Mapping:
    """Pages under `old` (an origin or URL prefix, or a path prefix) are now under `new`."""

    old: str
    new: str

    def apply(self, url: str) -> str | None:
        """`url` with `old` replaced by `new`, or None if it is not under `old`."""
        if self.old.startswith("/"):
            if not url.startswith("/"):
                return None
            head = url
        else:
            head = _lower_origin(url)
        if not head.startswith(self.old) or not _at_boundary(self.old, head[len(self.old) :]):
            return None
        rest = head[len(self.old) :]
        if self.new.endswith("/") and rest.startswith("/"):
            rest = rest[1:]
        return self.new + rest


def parse_mapping(text: str) -> Mapping:
    """`OLD=NEW`, as `--map` takes it; ValueError saying what is wrong."""
    old, sep, new = text.partition("=")
    old, new = old.strip(), new.strip()
    if not sep or not old or not new:
        raise ValueError(f"{text!r}: give OLD=NEW, e.g. http://old.example=https://new.example")
    for part in (old, new):
        if part.startswith("/"):
            continue
        try:
            origin_of(part)
        except BadURL as exc:
            raise ValueError(f"{part!r}: a URL prefix or a path starting with /. {exc}") from None
    return Mapping(old if old.startswith("/") else _lower_origin(old), new)


class Pages:
    """Turns the URLs a file gives into the site's page URLs."""

    def __init__(self, origins: list[str], mappings: list[Mapping]) -> None:
        if not origins:
            raise ValueError("The site has no origin to put imported pages under.")
        self.origins = origins
        self.mappings = sorted(mappings, key=lambda m: len(m.old), reverse=True)

    def resolve(self, raw: str) -> str | Unplaced:
        url = raw.strip()
        if not url:
            return Unplaced("the thread has no page URL", "")
        for mapping in self.mappings:
            mapped = mapping.apply(url)
            if mapped is not None:
                url = mapped
                break
        if url.startswith("/"):
            url = self.origins[0] + url
        try:
            url = normalize_page_url(url)
            origin = origin_of(url)
        except BadURL as exc:
            return Unplaced(f"{raw!r} is not a page URL: {exc}", "")
        if origin in self.origins:
            return url
        twin = self._same_host(origin)
        if twin is not None:
            return twin + url[len(origin) :]
        return Unplaced(
            f"{origin} is not one of the site's origins: add it to the site, or map it with "
            f"--map {origin}=NEW",
            origin,
        )

    def _same_host(self, origin: str) -> str | None:
        """The site's origin for the same host but for `www.` and the scheme, https first."""
        host = _bare(origin)
        matches = [o for o in self.origins if _bare(o) == host]
        matches.sort(key=lambda o: not o.startswith("https:"))
        return matches[0] if matches else None


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A thread that is on no page of the site, and why."""

    why: str
    origin: str


def _bare(origin: str) -> str:
    netloc = urlsplit(origin).netloc
    return netloc[4:] if netloc.startswith("www.") else netloc


def _lower_origin(url: str) -> str:
    """Scheme and host in lower case, as they compare; the path as it is."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    return origin + url[len(origin) :] if url.lower().startswith(origin) else url


def _at_boundary(prefix: str, rest: str) -> bool:
    # http://old.example must not take http://old.example.com's pages.
    return prefix.endswith("/") or not rest or rest[0] in "/?#"
