"""Customer lookup: one search box, served by indexes on every keystroke.

The lookup is the console's home screen and runs on every keystroke, on a
database of a real portal's size (issue 5 sets its latency target), so it
never scans a table:

* every source (a field of customers, portal users, contracts or escalation
  contacts, ``sources``) is its own index-served sub-query with its own LIMIT,
  glued with UNION ALL into one statement (one round trip, ``query``; the
  name-word branches in ``name_sql``) and merged in Python (``merge``); no OR
  across tables, no COUNT;
* 1-2 character terms only use PREFIX ranges on btree indexes (an index range,
  never ``LIKE '%ab%'``);
* terms with three letters or digits in a row also match substrings through
  the trigram objects, in a second round trip that runs only when the first
  (equalities and prefix ranges) has not filled the page (``plan``). On
  SQLite: one FTS5 ``MATCH`` of the term as a quoted phrase per trigram table
  (a trigram phrase is a literal substring in any column of the row; quoting
  leaves no metacharacter). Not ``col LIKE/GLOB``: FTS5 serves those too, but a
  column filter walks the doclists of trigrams that are common in the *other*
  columns (every e-mail contains 'empresa'...), far slower than the phrase; and
  FTS5 cannot use ``LIKE ... ESCAPE`` at all. On PostgreSQL: a backslash-escaped
  ``LIKE '%term%'`` on each table's search expression, served by its pg_trgm
  GIN index;
* every matched value is re-checked and ranked in Python, column by column
  (``rank``, with the rules of ``names`` and ``identifiers``);
* user text only ever travels as bound parameters; the SQL text is built from
  constants of this package (``patterns`` makes the bound text literal).

Each source contributes at most ``window`` candidates (2 x limit by default,
``limits``); the merged candidates are ranked (exact identifier, then prefix,
then substring; ties by folded legal name, then legal name, then id) and
paginated with an opaque cursor that freezes the window (``cursors``), so
pages are disjoint, complete and in rank order within it.
``SearchPage.truncated`` says a source filled its window: there may be more
matches than the pages show, and the operator should type more of the term.

The entry point is ``lookup.search``; what it returns is in ``dto``.
"""
