"""Invitations: the e-mail a new person gets with the link to choose their password.

Creating an account (*Admin → People → New account*, or ``flask user create``) issues a
one-time set-password link and queues the invitation carrying it, in the same
transaction as the account: a rolled-back creation sends nothing. The admin still sees
the link (the command prints it), to hand it over another way if the mail goes astray.
Sending the invitation again issues a new link: the earlier ones stop working.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import gettext as _

from .activity import record
from .i18n import in_language, language_of
from .mail import queue_mail
from .mail_templates import render_mail
from .models import User
from .passwords import issue_set_password_token, link_lifetime


def invite(user: User, link_for: Callable[[str], str], invited_by: User | None) -> str:
    """Issue a set-password link for ``user`` (``link_for`` makes the address of a token)
    and queue the invitation carrying it; returns the link. The caller commits."""
    link = link_for(issue_set_password_token(user))
    with in_language(language_of(user)):  # written in the invited person's language
        inviter = invited_by.name if invited_by is not None else _("An administrator")
        subject = _(
            "%(inviter)s invited you to the %(project)s Workspace",
            inviter=inviter,
            project=current_app.config["PROJECT_NAME"],
        )
        regions = [
            _("%(region)s (%(role)s)", region=m.region.name, role=m.role.label.lower())
            for m in sorted(user.memberships, key=lambda m: m.region.name)
        ]
        if not regions and user.partner is not None and user.partner.region is not None:
            regions = [user.partner.region.name]  # the partner's region, until memberships come
        text, html = render_mail(
            "invitation",
            subject=subject,
            user=user,
            inviter=inviter,
            partner=user.partner.name if user.partner is not None else "",
            regions=regions,
            link=link,
            lasts=link_lifetime(current_app.config["SET_PASSWORD_LINK_HOURS"]),
        )
    queue_mail(user.email, subject, text, html, kind="invitation")
    record("invitation_sent", target=f"user:{user.id}")
    return link
