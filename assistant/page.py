"""The Streamlit page's logic, kept out of `app.py` so the page script is layout only.

Everything here works on a plain mapping (`st.session_state` in the page, a dict
in tests): the per-browser state, the widget callbacks (spin tracker,
commitments, name, feedback, retry, new conversation), and small view helpers
(mode badge, source quotes). Nothing here imports streamlit.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, fields
from typing import MutableMapping

from .errors import InputError, MentorError, explain
from .journal import (
    Journal,
    JournalNameError,
    JourneyGoneError,
    owner_for_identity,
    validate_name,
)
from .safety.markdown import sanitize_inline, sanitize_markdown
from .safety.redaction import install_log_redaction, redact
from .session import Session, Turn
from .settings import Settings
from . import types
from .types import LOOP, Answer, Step, step_label

log = logging.getLogger("assistant.page")

QUOTE_CHARS = 360
STEP_CHOICES: tuple[str, ...] = ("",) + tuple(s.value for s in LOOP) + (Step.CUSTOMER_OBSESSION.value,)
KIND_BADGES = {  # kind -> (label, st.badge colour)
    "article": ("article", "blue"),
    "principle": ("principle", "violet"),
    "guide": ("mentor's notes", "orange"),
}

# Keys in st.session_state (widget keys start with "w_").
SESSION = "session"
PAGE_ID = "page_id"
FAILURE = "failure"
PENDING = "pending_question"
NOTICE = "notice"
SAVED = "saved_fingerprint"
JOURNEY = "journey"  # the journal handle (assistant.journal.Journey) of the journey being saved, if any
OWNER = "owner"  # (owner key, display name) of the signed-in user
CONFIRM_FORGET = "confirm_forget"
W_NAME = "w_name"
W_SPIN = "w_spin"
W_STEP = "w_step"
W_NEW_COMMITMENT = "w_new_commitment"


@dataclass
class Failure:
    question: str
    message: str
    retryable: bool = True


# --- setup -----------------------------------------------------------------
def load_settings() -> Settings:
    return Settings.from_env()


def mentor_cache_key(settings: Settings) -> str:
    """A cache key for st.cache_resource that changes with the settings but holds no secret."""
    # Every setting takes part (a new one can't be forgotten here); the key only as "set or not".
    parts = {f.name: getattr(settings, f.name) for f in fields(settings)}
    parts["api_key"] = bool(settings.api_key)
    return hashlib.sha256(repr(sorted(parts.items())).encode()).hexdigest()[:16]


def build_mentor(settings: Settings):
    """A Mentor with its index and embedder loaded, so the first question is quick."""
    from .mentor import Mentor

    install_log_redaction((settings.api_key,) if settings.api_key else ())
    mentor = Mentor(settings)
    mentor.retriever  # builds the index on a fresh machine (first start only)
    mentor.dialogue  # the reader, step models and sentences every answer uses
    return mentor


def init_state(state: MutableMapping) -> Session:
    """The guard: set up this browser session's state once; reruns keep it."""
    if SESSION not in state:
        state[SESSION] = Session()
    if PAGE_ID not in state:
        state[PAGE_ID] = uuid.uuid4().hex[:12]
    state.setdefault(FAILURE, None)
    state.setdefault(PENDING, None)
    state.setdefault(NOTICE, None)
    state.setdefault(SAVED, None)
    state.setdefault(JOURNEY, None)
    state.setdefault(OWNER, None)
    state.setdefault(CONFIRM_FORGET, False)
    return state[SESSION]


def session_of(state: MutableMapping) -> Session:
    return state[SESSION]


# --- view helpers ------------------------------------------------------------
def safe(text: str | None) -> str:
    """Every text the page renders as Markdown goes through this: the model's reply, the
    user's own words, knowledge passages, notices and errors (no remote images, no raw
    HTML, links shown as text; secrets redacted)."""
    return sanitize_markdown(redact(text or ""))


def safe_inline(text: str | None) -> str:
    """`safe` for a one-line label (widget labels render Markdown images too)."""
    return sanitize_inline(redact(text or ""))


