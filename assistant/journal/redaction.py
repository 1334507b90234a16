"""Secrets never reach the journal: one pattern set for the whole product lives in
`assistant.safety.redaction`; the journal re-exports it under its old names."""

from __future__ import annotations

from ..safety.redaction import REDACTED, redact, redact_tree  # noqa: F401
