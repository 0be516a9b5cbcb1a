from __future__ import annotations

import logging
from pathlib import Path

from noc_console.logs import setup_logging


def test_logs_go_to_a_rotating_file_with_secrets_scrubbed(tmp_path: Path) -> None:
    path = setup_logging(tmp_path / "logs")
    log = logging.getLogger("noc_console.test")
    log.info("connect postgresql://bob:hunter2secret@db/x")
    log.info("stored $argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA")
    log.info("password=Kx7m-Pq9r-Tz4w-Hb2n")
    log.info("operator ana.analista action=login")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "hunter2secret" not in text
    assert "aGFzaA" not in text
    assert "Kx7m-Pq9r" not in text
    assert "operator ana.analista action=login" in text
    logging.getLogger().handlers.clear()
