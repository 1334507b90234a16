"""The journal: who a journey belongs to, and where journeys and feedback are kept.

* `names`: typed names (NFKC, one script) and owner keys for names, signed-in
  identities (issuer + sub) and API users;
* `schema`: the one SQL schema (SQLite and PostgreSQL) and its versioned migrations;
* `store`: `Journal` — append-only turns with optimistic state merges, threads,
  "Forget me", and thumbs feedback;
* `redaction`: nothing shaped like a secret is written.
"""

from .names import (
    MAX_NAME_CHARS,
    JournalNameError,
    name_key,
    owner_for_api_user,
    owner_for_identity,
    owner_for_name,
    validate_name,
)
from .redaction import REDACTED, redact
from .schema import SCHEMA_VERSION
from .store import (
    FeedbackRow,
    ForgetReport,
    Journal,
    JournalError,
    Journey,
    JourneyGoneError,
    ThreadInfo,
    dispose_engines,
    merge_states,
)

__all__ = [
    "FeedbackRow", "ForgetReport", "Journal", "JournalError", "JournalNameError", "Journey", "JourneyGoneError",
    "MAX_NAME_CHARS", "REDACTED", "SCHEMA_VERSION", "ThreadInfo", "dispose_engines", "merge_states", "name_key",
    "owner_for_api_user", "owner_for_identity", "owner_for_name", "redact", "validate_name",
]
