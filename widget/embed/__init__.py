"""The iframe's thread page (`views.py`, the "embed" blueprint under /embed) and its caches.

The page is the same for every reader (what differs per reader, thread.js adds), so it is
rendered once per version of what it shows and kept at three layers. A `GET /embed/thread`
goes through them in this order:

1. `hot_pages.py`, in each process's memory, in front of Flask (WSGI middleware). It keeps the
   answers it gave last, 200 with body or 304, keyed by (gzip accepted?, the query string),
   each with the `Stamp` the view gave it (`hot_pages.stamp`, a call into a slot the
   middleware opens for the one request it forwards): the site key and page URL key it was
   rendered for, the versions it was rendered from (site version, thread id, thread version)
   and the build.
   A kept answer is given again, with no Flask, only while its build is the running one and
   its versions are still the database's: checked at every request, on SQLite by the change
   counter (`PRAGMA data_version`) and by one indexed query once that moved, on PostgreSQL by
   that query. A stamp that no longer holds is a miss, and the entry is dropped.
2. The view (`views.thread`), for a miss: it reads the site and thread (one query) and names
   the rendering by its ETag, which holds the thread's id and version (or, for a page nobody
   has commented on, a hash of its URL and title), the site's id and version, the theme, the
   build, the sort and the page number. An `If-None-Match` naming it gets a 304.
3. `page_cache.py`, keyed by that ETag: the gzipped page, in Redis when `WIDGET_REDIS_URL` is
   set (shared by every worker and server, for a day), else in each process's memory (least
   recently used first, bounded by `WIDGET_PAGE_CACHE_MB`). A miss renders the template.

On its way out the answer passes the hot pages again, which keep it if it is a 200 or 304
with an ETag and no cookie, and its stamp still holds (the view's session may have read an
older snapshot than the database now has).

Nothing is ever told to forget: every change a reader could see moves a version row in the
database (`versions.py`, one `before_flush` hook on every session, the dashboard's and the
command line's included), and every key above names the versions it was made from:

- a comment posted, approved, held, edited or deleted moves its thread's `version`; so does a
  change to the thread itself (its title);
- a site's settings or its allowed origins move the site's `version`;
- a signed-in author's new name, profile link or picture moves the version of every thread they
  commented on (one UPDATE).

So a stale page-cache entry is one whose key is never asked for again (it ages out), and a
stale hot-pages entry is one whose stamp no longer matches the versions the database holds. A
deploy changes the build (`assets.build_id`, a hash of the templates and static files), which
is in both keys too.
"""
