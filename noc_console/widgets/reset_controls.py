"""Form pieces of the assisted-reset wizard, tuned for the keyboard on a phone call.

Textual's checkbox and radio set take ``enter`` to toggle; in a wizard the
analyst expects ``enter`` to move on, so here ``space`` chooses and ``enter``
is left to bubble up to the wizard's "next" binding. In the radio set the
arrow keys choose the option they land on (as in most GUIs): moving the
highlight without choosing is a slip waiting to happen.

Everything here displays text literally: labels are built from ``Content`` /
``Text`` objects, never parsed as markup, and control characters are made
visible (``widgets.literal.printable``) so a hostile name cannot restyle or
clear the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.style import Style
from textual.widgets import Checkbox, RadioButton, RadioSet, Static

from noc_console.i18n import N_
from noc_console.widgets.literal import printable


def _glyph(toggle: Checkbox | RadioButton, inner: str) -> Content:
    """Textual's ▐X▌ with ``inner`` inside, so on/off is a symbol, not only a colour."""
    button_style = toggle.get_visual_style("toggle--button")
    side_style = Style(foreground=button_style.background, background=toggle.background_colors[1])
    return Content.assemble(
        (toggle.BUTTON_LEFT, side_style),
        (inner, button_style),
        (toggle.BUTTON_RIGHT, side_style),
    )


class WizardCheckbox(Checkbox, inherit_bindings=False):
    """A checkbox toggled by space only (enter belongs to the wizard: "next"); ✔ when ticked."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", N_("Toggle"), show=False, id="wizard.toggle"),
    ]

    @property
    def _button(self) -> Content:
        return _glyph(self, "✔" if self.value else " ")


class WizardRadioButton(RadioButton):
    """A radio button showing ● only when chosen (Textual's shows ● in every state)."""

    @property
    def _button(self) -> Content:
        return _glyph(self, "●" if self.value else " ")


class WizardRadioSet(RadioSet, inherit_bindings=False):
    """A radio set where the arrows choose and space re-chooses; enter is the wizard's."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "down,right", "choose_next", N_("Next option"), show=False, id="wizard.option_next"
        ),
        Binding(
            "up,left",
            "choose_previous",
            N_("Previous option"),
            show=False,
            id="wizard.option_previous",
        ),
        Binding("space", "toggle_button", N_("Choose"), show=False, id="wizard.choose"),
    ]

    def _press_selected(self) -> None:
        selected = self._selected
        if selected is None:
            return
        button = self._nodes[selected]
        if isinstance(button, RadioButton) and not button.value:
            button.value = True

    def action_choose_next(self) -> None:
        self.action_next_button()
        self._press_selected()

    def action_choose_previous(self) -> None:
        self.action_previous_button()
        self._press_selected()

    def choose(self, index: int) -> None:
        """Press the option at ``index`` and put the highlight on it (restoring a choice)."""
        buttons = list(self.query(RadioButton))
        if not 0 <= index < len(buttons) or buttons[index].disabled:
            return
        self._selected = index
        buttons[index].value = True


class FieldError(Static):
    """Messages about one field, in words, right under it; hidden when there is none."""

    DEFAULT_CSS = """
    FieldError {
        height: auto;
        color: $text-error;
        padding: 0 0 0 1;
        display: none;
    }
    FieldError.-shown {
        display: block;
    }
    """

    def show_messages(self, messages: Iterable[str]) -> None:
        lines = [printable(message) for message in messages if message]
        self.update(Text("\n".join(f"✖ {line}" for line in lines)))
        self.set_class(bool(lines), "-shown")

    def clear(self) -> None:
        self.show_messages(())

    @property
    def plain(self) -> str:
        return str(self.content) if self.has_class("-shown") else ""


class StepIndicator(Static):
    """Where the wizard stands: '✔ 1 Identity › ▶ 2 Method › 3 Confirm › 4 Result'.

    The current step is marked with a symbol and bold, done steps with a tick:
    never by colour alone.
    """

    DEFAULT_CSS = """
    StepIndicator {
        height: 1;
        width: 1fr;
    }
    """

    def __init__(self, titles: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.titles = list(titles)
        self.current = 0

    def on_mount(self) -> None:
        self.set_step(self.current)

    def set_step(self, index: int) -> None:
        self.current = index
        text = Text(no_wrap=True, overflow="ellipsis")
        for position, title in enumerate(self.titles):
            if position:
                text.append("  ›  ", style="dim")
            label = f"{position + 1} {title}"
            if position < index:
                text.append(f"✔ {label}", style="dim")
            elif position == index:
                text.append(f"▶ {label}", style="bold reverse")
            else:
                text.append(label, style="dim")
        self.update(text)
