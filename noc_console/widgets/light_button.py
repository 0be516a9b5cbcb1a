"""A Button that brings only the styles the console uses: it buys a faster login screen start-up.

The first Button mounted adds Textual's ``Button.DEFAULT_CSS`` to the stylesheet
(every variant, in two styles, plus the ANSI themes), all parsed before the
login screen's first paint. ``inherit_css=False`` drops those rules and keeps
Button's behaviour (keys, ``Pressed``, the ``-active`` flash); the rules below are
the pinned Textual's own for the variants the console uses, so the look is the
same. ``benchmarks/stand_ins.py`` measures it against the stock Button.
"""

from __future__ import annotations

from textual.widgets import Button

_VARIANT = """\
        &.-{variant} {{
            color: $button-color-foreground;
            background: ${variant};
            border-top: tall ${variant}-lighten-{lift};
            border-bottom: tall ${variant}-darken-3;
            &:hover {{
                background: ${variant}-darken-2;
                border-top: tall ${variant};
            }}
            &.-active {{
                background: ${variant};
                border-bottom: tall ${variant}-lighten-{lift};
                border-top: tall ${variant}-darken-{lift};
            }}
        }}
"""
"""Button's rules for one colour variant; ``lift`` is how far its borders are lightened
and darkened in the pinned Textual (3 for primary, 2 for warning)."""


class LightButton(Button, inherit_css=False):
    DEFAULT_CSS = (
        """
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
"""
        + _VARIANT.format(variant="primary", lift=3)
        + _VARIANT.format(variant="warning", lift=2)
        + """    }
    """
    )
