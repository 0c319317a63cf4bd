-- An Isso database as Isso 0.9 to 0.12 left it (PRAGMA user_version 2 or 3): no
-- `notification` column and `text` may be NULL. Our own making, after the DDL in
-- isso/db/threads.py and isso/db/comments.py of those versions; used by tests/test_import_isso.py.
PRAGMA user_version = 3;
CREATE TABLE preferences (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL);
INSERT INTO threads VALUES (1, '/old/post/', NULL);
INSERT INTO comments VALUES
    (1, 1, NULL, 1400000000.5, NULL, 1, '10.0.0.0', 'Old *Markdown*', 'Ann', NULL, NULL, 2, 0, x'00'),
    (1, 2, 1, 1400000100.0, NULL, 2, '10.0.0.0', NULL, NULL, 'x@example.com', NULL, 0, 0, x'00');
