"""The one Markdown sanitiser (assistant/safety/markdown.py): a table of attacks and of text
that must come through unchanged, the invariant on hostile input, and the streaming form."""

from __future__ import annotations

import re

import pytest

from assistant.safety.markdown import sanitize_inline, sanitize_markdown, sanitize_stream

# (case id, input, expected output)
CASES = [
    ("inline image", "Hi ![chart](http://evil.example/?c=secret) there", "Hi (image not shown: chart) there"),
    ("image with title", '![x](http://evil.example/a.png "t")', "(image not shown: x)"),
    ("image, angle destination", "![x](<http://evil.example/a b.png>)", "(image not shown: x)"),
    ("image, balanced parens in url", "![x](http://evil.example/a_(b).png) ok", "(image not shown: x) ok"),
    ("image without alt", "![](http://evil.example/p.gif)", "(image not shown)"),
    ("data: URI image", "x ![pixel](data:image/png;base64,iVBORw0KGgo=)", "x (image not shown: pixel)"),
    ("reference-style image", "![a][1]\n\n[1]: http://evil.example/x", "(image not shown: a)\n\n[1] : `http://evil.example/x`"),
    ("collapsed reference image", "![logo][]\n\n[logo]: http://evil.example/l.png",
     "(image not shown: logo)\n\n[logo] : `http://evil.example/l.png`"),
    ("shortcut image keeps its text", "![logo]\n\n[logo]: http://evil.example/l.png",
     "! [logo]\n\n[logo] : `http://evil.example/l.png`"),
    ("nested brackets in alt", "![a [b] c](http://evil.example/i)", "(image not shown: a b c)"),
    ("image inside a link", "[![img](http://evil.example/i)](http://site.example/p)",
     "(image not shown: img) (site.example)"),
    ("image inside image alt", "![a ![b](http://x.example/1) c](http://y.example/2)",
     "(image not shown: a (image not shown: b) c)"),
    ("html img", '<img src="http://evil.example/i.png">', '‹img src="`http://evil.example/i.png`">'),
    ("html img, single quotes, upper case", "<IMG SRC='http://evil.example/i'>", "‹IMG SRC='`http://evil.example/i`'>"),
    ("html comment", "a <!-- hidden --> b", "a ‹!-- hidden --> b"),
    ("closing tag and iframe", "<iframe src=//evil.example></iframe>", "‹iframe src=//evil.example>‹/iframe>"),
    ("link shows its host only", "See [the article](https://medium.com/x?c=secret) [1]", "See the article (medium.com) [1]"),
    ("link with nested brackets", "[a [b] c](http://h.example/p)", "a [b] c (h.example)"),
    ("javascript link", "[click](javascript:alert(1))", "click"),
    ("data link", "[open](data:text/html;base64,PHNjcmlwdD4=)", "open"),
    ("relative link", "[here](/admin?x=1)", "here"),
    ("mailto link", "[mail me](mailto:a@b.example)", "mail me (a@b.example)"),
    ("autolink", "<https://evil.example/x?c=1>", "`https://evil.example/x?c=1`"),
    ("email autolink", "<someone@example.com>", "someone@example.com"),
    ("bare url becomes code", "visit https://evil.example/a?b=1 now", "visit `https://evil.example/a?b=1` now"),
    ("www url becomes code", "visit www.evil.example/a, now", "visit `www.evil.example/a`, now"),
    ("url already in code stays", "run `curl https://x.example/a`", "run `curl https://x.example/a`"),
    ("reference definition broken", "[1]: http://evil.example/x", "[1] : `http://evil.example/x`"),
    ("citation then parenthesis is not a link", "as [1](in step 2) says", "as [1] (in step 2) says"),
    ("exclamation before a citation", "That works![2]", "That works! [2]"),
    ("escaped bracket", "!\\[x](http://y.example/p)", "! \\[x] (`http://y.example/p`)"),
    ("unclosed image", "a ![b", "a ! [b"),
    ("empty", "", ""),
]

