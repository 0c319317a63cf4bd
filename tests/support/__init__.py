"""What the tests share besides fixtures (those are in the conftest.py files): helpers that
no test module borrows from another.

- servers: the real service under gunicorn and its `widget` command (also used by bench/);
- databases: each test's database, the models' tables made once a session;
- apps: the settings a unit test's app starts from, and closing it;
- blog, reader, dashboard, queries: the unit tests' blog and guest comments, a reader signing
  in through the iframe, an owner on the dashboard, the statements an app runs;
- xss_corpus: the XSS payloads and the allow-list they are judged by;
- static_blog, browser, pages, idp: the e2e tests' blog, Chromium, page actions and OpenID
  provider.
"""
