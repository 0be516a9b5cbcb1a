"""One escalation level as a row of fields, with the service's messages right under the row.

The row only holds text: what the operator typed goes to the editor's state
(screens/escalation/form.py), which runs the service's validation, and the
messages that come back for each field are shown under the row, each naming
its field, and the field itself gets a red border. The field names are in
words, so the problem is not told by colour alone. The field ids are the
service's keys with '-' for '.' (``#level2-phone`` for ``level2.phone``).
Level 1 has no wait field: it is contacted immediately.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from rich.highlighter import Highlighter
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from noc_console.i18n import N_, _
from noc_console.widgets.fields import Field
from noc_console.widgets.literal import printable
from noc_console.widgets.static_text import show_text, wrapped
from noc_console.widgets.translated_bindings import translate_node_bindings

# Left to right as on screen: the wait comes first, it is what happens before the level.
FIELD_ORDER = ("delay_minutes", "name", "role_title", "phone", "email")

FIELD_LABELS: dict[str, str] = {
    "delay_minutes": N_("Wait (min)"),
    "name": N_("Name"),
    "role_title": N_("Role"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
}

_PLACEHOLDERS: dict[str, str] = {
    "delay_minutes": N_("minutes"),
    "name": N_("contact's name"),
    "role_title": N_("optional"),
    "phone": N_("with area code"),
    "email": N_("e-mail address"),
}

LEVEL_KEYS = Binding.Group(N_("Level"))


class VisibleControls(Highlighter):
    """Shows control characters in an Input's value as visible symbols (same length).

    A pasted ESC would otherwise reach the terminal as a real escape. Only the
    display changes: the value stays as typed, so the service can refuse it
    with its own message.
    """

    def __call__(self, text: str | Text) -> Text:
        shown = Text(text) if isinstance(text, str) else text.copy()
        plain = printable(shown.plain)
        if len(plain) == len(shown.plain):  # keeps cursor and selection positions
            shown.plain = plain
        return shown

    def highlight(self, text: Text) -> None:
        """Nothing to colour: the work is done in ``__call__``."""


VISIBLE_CONTROLS = VisibleControls()


def field_id(level: int, name: str) -> str:
    """The widget id of a field: the service's key with '-' for '.' (ids allow no dots)."""
    return f"level{level}-{name}"


def parse_field_id(widget_id: str | None) -> tuple[int, str] | None:
    """'level2-phone' -> (2, 'phone'); the level of any 'level<N>…' id; None for other ids."""
    if not widget_id or not widget_id.startswith("level"):
        return None
    head, _sep, name = widget_id.partition("-")
    try:
        return int(head.removeprefix("level")), name
    except ValueError:
        return None


class LevelField(Field):
    """A field of a level row: up/down go to the same field one level above/below.

    An Input scrolls with up/down (it is a ScrollView), which would hide the
    screen's binding from the footer; these bindings replace them.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "up", "screen.move_level(-1)", N_("Level above"), id="escalation.up", group=LEVEL_KEYS
        ),
        Binding(
            "down",
            "screen.move_level(1)",
            N_("Level below"),
            id="escalation.down",
            group=LEVEL_KEYS,
        ),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        translate_node_bindings(self)

    def on_blur(self) -> None:
        """Show a long name from its start again once the cursor leaves it."""
        self.cursor_position = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves on, like tab: it never saves by accident."""
        event.stop()
        self.screen.focus_next()


