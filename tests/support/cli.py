"""Driving noc_console.cli.main in-process: captured output, scripted prompts, a fake TTY,
and a keyring that fails (secrets must still never reach a file)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


@dataclass
class ScriptedGetpass:
    """Stands in for getpass.getpass: hands out queued answers, records every prompt.

    A prompt nobody scripted fails the test at once (pytest.fail is a
    BaseException, so the CLI's catch-all cannot turn it into exit code 2).
    """

    answers: list[str | BaseException] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)

    def __call__(self, prompt: str = "Password: ", stream: object = None) -> str:
        self.prompts.append(prompt)
        if not self.answers:
            pytest.fail(f"unexpected password prompt: {prompt!r}")
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


class FakeStdin(io.StringIO):
    """A stdin that says whether it is a terminal and never blocks."""

    def __init__(self, tty: bool) -> None:
        super().__init__("")
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def files_containing(root: Path, needle: str) -> list[Path]:
    """Files under ``root`` whose bytes contain ``needle`` (a secret must never land on disk)."""
    raw = needle.encode()
    return [p for p in root.rglob("*") if p.is_file() and raw in p.read_bytes()]


class BrokenKeyring(KeyringBackend):
    """A backend that exists but fails every call (a locked or misconfigured keyring)."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"locked, refused {password}")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("locked")
