"""Logging to a rotating file in the user log dir; never to the terminal under the TUI.

A filter scrubs anything that looks like a secret as a last line of defence;
the first line is that services never pass one to a logger.
"""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

_SECRET_PATTERNS = [
    re.compile(r"\$argon2(id|i|d)\$[^\s'\"]+"),  # PHC hashes
    re.compile(r"(://[^:/@\s]+:)[^@\s]+@"),  # password in a URL
    re.compile(r"(?i)(password|passwd|token|secret)(\s*[=:]\s*)\S+"),
]


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = message
        cleaned = _SECRET_PATTERNS[0].sub("$argon2<redacted>", cleaned)
        cleaned = _SECRET_PATTERNS[1].sub(r"\1***@", cleaned)
        cleaned = _SECRET_PATTERNS[2].sub(r"\1\2***", cleaned)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    """Route every log record to one rotating file; returns its path."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "noc-console.log"
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s", "%Y-%m-%dT%H:%M:%S%z")
    )
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    return path
