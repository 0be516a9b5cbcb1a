"""The escalation editor's heading: whose chain, which version, and why it cannot be edited.

Three lines above the form. Names come from people and the database, so
they go through ``literal``; a failed load or save is said in words with ✖,
and a view-only editor says why with 🔒.
"""

from __future__ import annotations

from rich.text import Text

from noc_console.i18n import _, format_datetime
from noc_console.services.escalation import ChainView
from noc_console.widgets.literal import literal
from noc_console.widgets.static_text import wrapped


def title_text(chain: ChainView | None, *, dirty: bool) -> Text:
    """'Escalation chain — <customer>', marked when the form has unsaved changes."""
    title = Text()
    title.append(_("Escalation chain"), style="bold")
    if chain is not None:
        title.append(" — ")
        title.append_text(literal(chain.customer_name, style="bold"))
        if dirty:
            title.append("   ")
            title.append(_("✎ unsaved changes"), style="bold reverse")
    return title


def meta_text(chain: ChainView | None, *, loading: bool) -> Text:
    """Version, who saved it and when (in the customer's zone), the zone and the wait bounds."""
    meta = Text()
    if chain is None:
        meta.append(_("loading…") if loading else "")
        return meta
    if chain.version == 0:
        meta.append(_("no chain saved yet"))
    else:
        meta.append(_("version {version}").format(version=chain.version))
        if chain.updated_at is not None:
            meta.append(" · ")
            meta.append(
                _("saved {when} by ").format(
                    when=format_datetime(chain.updated_at, tz=chain.timezone)
                )
            )
            meta.append_text(literal(chain.updated_by or "—"))
    meta.append(" · ")
    meta.append(_("time zone {zone}").format(zone=chain.timezone))
    meta.append(" · ")
    meta.append(
        _("wait between {low} and {high} min").format(
            low=chain.bounds.min_minutes, high=chain.bounds.max_minutes
        )
    )
    return meta


def notice_text(
    why_read_only: str | None,
    *,
    load_error: str | None,
    save_error: str | None,
    reload_key: str,
) -> Text:
    """Why the editor is view-only, and the last failed load or save (empty when all is well)."""
    lines: list[Text] = []
    if why_read_only:
        lines.append(Text.assemble(("🔒 ", ""), (why_read_only, "bold")))
    if load_error is not None:
        lines.append(
            Text.assemble(
                ("✖ ", "bold"),
                _("Could not load the escalation chain: "),
                wrapped(load_error),
                " ",
                (_("{key} tries again").format(key=reload_key), "dim"),
            )
        )
    if save_error is not None:
        lines.append(Text.assemble(("✖ ", "bold"), _("Not saved: "), wrapped(save_error)))
    return Text("\n").join(lines)