def stream_into(placeholder, stream) -> Answer:
    """Show a streamed answer in `placeholder` (an `st.empty()`), re-rendering the sanitised
    text so far after every piece: an image split across pieces is never rendered, because
    what is shown is always `safe(text so far)`. Ends with the final answer's text (citations
    checked; a withheld answer replaced by its refusal)."""
    shown = ""
    for piece in stream:
        shown += piece
        placeholder.markdown(safe(shown))
    answer = stream.answer
    placeholder.markdown(safe(answer.text))
    return answer


def startup_error(exc: BaseException, settings: Settings | None = None) -> str:
    """What the page says when the mentor cannot start (a setup or system error, or a bug)."""
    error = exc if isinstance(exc, MentorError) else explain(exc, settings)
    if error is None:
        log.exception("the mentor could not start")
        return f"The mentor could not start ({type(exc).__name__}); see the server log."
    return safe(f"The mentor could not start: {error}")


def mode_badge(mentor) -> tuple[str, str, str | None]:
    """(badge text, colour, hint). Never includes a key or the server address."""
    if mentor.mode == "llm":
        return f"model: {mentor.model_name}", "green", None
    return (
        "offline",
        "gray",
        "Answers come from the knowledge base without a model. To connect one, set OPENAI_API_KEY "
        "(or OPENAI_BASE_URL for a local server such as Ollama) and restart.",
    )


def step_option_label(value: str) -> str:
    if not value:
        return "— not set —"
    step = Step(value)
    if step in LOOP:
        return f"{LOOP.index(step) + 1}. {step.label}"
    return f"{step.label} (accelerant)"


def kind_badge(kind: str) -> tuple[str, str]:
    return KIND_BADGES.get(kind, (kind or "source", "gray"))


def source_label(src: dict) -> str:
    """The label of a source saved in a turn (a dict)."""
    return types.source_label(src.get("title", ""), src.get("section", ""))


