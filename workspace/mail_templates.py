"""E-mails written as templates: ``templates/mail/<name>.txt`` and ``<name>.html`` are
the text and HTML parts of one message (the HTML part extends ``mail/base.html``, a
plain layout with inline styles and no image, as mail programs need)."""

from __future__ import annotations

from typing import Any

from flask import current_app


def render_mail(name: str, **context: Any) -> tuple[str, str]:
    """The text and HTML parts of the mail ``name``, filled with ``context``.

    Rendered without the pages' context processors: a mail is not a page of whoever
    caused it, and a command renders one outside any request. ``config`` is there, as on
    every template; the text part is not HTML-escaped, the HTML part is.
    """
    env = current_app.jinja_env
    text = env.get_template(f"mail/{name}.txt").render(context)
    html = env.get_template(f"mail/{name}.html").render(context)
    return text, html
