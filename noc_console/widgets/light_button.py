"""A Button that brings only the styles the console uses.

Why: the first Button mounted adds Textual's ``Button.DEFAULT_CSS`` to the
stylesheet, 7 kB of rules for every variant in two styles and the ANSI themes,
more than a third of all the CSS parsed before the login screen's first paint.
This button and a plain title line instead of ``Header`` cut about a tenth of
the start-up work that follows the imports (benchmarks/startup.py).
``inherit_css=False`` drops Button's rules and keeps its behaviour (keys,
``Pressed``, the ``-active`` flash); the rules below are Textual 8.2.8's
default-style rules for the variants the console uses, so the look is the same.
"""

from __future__ import annotations

from textual.widgets import Button


class LightButton(Button, inherit_css=False):
    DEFAULT_CSS = """
    LightButton {
        width: auto;
        min-width: 16;
        height: auto;
        line-pad: 1;
        text-align: center;
        content-align: center middle;
        pointer: pointer;
        text-style: bold;
        color: $button-foreground;
        background: $surface;
        border: none;
        border-top: tall $surface-lighten-1;
        border-bottom: tall $surface-darken-1;
        &:disabled {
            text-opacity: 0.6;
            pointer: not-allowed;
        }
        &:focus {
            text-style: $button-focus-text-style;
            background-tint: $foreground 5%;
        }
        &:hover {
            border-top: tall $surface;
            background: $surface-darken-1;
        }
        &.-active {
            background: $surface;
            border-bottom: tall $surface-lighten-1;
            border-top: tall $surface-darken-1;
            tint: $background 30%;
        }
        &.-primary {
            color: $button-color-foreground;
            background: $primary;
            border-top: tall $primary-lighten-3;
            border-bottom: tall $primary-darken-3;
            &:hover {
                background: $primary-darken-2;
                border-top: tall $primary;
            }
            &.-active {
                background: $primary;
                border-bottom: tall $primary-lighten-3;
                border-top: tall $primary-darken-3;
            }
        }
        &.-warning {
            color: $button-color-foreground;
            background: $warning;
            border-top: tall $warning-lighten-2;
            border-bottom: tall $warning-darken-3;
            &:hover {
                background: $warning-darken-2;
                border-top: tall $warning;
            }
            &.-active {
                background: $warning;
                border-bottom: tall $warning-lighten-2;
                border-top: tall $warning-darken-2;
            }
        }
    }
    """
