"""Writing a CSV export safely: shared by every export so each behaves the same way.

A file opened in a spreadsheet must not run formulas smuggled into a cell
(CSV injection), and an export must appear complete or not at all: it is
written beside the target under a temporary name, then put in place in one
step, never replacing a file unless the operator asked to overwrite it.
"""

from __future__ import annotations

import os
from pathlib import Path

from noc_console.errors import ValidationError
from noc_console.i18n import _

CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read UTF-8 (accents) correctly
# Text cells a spreadsheet would run as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """A text cell a spreadsheet would evaluate as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def path_error(message: str) -> ValidationError:
    return ValidationError({"path": [message]})


def prepare_target(path: Path | str, overwrite: bool) -> Path:
    """The target path, refused early when it is a folder or taken (and overwrite is off)."""
    try:
        target = Path(path).expanduser()
        if target.is_dir():
            raise path_error(_("this is a folder; give a file name"))
        if target.exists() and not overwrite:
            raise path_error(_("this file already exists; choose another name or overwrite it"))
        target.parent.mkdir(parents=True, exist_ok=True)
    except (OSError, TypeError, ValueError) as err:
        raise path_error(
            _("cannot write here: {why}").format(why=getattr(err, "strerror", None) or err)
        ) from None
    return target


def publish(tmp: Path, target: Path, overwrite: bool) -> None:
    """Put the finished file in place in one step; without overwrite, never replace a file."""
    if overwrite:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # fails if the name was taken meanwhile
    except FileExistsError:
        raise path_error(
            _("this file already exists; choose another name or overwrite it")
        ) from None
    except OSError:  # file system without hard links
        if target.exists():
            raise path_error(
                _("this file already exists; choose another name or overwrite it")
            ) from None
        os.replace(tmp, target)
        return
    tmp.unlink()
