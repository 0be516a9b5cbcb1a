"""Demo and large data generator: a believable Service Portal database, fast.

Why it exists: the console is judged on realistic data (accents in names, valid
CNPJs, locked users, half-filled escalation chains, contracts about to end) and
its performance on big data (a hundred thousand customers, a million portal
users). One generator serves both, deterministic for a given seed so a
screenshot, a test or a benchmark can be reproduced.

How it is laid out: ``options`` (what is asked, what is answered), ``plan`` and
``vocabulary`` (who the customers are, the words drawn from), one row builder
per kind of data (``customers``, ``portal_users``, ``escalation``,
``contracts``, ``operators``, ``history``), the loading machinery (``bulk``,
``sqlite_load``, ``load``, ``history_writer``) and the entry (``guards``,
``seed``). A new kind of demo data (e.g. open escalation runs) is a new row
builder module called from ``load``.

The 'demo_seeded' audit event is written last: its presence means "a complete
demo database" (the CLI shows the demo passwords only then).
"""

from __future__ import annotations

from noc_console.demo.cnpj import cnpj_with_check_digits
from noc_console.demo.customers import HEAVY_CUSTOMER_LEGAL_NAME, HEAVY_CUSTOMER_TRADE_NAME
from noc_console.demo.escalation import DEMO_UPDATED_BY
from noc_console.demo.operators import DEMO_OPERATORS
from noc_console.demo.options import DatabaseNotEmpty, DemoOptions, DemoReport, Progress
from noc_console.demo.seed import seed_demo

__all__ = [
    "DEMO_OPERATORS",
    "DEMO_UPDATED_BY",
    "HEAVY_CUSTOMER_LEGAL_NAME",
    "HEAVY_CUSTOMER_TRADE_NAME",
    "DatabaseNotEmpty",
    "DemoOptions",
    "DemoReport",
    "Progress",
    "cnpj_with_check_digits",
    "seed_demo",
]
