"""Who a journey belongs to: typed names (local mode) and signed-in identities.

A typed name is cleaned (spaces collapsed), NFKC-normalised and case-folded, so
"Straße", "STRASSE" and "ｓｔｒａｓｓｅ" are one journey. A name that mixes
scripts ("Аna": Cyrillic А + Latin na) is refused: it would be a second journey
that looks exactly like someone else's. Script mixes that real names use
(Latin with Han, Hiragana and Katakana; Latin with Han and Hangul) are allowed,
after Unicode TS #39's "highly restrictive" level.

Owner keys are what the journal stores: `name:<folded name>` for a typed name,
`oidc:<issuer> <sub>` for a signed-in user, `api:<user id>` for `mentor serve`.
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import InputError

MAX_NAME_CHARS = 64
NAME_PATTERN = re.compile(r"^[\w][\w .'\-]*$", re.UNICODE)

# Script sets a single name may use (TS #39 "highly restrictive", simplified).
_ALLOWED_MIXES = (
    {"LATIN", "HAN", "HIRAGANA", "KATAKANA"},
    {"LATIN", "HAN", "HANGUL"},
    {"LATIN", "HAN", "BOPOMOFO"},
)
_SCRIPT_ALIASES = {"CJK": "HAN", "HALFWIDTH": None, "FULLWIDTH": None}


class JournalNameError(InputError):
    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        super().__init__(
            f"the name {name!r} {problem}. Use 1-{MAX_NAME_CHARS} characters: letters, numbers, "
            "spaces and . _ - ' (for example \"ana\" or \"Ana Lopez\")"
        )


def _script(ch: str) -> str | None:
    """The script of a letter from its Unicode name (None for digits, marks, punctuation)."""
    if not ch.isalpha():
        return None
    try:
        first = unicodedata.name(ch).split()[0]
    except ValueError:
        return "UNKNOWN"
    return _SCRIPT_ALIASES.get(first, first)


def scripts(text: str) -> set[str]:
    return {s for s in map(_script, text) if s}


def validate_name(name: object) -> str:
    """The cleaned name (NFKC, spaces collapsed) or a JournalNameError saying what is wrong."""
    if not isinstance(name, str):
        raise JournalNameError(str(name), "is not text")
    cleaned = " ".join(unicodedata.normalize("NFKC", name).split())
    if not cleaned:
        raise JournalNameError(name, "is empty")
    if len(cleaned) > MAX_NAME_CHARS:
        raise JournalNameError(cleaned[:20] + "…", f"is longer than {MAX_NAME_CHARS} characters")
    if not NAME_PATTERN.match(cleaned):
        raise JournalNameError(cleaned, "contains characters that are not allowed")
    found = scripts(cleaned)
    if len(found) > 1 and not any(found <= allowed for allowed in _ALLOWED_MIXES):
        raise JournalNameError(
            cleaned, f"mixes alphabets ({', '.join(sorted(s.title() for s in found))}), so it could pass for "
            "someone else's name; type it in one alphabet"
        )
    return cleaned


def name_key(name: str) -> str:
    """The folded form two spellings of one name share."""
    return unicodedata.normalize("NFKC", validate_name(name).casefold())


def owner_for_name(name: str) -> str:
    return "name:" + name_key(name)


def owner_for_identity(issuer: str, subject: str) -> str:
    """A signed-in user: the issuer plus the subject, never a display name or email."""
    if not issuer or not subject:
        raise InputError("a signed-in identity needs both the issuer and the subject (sub)")
    return f"oidc:{issuer} {subject}"


def owner_for_api_user(user_id: str) -> str:
    return f"api:{user_id}"
