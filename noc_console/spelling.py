"""Words for reading characters aloud on a bad line, shared by every screen that spells.

A plain module (no Textual) because both a widget (the reset wizard's secret
display) and a flow-state module (the run view's phone number) spell digits,
and the state modules may import neither widgets nor Textual.
"""

from __future__ import annotations

from noc_console.i18n import N_

DIGIT_NAMES = {
    "0": N_("zero"), "1": N_("one"), "2": N_("two"), "3": N_("three"), "4": N_("four"),
    "5": N_("five"), "6": N_("six"), "7": N_("seven"), "8": N_("eight"), "9": N_("nine"),
}  # fmt: skip
"""Each digit's msgid: translate when spelling (``_(DIGIT_NAMES[ch])``), in the UI language."""
