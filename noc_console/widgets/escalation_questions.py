"""The escalation editor's three questions, worded: clear levels together, discard, reload.

Which question to ask, and its confirm id, is the editor state's decision
(screens/escalation/state.py); this module only words it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from noc_console.i18n import _
from noc_console.widgets.confirm import ConfirmModal
from noc_console.widgets.literal import literal
from noc_console.widgets.static_text import wrapped


def question_modal(
    kind: str,
    *,
    confirm_id: str,
    save_key: str,
    level: int = 0,
    levels: Sequence[int] = (),
    problem: str = "",
    customer_name: str = "",
) -> ConfirmModal:
    """The ConfirmModal for a 'clear', 'discard' or 'reload' question; it names ``save_key``."""
    if kind == "clear":
        listed = ", ".join(str(n) for n in levels)
        question = Text()
        question.append_text(wrapped(problem[:1].upper() + problem[1:] + "."))
        question.append("\n\n")
        question.append(
            _("Clear levels {levels} together? Nothing is saved until {key}.").format(
                levels=listed, key=save_key
            )
        )
        return ConfirmModal(
            _("Clear level {level}?").format(level=level),
            question,
            confirm_label=_("Clear levels {levels}").format(levels=listed),
            cancel_label=_("Keep them"),
            confirm_id=confirm_id,
        )
    if kind == "discard":
        message = Text()
        message.append(_("You changed the escalation chain of "))
        message.append_text(literal(customer_name, style="bold"))
        message.append(_(" and did not save it."))
        message.append("\n")
        message.append(
            _("Discard your changes, or keep editing (then {key} saves)?").format(key=save_key)
        )
        return ConfirmModal(
            _("Unsaved changes"),
            message,
            confirm_label=_("Discard changes"),
            cancel_label=_("Keep editing"),
            confirm_id=confirm_id,
        )
    return ConfirmModal(
        _("Reload the chain?"),
        _("Your unsaved changes will be replaced by the chain as stored now."),
        confirm_label=_("Discard and reload"),
        cancel_label=_("Keep editing"),
        confirm_id=confirm_id,
    )