class EscalationHeader(Horizontal):
    """Column titles aligned with the rows below."""

    DEFAULT_CSS = """
    EscalationHeader {
        height: 1;
        width: 1fr;
    }
    EscalationHeader > Static {
        text-style: bold;
        padding: 0 1;
        color: $text-muted;
    }
    EscalationHeader > .level-cell {
        width: 14;
    }
    EscalationHeader > .cell {
        width: 1fr;
    }
    EscalationHeader > .cell-delay_minutes {
        width: 12;
    }
    EscalationHeader > .cell-phone {
        width: 21;
    }
    EscalationHeader > .cell-role_title {
        width: 16;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(_("Level"), classes="level-cell")
        for name in FIELD_ORDER:
            yield Static(_(FIELD_LABELS[name]), classes=f"cell cell-{name}")


class EscalationRow(Vertical):
    """Level N: state, then wait / name / role / phone / e-mail; the row's messages below."""

    DEFAULT_CSS = """
    EscalationRow {
        height: auto;
        width: 1fr;
        margin: 0 0 1 0;
    }
    EscalationRow > .row-fields {
        height: auto;
    }
    EscalationRow .level-cell {
        width: 14;
        height: 3;
    }
    EscalationRow .level-title {
        text-style: bold;
        padding: 1 0 0 1;
    }
    EscalationRow .level-state {
        padding: 0 0 0 1;
    }
    EscalationRow .cell {
        width: 1fr;
    }
    EscalationRow .cell-delay_minutes {
        width: 12;
    }
    EscalationRow .cell-phone {
        width: 21;
    }
    EscalationRow .cell-role_title {
        width: 16;
    }
    EscalationRow .immediate {
        height: 3;
        padding: 1 1;
        color: $text-muted;
    }
    EscalationRow LevelField.-problem {
        border: tall $error 60%;
    }
    EscalationRow LevelField.-problem:focus {
        border: tall $error;
    }
    EscalationRow > .row-messages {
        height: auto;
        padding: 0 0 0 14;
        color: $text-error;
    }
    EscalationRow > .row-hint {
        height: auto;
        padding: 0 0 0 14;
        color: $text-muted;
    }
    """

    def __init__(self, level: int, *, id: str | None = None) -> None:
        super().__init__(id=id or f"level{level}")
        self.level = level
        self.messages: dict[str, list[str]] = {}
        """The messages shown now, per field name (as the service wrote them)."""

    def compose(self) -> ComposeResult:
        level = self.level
        with Horizontal(classes="row-fields"):
            with Vertical(classes="level-cell"):
                yield Static(_("Level {level}").format(level=level), classes="level-title")
                yield Static("", classes="level-state")
            for name in FIELD_ORDER:
                if name == "delay_minutes" and level == 1:
                    yield Static(
                        _("immediate"),
                        classes=f"cell cell-{name} immediate",
                        id=field_id(level, name),
                    )
                else:
                    yield LevelField(
                        placeholder=_(_PLACEHOLDERS[name]),
                        id=field_id(level, name),
                        classes=f"cell cell-{name}",
                        highlighter=VISIBLE_CONTROLS,
                        select_on_focus=True,
                    )
        yield Static("", classes="row-messages")
        yield Static("", classes="row-hint")

    # ------------------------------------------------------------------ fields

    def inputs(self) -> Iterator[tuple[str, Input]]:
        """The editable fields of this row, left to right, with their service names."""
        for name in FIELD_ORDER:
            if name == "delay_minutes" and self.level == 1:
                continue
            yield name, self.query_one(f"#{field_id(self.level, name)}", Input)

    def input(self, name: str) -> Input | None:
        return dict(self.inputs()).get(name)

    def first_input(self) -> Input:
        return next(self.inputs())[1]

    def values(self) -> dict[str, str]:
        """The text of the editable fields, exactly as typed, by field name."""
        return {name: field.value for name, field in self.inputs()}

    def set_values(self, values: Mapping[str, str]) -> None:
        for name, field in self.inputs():
            field.value = values.get(name, "")
            field.cursor_position = len(field.value) if field.has_focus else 0

    # ------------------------------------------------------------------ state and messages

    def show_status(self, *, is_set: bool, blocked: bool, editable: bool, view_only: bool) -> None:
        """'● set' / '○ not set' beside the level, a hint under it, the fields on or off.

        In a view-only editor the placeholders give way to '—'; a level that
        may not be added yet (the one before it is empty) says which to fill.
        """
        for name, field in self.inputs():
            field.disabled = not editable
            field.placeholder = "—" if view_only else _(_PLACEHOLDERS[name])
        if is_set:
            state, hint = Text("● " + _("set")), ""
        else:
            state = Text("○ " + _("not set"), style="dim")
            hint = (
                _("fill level {previous} first").format(previous=self.level - 1)
                if blocked
                else ""
                if view_only
                else _("type to add")
            )
        show_text(self.query_one(".level-state", Static), state)
        widget = self.query_one(".row-hint", Static)
        show_text(widget, hint)
        widget.display = bool(hint)

    def show_messages(self, messages: Mapping[str, Sequence[str]]) -> None:
        """This level's messages by field name: the field marked, the words under the row."""
        self.messages = {name: list(messages.get(name, ())) for name in FIELD_ORDER}
        for name, field in self.inputs():
            field.set_class(bool(self.messages[name]), "-problem")
        lines: list[tuple[list[str], str]] = []  # (field labels, message)
        for name in FIELD_ORDER:
            for message in self.messages[name]:
                same = next((line for line in lines if line[1] == message), None)
                if same is not None:  # 'a phone or an e-mail' names both fields once
                    same[0].append(_(FIELD_LABELS[name]))
                else:
                    lines.append(([_(FIELD_LABELS[name])], message))
        text = Text()
        for labels, message in lines:
            if text:
                text.append("\n")
            text.append("✖ " + " / ".join(labels) + ": ", style="bold")
            text.append_text(wrapped(message))
        widget = self.query_one(".row-messages", Static)
        show_text(widget, text)
        widget.display = bool(lines)
