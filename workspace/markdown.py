"""Markdown to safe HTML: Python-Markdown (tables, fenced code, table of contents),
then nh3 with an allow-list.

Whatever a user writes, the result has no script, no event handler, no style, no
``javascript:`` or ``data:`` URL and no ``hx-*`` attribute (htmx would act on it).
Heading ids carry an ``h-`` prefix, so a document cannot clobber ids of the page
around it (``#messages``, ``#main``...).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import markdown as python_markdown
import nh3
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension, slugify_unicode
from markupsafe import Markup

HEADING_ID_PREFIX = "h-"
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

TAGS = HEADINGS | {
    "p", "br", "hr", "blockquote", "pre", "code", "em", "strong", "del", "s", "sup", "sub",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "abbr", "kbd",
    "table", "thead", "tbody", "tr", "th", "td", "div", "span",
}  # fmt: skip

ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "abbr": {"title"},
    "div": {"class"},
    **{heading: {"id"} for heading in HEADINGS},
}

URL_SCHEMES = {"http", "https", "mailto"}


def _on_this_site(url: str) -> bool:
    """A relative address (an attachment, ``/docs/3/files/1``): the workspace's own."""
    parts = urlsplit(url.strip())
    return not (parts.scheme or parts.netloc or url.strip().startswith("//") or "\\" in url)


def _slugify(value: str, separator: str) -> str:
    return HEADING_ID_PREFIX + slugify_unicode(value, separator)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not _on_this_site(value):
        return None  # no request to another host when a page is read
    if attribute == "id" and not value.startswith(HEADING_ID_PREFIX):
        return None
    if attribute == "class" and value != "toc":
        return None
    return value


def to_html(text: str) -> str:
    """Safe HTML for a Markdown text."""
    converter = python_markdown.Markdown(
        extensions=[
            "fenced_code",
            TableExtension(use_align_attribute=True),
            TocExtension(slugify=_slugify, toc_depth="2-4"),
            "sane_lists",
        ],
        output_format="html",
    )
    html = converter.convert(text)
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style", "template", "textarea", "title", "noscript"},
        attributes=ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markup(text: str) -> Markup:
    """The sanitised HTML of a Markdown text, marked safe for templates: the one
    place where user text becomes trusted markup."""
    return Markup(to_html(text)) if text.strip() else Markup("")  # noqa: S704