UNCHANGED = [
    "**Where you are on the wheel:** most likely at Deliver Results [1].",
    "**Next action:** Pick one commitment due this week and deliver it on time [2].",
    "- one\n- two\n\n> a quote [3]\n\n1. first\n2. second",
    "“Trust is currency” [1] — the author's words, with *emphasis* and `code`.",
    "Straße, naïve café, 日本語, emoji 🙂, and a < b > c.",
    "# Heading\n\nPlain paragraph with a [1] and a [2] citation.",
]


@pytest.mark.parametrize("case,text,expected", CASES, ids=[c[0] for c in CASES])
def test_sanitize_markdown_table(case, text, expected):
    assert sanitize_markdown(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_ordinary_answers_pass_through_unchanged(text):
    assert sanitize_markdown(text) == text


HOSTILE = [
    "![a](b)![c][d][e]: f <g> ![[[h]]](i) [j](k ![l](m)) <!x> <?php ?> </y",
    "[x]\n:", "![x\n\n](y)", "[a](<b) c> ![d](e\n\n)", "!![[", "](((", "<<<a", "[![![![x](y)](z)](w)](v)",
    "```\n![in code](http://evil.example/c)\n```", "`![in span](http://evil.example/s)`",
    "~~~\n<img src=http://evil.example/t>\n~~~",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_image_link_definition_or_html_survives_hostile_input(text):
    out = sanitize_markdown(text)
    assert "![" not in out
    assert "](" not in out
    assert "]:" not in out
    assert not re.search(r"<[A-Za-z/!?]", out)


def test_the_invariant_holds_for_generated_input():
    import random

    rng = random.Random(9)
    alphabet = ["!", "[", "]", "(", ")", "<", ">", ":", "\\", "\n", " ", "a", "http://e.example/", "img", "`", '"']
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        out = sanitize_markdown(text)
        assert "![" not in out and "](" not in out and "]:" not in out, (text, out)
        assert not re.search(r"<[A-Za-z/!?]", out), (text, out)


def test_sanitize_inline_is_one_line():
    assert sanitize_inline("a\n![x](http://e.example/)\nb") == "a (image not shown: x) b"


def test_stream_sanitises_an_image_split_across_pieces():
    pieces = ["Look: ![ch", "art](http://evil.e", "xample/?c=1) and more\n", "next [li", "nk](http://h.example/p)"]
    out = list(sanitize_stream(pieces))
    joined = "".join(out)
    assert joined == "Look: (image not shown: chart) and more\nnext link (h.example)"
    assert all("evil" not in piece for piece in out)


def test_the_cli_prints_model_answers_through_the_sanitiser(home_copy, fake_openai):  # noqa: F811
    """`mentor ask` (streamed and --json) in model mode: the fake model's images and HTML come out as text."""
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    fake_openai.default_reply = ("**Where you are:** Deliver Results [1]. ![c](http://127.0.0.1:9/leak?c=1)\n\n"
                                 "<img src=http://127.0.0.1:9/h> [see](http://127.0.0.1:9/p?q=2)\n\n"
                                 "**Next action:** ship it ![n](http://127.0.0.1:9/next)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "MENTOR_"))}
    env.update(MENTOR_HOME=str(home_copy), MENTOR_PROVIDER="openai", OPENAI_BASE_URL=fake_openai.base_url,
               OPENAI_API_KEY="sk-test-cli-0123456789", MENTOR_MAX_RETRIES="0")
    for extra in ([], ["--json"]):
        result = subprocess.run([sys.executable, "-m", "assistant", "ask", *extra, "I'm stuck in a rut at work"],
                                capture_output=True, text=True, env=env, cwd=ROOT, timeout=240)
        assert result.returncode == 0, result.stderr
        out = json.loads(result.stdout)["text"] + json.loads(result.stdout)["next_action"] if extra else result.stdout
        assert "(image not shown: c)" in out and "(image not shown: n)" in out and "see (127.0.0.1)" in out
        assert "![" not in out and "<img" not in out and "/leak" not in out


from tests.fake_openai import fake_openai  # noqa: E402,F401  (fixture)
