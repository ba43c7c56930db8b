"""HTML to PDF for every export (WeasyPrint), fetching nothing.

A text may link an image at any address; the server would request it while
rendering (reaching hosts only it can reach), so no URL is ever fetched: such
images are left out of the PDF. Templates carry their own styles.
"""

from __future__ import annotations


def html_to_pdf(html: str) -> bytes:
    # Imported on use: WeasyPrint loads Pango, which takes a moment.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=set())).write_pdf()
