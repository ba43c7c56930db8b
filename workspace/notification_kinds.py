"""What a kind of notification is (``NotificationKind``) and how a person may hear of
it besides the inbox (``Delivery``), with the core's own kinds.

Plain values, imported by the plugin contract (``hookspecs``) and the notification
modules alike; the collected kinds of the running app are ``notifications.kinds()``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


class Delivery(enum.StrEnum):
    """How a person hears of a kind of notification besides their inbox."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"
    OFF = "off"

    @property
    def label(self) -> str:
        return _DELIVERY_LABELS[self.value]


_DELIVERY_LABELS = {
    "immediately": _l("E-mail at once"),
    "daily": _l("In the daily digest"),
    "off": _l("Inbox only, no e-mail"),
}


@dataclass(frozen=True)
class NotificationKind:
    """A kind of notification, as people choose their e-mail for it.

    - ``name``: the key stored with each notification and preference. A plugin's
      kinds are named ``<plugin>.<what>`` ("minutes.action_assigned"); the core's have
      no dot ("mention").
    - ``label``: a short phrase for the preferences page ("An action item is assigned
      to me"); ``description``: a sentence under it. Both are read in the reader's
      language: declare them with ``lazy_gettext``.
    - ``default``: the delivery until the person chooses (``"immediately"``,
      ``"daily"`` or ``"off"``).
    - ``plugin``: filled in by the core with the plugin that declared the kind.
    """

    name: str
    label: str
    description: str = ""
    default: Delivery | str = Delivery.IMMEDIATELY
    plugin: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "default", Delivery(self.default))


CORE_KINDS = (
    NotificationKind(
        "mention",
        _l("Someone mentions me"),
        _l("Someone wrote @ and your name in a document or a comment you may read."),
        Delivery.IMMEDIATELY,
    ),
    NotificationKind(
        "comment",
        _l("A comment on a document I follow"),
        _l("A comment on a document you created or follow (the Follow button on its page)."),
        Delivery.DAILY,
    ),
)
