"""Flywheel Mentor — the Streamlit chat page. Start it with `streamlit run app.py`.

Layout and widgets only: the logic (state, callbacks, persistence, the flywheel
picture, the Markdown export) lives in the `assistant` package.
"""

from __future__ import annotations

import streamlit as st

from assistant import page as pg
from assistant.export import export_filename, export_markdown
from assistant.flywheel_graph import flywheel_dot
from assistant.journal import Journal

st.set_page_config(page_title="Flywheel Mentor", page_icon="🔄", layout="centered")


@st.cache_resource(show_spinner="Loading the mentor (a fresh machine builds its knowledge index first)…")
def load_mentor(cache_key: str, _settings):
    return pg.build_mentor(_settings)


settings = None
try:
    settings = pg.load_settings()
    mentor = load_mentor(pg.mentor_cache_key(settings), settings)
except Exception as exc:  # a setup or system problem: a message saying what to do, never a traceback
    st.error(pg.startup_error(exc, settings))
    st.stop()

journal = Journal.from_settings(settings)
state = st.session_state
pg.init_state(state)
signed_in = pg.auth_configured(st.secrets)


def require_sign_in() -> None:
    """With [auth] in secrets: nothing but a sign-in button until the user has signed in."""
    if st.user.is_logged_in:
        return
    st.title("Flywheel Mentor")
    st.caption("Career mentoring grounded in the leadership-principle flywheel.")
    st.info("Sign in to keep your journey private to you: your spin, step, commitments and conversations.")
    st.button("Sign in", icon=":material/login:", on_click=st.login, type="primary")
    st.stop()


if signed_in:
    require_sign_in()
    try:
        pg.use_signed_in_journey(state, journal, st.user.to_dict())
    except MentorError as exc:
        st.error(str(exc))
        st.stop()
session = pg.session_of(state)


def show_sources(turn) -> None:
    with st.expander(f"Sources ({len(turn.sources)})"):
        for n, src in enumerate(turn.sources, 1):
            label, colour = pg.kind_badge(src.get("kind", ""))
            st.markdown(f":{colour}-badge[{pg.safe_inline(label)}] **[{n}] {pg.safe_inline(pg.source_label(src))}**")
            if src.get("quote"):
                st.markdown("> " + pg.safe_inline(src["quote"]))


def show_answer_details(index: int, turn) -> None:
    key = pg.turn_key(turn)
    if turn.sources:
        show_sources(turn)
    if turn.step:
        st.caption(f"Diagnosed step: **{pg.step_label(turn.step)}**")
    if turn.next_action:
        cols = st.columns([4, 1.3], vertical_alignment="center")
        cols[0].markdown(f"**Next action:** {pg.safe_inline(turn.next_action)}")
        done = pg.is_committed(session, turn.next_action)
        cols[1].button(
            "Committed ✓" if done else "Commit to this", key=f"w_commit_{key}", disabled=done,
            on_click=pg.commit, args=(state, turn.next_action),
        )
    fb_key = f"w_fb_{key}"
    st.feedback("thumbs", key=fb_key, on_change=pg.record_feedback, args=(state, journal, index, fb_key))
    if state.get(fb_key) is not None:
        comment_key = f"w_fbc_{key}"
        st.text_input("Anything to add? (optional)", key=comment_key, placeholder="What was good or missing?",
                      on_change=pg.record_comment, args=(state, journal, index, comment_key))


def show_failure(failure) -> None:
    if failure.retryable:
        st.error(pg.safe(failure.message))
        st.button("Retry", key="w_retry", icon=":material/replay:", on_click=pg.retry, args=(state,))
    else:
        st.warning(pg.safe(failure.message))


def show_identity() -> None:
    """Who is signed in (and Sign out), or the local name box with a warning when exposed."""
    if signed_in:
        st.markdown(f"Signed in as **{state[pg.OWNER][1]}**")
        st.button("Sign out", icon=":material/logout:", on_click=st.logout, key="w_sign_out")
        return
    warning = pg.exposure_warning(st.context.headers.get("host"))
    if warning:
        st.warning(warning, icon=":material/public:")
    st.text_input("Your name (optional)", key=pg.W_NAME, placeholder="saves and restores your journey",
                  on_change=pg.on_name, args=(state, journal),
                  help="Your spin, step, commitments and conversations are kept in the journal on this machine.")


def show_earlier_conversations() -> None:
    earlier = pg.earlier_conversations(state, journal)
    if not earlier:
        return
    with st.expander(f"Earlier conversations ({len(earlier)})"):
        for thread in reversed(earlier):
            st.caption(f"{pg.when(thread.started_at)} · {thread.turns} message(s)")
            for turn in journal.thread_turns(state[pg.JOURNEY], thread.id):
                if turn.get("role") == "user":
                    st.text("• " + pg.one_line(turn.get("text", "")))  # plain text: never rendered as markdown