def _trim(text: str, limit: int = QUOTE_CHARS) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    flat = " ".join(" ".join(lines).split()).lstrip(" .,;:")
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    return (cut[: end + 1] if end > limit // 2 else cut.rsplit(" ", 1)[0]) + " …"


def enrich_turn(turn: Turn, answer: Answer) -> None:
    """Give the saved turn's sources the quoted passage shown under the answer:
    the verified citation's quote when the answer cited that source, else the
    start of the passage."""
    cited = {c.source_id: c.quote for c in answer.citations if c.verified and c.source_id and c.quote}
    by_id = {s.id: s for s in answer.sources}
    for src in turn.sources:
        source = by_id.get(src.get("id"))
        if source is None:
            continue
        src["quote"] = cited.get(source.id) or _trim(source.text)
        src["cited"] = source.id in cited
        src["score"] = round(float(source.score), 3)


def question_before(session: Session, index: int) -> str:
    for turn in reversed(session.turns[:index]):
        if turn.role == "user":
            return turn.text
    return ""


def turn_key(turn: Turn) -> str:
    return f"{turn.at:.6f}".replace(".", "_")


def answer_key(state: MutableMapping, turn: Turn) -> str:
    journey = state.get(JOURNEY)
    owner = journey.owner if journey is not None else (state.get(OWNER) or (state[PAGE_ID],))[0]
    return f"{owner}:{turn.at:.6f}"


def feedback_identity(state: MutableMapping) -> dict:
    """Whose feedback this is, so "Forget me" deletes it with the journey."""
    journey = state.get(JOURNEY)
    if journey is not None:
        named = journey.owner.startswith("name:")
        return {"owner": journey.owner, "name": journey.display_name if named else None}
    if state.get(OWNER):
        return {"owner": state[OWNER][0], "name": None}
    return {}


def is_committed(session: Session, text: str | None) -> bool:
    return bool(text) and any(c.text.lower() == " ".join(text.split()).lower() for c in session.commitments)


def quick_replies(session: Session) -> list[str]:
    """The options offered with the latest clarifying question (none once the mentee replied)."""
    if session.turns and session.turns[-1].role == "assistant":
        return list(session.turns[-1].options or [])
    return []


def on_quick_reply(state: MutableMapping, text: str) -> None:
    """A quick-reply button: answer the clarifying question with that option, as if typed."""
    state[PENDING] = text


def known_facts(session: Session) -> list[tuple[str, str, str]]:
    """"What I know about you": (fact key, label, the mentee's own words), oldest first."""
    facts = sorted(session.profile.facts.values(), key=lambda f: (f.turn, f.at))
    return [(f.key, f.label, f.evidence) for f in facts]


def on_forget_fact(state: MutableMapping, key: str) -> None:
    """The mentee says a fact is wrong: drop it, so placement stops using it."""
    if session_of(state).profile.remove_fact(key):
        state[NOTICE] = ("toast", "Forgotten. I won't use that any more.")


# --- the turn ------------------------------------------------------------------
def take_question(state: MutableMapping, typed: str | None) -> str | None:
    """What to answer this run: a newly typed question wins over a pending retry."""
    pending, state[PENDING] = state.get(PENDING), None
    if typed is not None:
        state[FAILURE] = None
        return typed
    return pending


def answered(state: MutableMapping, answer: Answer) -> Turn:
    """After a streamed answer: enrich the new turn and clear any failure."""
    state[FAILURE] = None
    session = session_of(state)
    turn = session.turns[-1]
    if turn.role == "assistant":
        enrich_turn(turn, answer)
    return turn


def failed(state: MutableMapping, question: str, exc: BaseException) -> Failure:
    """Record a failed turn and return what to show: the error's own message (credentials
    scrubbed), never a traceback. A failure after the answer streamed can leave the question
    in the history without its answer: take it out, so Retry never adds it twice."""
    interrupted(state, question)
    exc = explain(exc) or exc  # a known disk/permission failure says what to do
    detail = (redact(str(exc)) or "").rstrip(". ")
    if isinstance(exc, InputError):
        failure = Failure(question, detail, retryable=False)
    elif isinstance(exc, MentorError):
        log.warning("answer failed: %s", detail)
        failure = Failure(question, f"The mentor could not answer: {detail}. Your conversation is intact.")
    else:
        log.exception("unexpected error while answering")
        failure = Failure(
            question,
            f"Something went wrong while answering ({type(exc).__name__}). "
            "Your conversation is intact; press Retry to try again.",
        )
    state[FAILURE] = failure
    return failure


def interrupted(state: MutableMapping, question: str) -> None:
    """The script run stopped mid-answer (a new question or a click reruns the page):
    drop the unanswered user turn so the history never holds a question without its answer."""
    session = session_of(state)
    if session.turns and session.turns[-1].role == "user" and session.turns[-1].text == question:
        session.drop_last_user_turn()


def retry(state: MutableMapping) -> None:
    failure = state.get(FAILURE)
    if failure is not None:
        state[PENDING] = failure.question
        state[FAILURE] = None


# --- sidebar callbacks -------------------------------------------------------------
def sync_widgets(state: MutableMapping) -> None:
    """Before the sidebar widgets are drawn: show the session's values in them."""
    session = session_of(state)
    state[W_SPIN] = session.spin
    state[W_STEP] = session.step.value if session.step else ""
    for i, c in enumerate(session.commitments):
        state[commitment_key(i, c)] = c.done


def commitment_key(index: int, commitment) -> str:
    return f"w_commitment_{index}_{commitment.at:.6f}".replace(".", "_")


def on_spin(state: MutableMapping) -> None:
    session_of(state).spin = max(1, int(state.get(W_SPIN) or 1))


def on_step(state: MutableMapping) -> None:
    value = state.get(W_STEP) or ""
    session_of(state).step = Step(value) if value else None


def on_commitment(state: MutableMapping, index: int, key: str) -> None:
    session = session_of(state)
    if 0 <= index < len(session.commitments):
        session.set_commitment_done(index, bool(state.get(key)))


def commit(state: MutableMapping, text: str) -> None:
    if session_of(state).add_commitment(text) is not None:
        state[NOTICE] = ("success", f"Committed: {text}")


def on_new_commitment(state: MutableMapping) -> None:
    text = (state.get(W_NEW_COMMITMENT) or "").strip()
    if text:
        session_of(state).add_commitment(text[:300])
    state[W_NEW_COMMITMENT] = ""


def start_next_spin(state: MutableMapping) -> None:
    session = session_of(state)
    session.start_next_spin()
    state[NOTICE] = ("success", f"Spin {session.spin} started at Deliver Results, with a bigger scope.")


def new_conversation(state: MutableMapping, journal: Journal | None = None) -> None:
    """A new conversation; a saved journey keeps the old one as an earlier thread."""
    journey = state.get(JOURNEY)
    if journey is not None and journal is not None:
        try:
            journal.new_thread(journey, session_of(state))
            state[SAVED] = fingerprint(session_of(state))
        except MentorError as exc:
            state[NOTICE] = ("error", f"Could not start a new conversation in your journey: {exc}")
            return
    else:
        session_of(state).clear()
    state[FAILURE] = None
    state[PENDING] = None


def on_name(state: MutableMapping, journal: Journal) -> None:
    """Name typed in the sidebar: restore that mentee's saved journey, or start saving this one."""
    raw = state.get(W_NAME) or ""
    session = session_of(state)
    if not raw.strip():
        session.name = None
        state[JOURNEY] = None
        state[SAVED] = None
        state[NOTICE] = ("info", "Not saving: this conversation stays in this browser tab only.")
        return
    try:
        name = validate_name(raw)
        opened = journal.open_named(name, create=False)
    except (JournalNameError, MentorError) as exc:
        state[NOTICE] = ("error", str(exc))
        return
    if opened is not None:
        journey, saved = opened
        state[SESSION] = saved
        state[JOURNEY] = journey
        state[FAILURE] = None
        state[SAVED] = fingerprint(saved)
        state[NOTICE] = (
            "success",
            f"Welcome back, {saved.name}: spin {saved.spin}, step {step_label(saved.step.value if saved.step else None)}, "
            f"{len(saved.commitments)} commitment(s), {len(saved.turns)} message(s) restored.",
        )
        return
    try:
        state[JOURNEY], _ = journal.open_named(name)
    except MentorError as exc:
        state[NOTICE] = ("error", f"Your journey was not saved: {exc}")
        return
    session.name = name
    state[SAVED] = None
    state[NOTICE] = ("success", f"Saving your journey as {name}. Use the same name next time to pick it up again.")
    autosave(state, journal)


def record_feedback(state: MutableMapping, journal: Journal, index: int, widget_key: str) -> None:
    value = state.get(widget_key)
    if value is None:
        return
    session = session_of(state)
    if not 0 <= index < len(session.turns):
        return
    turn = session.turns[index]
    try:
        journal.record_feedback(
            question=question_before(session, index),
            answer=turn.text,
            rating=1 if int(value) == 1 else -1,
            step=turn.step,
            source_ids=[s.get("id") for s in turn.sources if s.get("id")],
            mode=turn.mode,
            answer_key=answer_key(state, turn),
            **feedback_identity(state),
        )
    except MentorError as exc:
        state[NOTICE] = ("error", f"Feedback was not saved: {exc}")


def record_comment(state: MutableMapping, journal: Journal, index: int, widget_key: str) -> None:
    session = session_of(state)
    if not 0 <= index < len(session.turns):
        return
    try:
        journal.set_feedback_comment(answer_key(state, session.turns[index]), state.get(widget_key) or "")
    except MentorError as exc:
        state[NOTICE] = ("error", f"The comment was not saved: {exc}")


# --- persistence ---------------------------------------------------------------------
def fingerprint(session: Session) -> str:
    return hashlib.sha256(json.dumps(session.to_dict(), sort_keys=True, default=str).encode()).hexdigest()


def autosave(state: MutableMapping, journal: Journal) -> bool:
    """Save the journey (new turns appended, state merged with other tabs) when the session
    changed since the last save. Returns True if written."""
    session = session_of(state)
    journey = state.get(JOURNEY)
    current = fingerprint(session)
    if state.get(SAVED) == current:
        return False
    if journey is None and state.get(OWNER) and (session.turns or session.commitments):
        owner, display = state[OWNER]  # signed in: the journey is made on the first thing worth keeping
        try:
            journey = state[JOURNEY] = journal.open(owner, display)[0]
        except MentorError as exc:
            state[NOTICE] = ("error", f"Your journey was not saved: {exc}")
            return False
    if journey is None:
        return False
    try:
        journal.sync(journey, session)
    except JourneyGoneError:
        state[JOURNEY] = None
        state[SAVED] = None
        session.name = None
        state[NOTICE] = ("warning", "This journey was deleted (Forget me) in another tab; nothing more is saved.")
        return False
    except MentorError as exc:
        state[NOTICE] = ("error", f"Your journey was not saved: {exc}")
        return False
    state[SAVED] = fingerprint(session)
    return True


# --- sign-in, exposure and "Forget me" (page parts kept apart from the conversation) ---
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


def auth_configured(secrets) -> bool:
    """`[auth]` is set in .streamlit/secrets.toml (Streamlit's OIDC sign-in)."""
    try:
        return "auth" in secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def signed_in_identity(user: dict) -> tuple[str, str] | None:
    """(owner key, display name) from the verified identity Streamlit holds (`st.user`):
    the issuer plus `sub`. Never a name typed into the page."""
    if not user or not user.get("is_logged_in"):
        return None
    issuer, subject = user.get("iss"), user.get("sub")
    if not issuer or not subject:
        return None
    display = user.get("name") or user.get("email") or str(subject)
    return owner_for_identity(str(issuer), str(subject)), str(display)


def use_signed_in_journey(state: MutableMapping, journal: Journal, user: dict) -> None:
    """Every run of a signed-in page: the tab's journey is the signed-in user's, and only theirs."""
    identity = signed_in_identity(user)
    if identity is None:
        raise InputError("sign-in did not give an issuer and a subject (sub); check the OIDC provider's settings")
    if state.get(OWNER) == identity and (state.get(JOURNEY) is None or state[JOURNEY].owner == identity[0]):
        return
    owner, display = identity
    state[OWNER] = identity
    state[JOURNEY] = None
    state[FAILURE] = None
    try:
        opened = journal.open(owner, display, create=False)
    except MentorError as exc:
        state[SESSION] = Session(name=display)
        state[SAVED] = None
        state[NOTICE] = ("error", f"Your journey could not be loaded: {exc}")
        return
    if opened is None:
        state[SESSION] = Session(name=display)
        state[SAVED] = fingerprint(state[SESSION])
        return
    journey, session = opened
    session.name = display
    state[SESSION], state[JOURNEY], state[SAVED] = session, journey, fingerprint(session)
    if session.turns or session.commitments:
        state[NOTICE] = ("success", f"Welcome back, {display}: spin {session.spin}, "
                                    f"{len(session.commitments)} commitment(s), {len(session.turns)} message(s) restored.")


def exposure_warning(host_header: str | None) -> str | None:
    """A warning when the page runs without sign-in but is reached on a non-local address."""
    if not host_header:
        return None
    host = host_header.strip().lower()
    host = host[1:].split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if host in LOCAL_HOSTS:
        return None
    return (f"This page is open to others at {host} without sign-in: anyone who can reach it can load any "
            "name's journey. Set up sign-in ([auth] in .streamlit/secrets.toml, see deploy/README.md) or serve "
            "it on 127.0.0.1 only.")


def ask_forget(state: MutableMapping) -> None:
    state[CONFIRM_FORGET] = True


def cancel_forget(state: MutableMapping) -> None:
    state[CONFIRM_FORGET] = False


def forget_me(state: MutableMapping, journal: Journal) -> None:
    """After confirmation: delete this journey and its feedback, and start the tab afresh."""
    state[CONFIRM_FORGET] = False
    journey = state.get(JOURNEY)
    owner = journey.owner if journey is not None else (state.get(OWNER) or (None,))[0]
    deleted = None
    if owner is not None:
        try:
            deleted = journal.forget(owner)
        except MentorError as exc:
            state[NOTICE] = ("error", f"Nothing was deleted: {exc}")
            return
    signed_in = state.get(OWNER)
    state[SESSION] = Session(name=signed_in[1] if signed_in else None)
    state[JOURNEY] = None
    state[FAILURE] = None
    state[PENDING] = None
    state[SAVED] = fingerprint(state[SESSION])
    if not signed_in:
        state[W_NAME] = ""
    if deleted is None:
        state[NOTICE] = ("success", "This conversation was cleared (nothing of it was saved).")
    else:
        state[NOTICE] = ("success", f"Forgotten: your journey, {deleted.threads} conversation(s), "
                                    f"{deleted.turns} message(s) and {deleted.feedback} feedback rating(s) were deleted.")


def when(ts: float) -> str:
    import datetime as _dt

    return _dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def one_line(text: str, limit: int = 90) -> str:
    flat = " ".join((redact(text) or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def earlier_conversations(state: MutableMapping, journal: Journal) -> list:
    """The saved journey's earlier threads (not the current one), oldest first."""
    journey = state.get(JOURNEY)
    if journey is None:
        return []
    try:
        return [t for t in journal.threads(journey) if t.id != journey.thread_id and t.turns]
    except MentorError:
        return []
