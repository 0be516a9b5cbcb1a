"""Benchmarks of the NOC console on a portal-sized database (issue 5).

Run them with ``python -m benchmarks.run --db sqlite|postgresql``; see
``benchmarks/README.md``. Nothing here is imported by the console or the test
suite, except the smoke test that runs ``--quick`` on a tiny dataset.
"""
