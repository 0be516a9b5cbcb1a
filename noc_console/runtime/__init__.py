"""The app's runtime, below the shell: database supervision and the operator's session.

``NocApp`` (noc_console.app) composes the two mixins of ``database`` and
``session``; the rules they follow are plain classes beside them
(``connection_watch``, ``lock_policy``, ``palette``) that tests check without
a running app.
"""
