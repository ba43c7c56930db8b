"""Hostile inputs, and the check that a page shows them inert.

Each input of ``CORPUS`` tries to get script, handlers, styles, dangerous URLs or htmx
attributes into a page. Put them wherever your plugin shows user text (titles, names,
Markdown, exports) and check the markup with ``offending``::

    from workspace.testing import CORPUS, offending

    @pytest.mark.parametrize("text", CORPUS)
    def test_titles_are_inert(client, auth, world, text):
        ...
        assert offending(page) == []

Re-exported by ``workspace.testing``; the core's own tests use the same corpus.
"""

from __future__ import annotations

import re

# Each tries to get script, handlers, styles, dangerous URLs or htmx attributes into a page.
CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object>',
    '<embed src="x.swf">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "[click](javascript:alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml,<svg onload=alert(1)>)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="position:fixed;top:0">overlay</p>',
    "<style>body{display:none}</style>",
    '<div hx-get="/admin/users" hx-trigger="load">x</div>',
    '<div data-hx-post="/logout" data-hx-trigger="load">x</div>',
    '<button hx-post="/r/burgos/plugins/fixture" hx-vals=\'{"enabled":"1"}\'>x</button>',
    '<form action="/logout" method="post"><button>x</button></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<h2 id="messages">clobber the message area</h2>',
    '<a id="main" name="csrf_token">clobber</a>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<template><script>alert(1)</script></template>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "{{ config }} {% raw %}{{ 7*7 }}{% endraw %}",
    "<scr<script>ipt>alert(1)</script>",
    '<a href="vbscript:msgbox(1)">x</a>',
]

# What none of them may leave in the tags of a page (``offending`` searches tags only).
FORBIDDEN = [
    r"<script",
    r"<style",
    r"<iframe",
    r"<object",
    r"<embed",
    r"<svg",
    r"<form",
    r"<input",
    r"<button",
    r"<meta",
    r"<base",
    r"<link",
    r"\son[a-z]+\s*=",
    r"javascript:",
    r"vbscript:",
    r"data:",
    r"style\s*=",
    r"\shx-",
    r"data-hx-",
    r'id="(messages|main)"',
]


def offending(html: str) -> list[str]:
    """Forbidden patterns found in markup. Text is inert, so only tags are searched:
    a literal "javascript:" in a sentence is harmless, in an href it is not."""
    tags = " ".join(re.findall(r"<[^>]*>", html))
    return [pattern for pattern in FORBIDDEN if re.search(pattern, tags, re.I)]