def show_forget_me() -> None:
    if state[pg.JOURNEY] is None and not signed_in:
        return
    if not state[pg.CONFIRM_FORGET]:
        st.button("Forget me", icon=":material/delete_forever:", on_click=pg.ask_forget, args=(state,),
                  width="stretch", key="w_forgetme")
        return
    st.warning("Delete your journey, all its conversations and your feedback? This cannot be undone.")
    c1, c2 = st.columns(2)
    c1.button("Delete everything", type="primary", on_click=pg.forget_me, args=(state, journal), key="w_forgetme_yes")
    c2.button("Cancel", on_click=pg.cancel_forget, args=(state,), key="w_forgetme_no")


# --- the conversation -----------------------------------------------------------
st.title("Flywheel Mentor")
st.caption("Career mentoring grounded in the leadership-principle flywheel. Tell me where you are stuck.")

if state[pg.NOTICE]:
    kind, text = state[pg.NOTICE]
    getattr(st, kind)(pg.safe(text))
    state[pg.NOTICE] = None

for i, turn in enumerate(session.turns):
    with st.chat_message(turn.role):
        st.markdown(pg.safe(turn.text))
        if turn.role == "assistant":
            show_answer_details(i, turn)

question = pg.take_question(state, st.chat_input("Ask about your career, e.g. “I'm stuck in a rut, how do I get out?”",
                                                 max_chars=settings.max_question_chars))
replies = [] if question else pg.quick_replies(session)  # answered this run: the buttons go
if replies:
    cols = st.columns(len(replies))
    for col, text in zip(cols, replies):
        col.button(pg.safe_inline(text), key=f"w_reply_{replies.index(text)}", on_click=pg.on_quick_reply, args=(state, text),
                   width="stretch")
failure = state[pg.FAILURE]
if failure is not None and not question:
    with st.chat_message("user"):
        st.markdown(pg.safe(failure.question))
    with st.chat_message("assistant"):
        show_failure(failure)

if question:
    with st.chat_message("user"):
        st.markdown(pg.safe(question))
    with st.chat_message("assistant"):
        try:
            stream = mentor.stream(question, session)
            turn = pg.answered(state, pg.stream_into(st.empty(), stream))
        except Exception as exc:  # shown as a chat message, never a traceback
            show_failure(pg.failed(state, question, exc))
        except BaseException:  # Streamlit stopped this run (e.g. a new question): keep history consistent
            pg.interrupted(state, question)
            raise
        else:
            show_answer_details(len(session.turns) - 1, turn)

# --- the sidebar (drawn after the turn so it shows the step just diagnosed) ------------
pg.autosave(state, journal)
pg.sync_widgets(state)
with st.sidebar:
    badge, colour, hint = pg.mode_badge(mentor)
    st.badge(badge, color=colour, icon=":material/smart_toy:" if mentor.mode == "llm" else ":material/cloud_off:")
    if hint:
        st.caption(hint)

    show_identity()

    st.graphviz_chart(flywheel_dot(session.step, session.spin), width="stretch")

    st.subheader("Your spin")
    c1, c2 = st.columns([1, 2])
    c1.number_input("Spin", key=pg.W_SPIN, min_value=1, step=1, on_change=pg.on_spin, args=(state,))
    c2.selectbox("Step", pg.STEP_CHOICES, key=pg.W_STEP, format_func=pg.step_option_label,
                 on_change=pg.on_step, args=(state,))

    st.markdown("**What I know about you**")
    facts = pg.known_facts(session)
    if not facts:
        st.caption("Nothing yet: tell me where you are at work, and what I pick up shows here.")
    for key, label, evidence in facts:
        c1, c2 = st.columns([5, 1])
        c1.markdown(f"{pg.safe_inline(label)}  \n_“{pg.safe_inline(evidence)}”_" if evidence else pg.safe_inline(label))
        c2.button("", key=f"w_forget_{key}", icon=":material/close:", help="Not right? Remove it.",
                  on_click=pg.on_forget_fact, args=(state, key))

    st.markdown("**Commitments**")
    if not session.commitments:
        st.caption("None yet: press “Commit to this” under an answer, or add one below.")
    for i, c in enumerate(session.commitments):
        key = pg.commitment_key(i, c)
        st.checkbox(f"{pg.safe_inline(c.text)} _(spin {c.spin})_", key=key, on_change=pg.on_commitment, args=(state, i, key))
    st.text_input("Add a commitment", key=pg.W_NEW_COMMITMENT, placeholder="I will…",
                  on_change=pg.on_new_commitment, args=(state,))
    st.button("Start next spin", icon=":material/autorenew:", on_click=pg.start_next_spin, args=(state,), width="stretch")

    st.divider()
    st.button("New conversation", icon=":material/add_comment:", on_click=pg.new_conversation, args=(state, journal),
              width="stretch", help="Your journey keeps this conversation; a new one starts.")
    st.download_button(
        "Download conversation + journal", data=export_markdown(session), file_name=export_filename(session),
        mime="text/markdown", icon=":material/download:", width="stretch", on_click="ignore",
    )
    show_earlier_conversations()
    show_forget_me()
    if not signed_in:
        st.caption("Local mode: named journeys and feedback are stored in the journal on this machine "
                   f"({journal.backend}).")
