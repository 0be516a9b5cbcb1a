"""One escalation level as a row of fields, with the service's messages right under the row.

The row only holds text: what the operator typed (``RowValues``) goes to
``escalation.validate_levels`` in the screen, and the messages that come
back (keys ``level<N>.<field>``, the service's own keys; the field ids here
are the same with '-': ``#level2-phone``) are shown under the row, each
naming its field, and the field itself gets a red border. The field names
are in words, so the problem is not told by colour alone.
Level 1 has no wait field: it is contacted immediately.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from rich.highlighter import Highlighter
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from noc_console.i18n import N_, _
from noc_console.services.escalation import Contact, ContactInput
from noc_console.services.validation import format_phone
from noc_console.widgets.fields import Field
from noc_console.widgets.literal import printable
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


def show_text(widget: Static, content: Text | str) -> None:
    """Static.update only when the text changed: each update costs a layout pass."""
    if widget.content != content:
        widget.update(content)


def wrapped(value: str | None, style: str = "") -> Text:
    """Like widgets.literal.literal, but allowed to wrap (messages, sentences)."""
    return Text(printable(value), style=style)


def field_id(level: int, name: str) -> str:
    """The widget id of a field: the service's key with '-' for '.' (ids allow no dots)."""
    return f"level{level}-{name}"


def field_key(level: int, name: str) -> str:
    """The service's key for a field ('level2.phone')."""
    return f"level{level}.{name}"


@dataclass(frozen=True)
class RowValues:
    """The text of one row, exactly as typed; all blank means the level is not set."""

    name: str = ""
    role_title: str = ""
    phone: str = ""
    email: str = ""
    delay_minutes: str = ""

    def is_blank(self, level: int) -> bool:
        names = [f.name for f in fields(self) if level > 1 or f.name != "delay_minutes"]
        return not any(getattr(self, name).strip() for name in names)

    def to_input(self, level: int) -> ContactInput:
        return ContactInput(
            level=level,
            name=self.name,
            role_title=self.role_title,
            phone=self.phone,
            email=self.email,
            delay_minutes=0 if level == 1 else self.delay_minutes,
        )

    @classmethod
    def from_contact(cls, contact: Contact | None) -> RowValues:
        """How a stored contact is shown for editing: phone formatted, wait as digits."""
        if contact is None:
            return cls()
        return cls(
            name=contact.name,
            role_title=contact.role_title or "",
            phone=format_phone(contact.phone) if contact.phone else "",
            email=contact.email or "",
            delay_minutes=str(contact.delay_minutes) if contact.level > 1 else "",
        )


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

    def values(self) -> RowValues:
        return RowValues(**{name: field.value for name, field in self.inputs()})

    def set_values(self, values: RowValues) -> None:
        for name, field in self.inputs():
            field.value = getattr(values, name)
            field.cursor_position = len(field.value) if field.has_focus else 0

    def set_editable(self, editable: bool, *, view_only: bool = False) -> None:
        """Enable or disable the fields; in a view-only editor hints give way to '—'."""
        for name, field in self.inputs():
            field.disabled = not editable
            field.placeholder = "—" if view_only else _(_PLACEHOLDERS[name])

    # ------------------------------------------------------------------ messages

    def show_state(self, state: Text | str, hint: Text | str = "") -> None:
        """'● set' / '○ not set' beside the level; a hint ('fill level 2 first') under the row."""
        show_text(self.query_one(".level-state", Static), state)
        widget = self.query_one(".row-hint", Static)
        show_text(widget, hint)
        widget.display = bool(hint)

    def show_messages(self, errors: Mapping[str, Sequence[str]]) -> None:
        """The service's messages for this level: the field marked, the words under the row."""
        self.messages = {
            name: list(errors.get(field_key(self.level, name), ())) for name in FIELD_ORDER
        }
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


# ---------------------------------------------------------------------- whole-form helpers

LEVELS = (1, 2, 3)


def field_label(key: str) -> str:
    """'level2.phone' -> 'Level 2 · Phone' (in the UI language)."""
    level, _sep, name = key.partition(".")
    label = _(FIELD_LABELS[name]) if name in FIELD_LABELS else name
    return _("Level {level}").format(level=level.removeprefix("level")) + " · " + label


def problems_text(
    errors: Mapping[str, Sequence[str]], warnings: Sequence[str], *, summary: bool
) -> Text:
    """The chain-wide messages: shape errors ('levels'), the refused-save summary, warnings.

    Warnings (same person on two levels) say "Warning" and carry ⚠, errors carry
    ✖: the kind is in words and symbols, not only in the colour.
    """
    text = Text()
    for message in errors.get("levels", []):
        text.append("✖ ", style="bold")
        text.append_text(wrapped(message))
        text.append("\n")
    if summary and errors:
        count = sum(len(v) for v in errors.values())
        text.append(
            _("Not saved: {count} problem(s) to fix first.").format(count=count), style="bold"
        )
        text.append("\n")
        for key, messages in errors.items():
            if key == "levels":
                continue
            text.append("  • ")
            text.append(field_label(key) + ": ", style="bold")
            text.append_text(wrapped("; ".join(messages)))
            text.append("\n")
    for warning in warnings:
        text.append("⚠ ", style="bold")
        text.append(_("Warning: "), style="bold")
        text.append_text(wrapped(warning))
        text.append("\n")
    text.rstrip()
    return text


def preview_contacts(
    values: Mapping[int, RowValues], errors: Mapping[str, Sequence[str]]
) -> tuple[list[Contact], str]:
    """What the timeline preview can place: levels in order, up to a gap or a refused wait.

    The wait is read only once the service accepted it (no 'levelN.delay_minutes'
    message), so this never decides what a valid wait is. Returns the levels and,
    when the preview stops early, a note saying why.
    """
    contacts: list[Contact] = []
    for level in LEVELS:
        row = values[level]
        if row.is_blank(level):
            if any(not values[n].is_blank(n) for n in LEVELS if n > level):
                return contacts, _(
                    "level {level} is not set: the levels after it are not shown"
                ).format(level=level)
            break
        delay = 0
        if level > 1:
            if field_key(level, "delay_minutes") in errors:
                return contacts, _("level {level}: fix the wait to see when it is reached").format(
                    level=level
                )
            try:
                delay = int(row.delay_minutes.strip())
            except ValueError:
                return contacts, ""
        contacts.append(Contact(level, row.name.strip() or "—", None, None, None, delay))
    return contacts, ""
