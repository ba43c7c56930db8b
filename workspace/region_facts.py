"""A region and a partner as the exports write them: ``region.json`` of a region's
export (``workspace.region_export``) and ``project.json`` of the project archive
(``workspace.archive``), so that both say the same in the same words."""

from __future__ import annotations

from typing import Any

from .models import Partner, Region


def region_facts(region: Region) -> dict[str, Any]:
    """The region's slug, name, country, NUTS 2 code and its members (email, name,
    role), by email."""
    return {
        "slug": region.slug,
        "name": region.name,
        "country": region.country,
        "nuts2": region.nuts2,
        "members": [
            {"email": m.user.email, "name": m.user.name, "role": m.role.value}
            for m in sorted(region.memberships, key=lambda m: m.user.email)
        ],
    }


def partner_facts(partner: Partner) -> dict[str, Any]:
    """The partner's names, country, legal status and role in the project."""
    return {
        "name": partner.name,
        "short_name": partner.short_name,
        "country": partner.country,
        "legal_status": partner.legal_status.value,
        "role": partner.role.value,
    }
