"""Signing in against the company directory (LDAP: OpenLDAP, FreeIPA, Active Directory).

``client`` talks to the directory (fail-over, TLS, timeouts, escaping);
``roles`` maps groups to a role; ``accounts`` makes the operators table follow
what the directory says (create, refresh the role, disable, ``operator sync``).
Nothing here knows about screens; ldap3 is imported only when a directory is
configured and used.
"""
