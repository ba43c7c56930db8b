"""The hostile corpus renders inert in Markdown, in titles and in names, on every page."""

from __future__ import annotations

import pytest

from workspace.markdown import to_html
from workspace.testing import CORPUS, new_document, offending


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("text", CORPUS)
def test_markdown_renders_hostile_input_inert(text):
    assert offending(to_html(text)) == []
    # Inside a real document, surrounded by ordinary Markdown, too.
    assert offending(to_html(f"# Heading\n\nSome *text*.\n\n{text}\n\n- item")) == []


def test_whole_corpus_in_one_document_page(client, auth, world):
    auth.login(world.editor.email)
    document_id = new_document(client, title=CORPUS[0], body="\n\n".join(CORPUS))
    page = client.get(f"/docs/{document_id}").text
    document = page.split('<article class="document-body">', 1)[1].split("</article>", 1)[0]
    assert "alert" in document  # the text is there, as text
    assert offending(document) == []
    preview = client.post("/docs/preview", data={"body": "\n\n".join(CORPUS)}).text
    assert offending(preview) == []


@pytest.mark.parametrize("text", CORPUS[:12])
def test_hostile_titles_and_names_are_escaped(app, client, auth, world, make, text):
    make.user("hostile@example.org", name=text)
    auth.login(world.editor.email)
    document_id = new_document(client, title=text, body="x")
    for path in [
        f"/docs/{document_id}",
        f"/docs/{document_id}/history",
        f"/docs/{document_id}/activity",
        "/docs/",
        "/",
    ]:
        page = client.get(path).text
        if "<" in text:
            assert text not in page, path  # shown escaped, never as markup
