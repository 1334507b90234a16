"""The dialogue manager: the offline mentor that listens, remembers and moves with the mentee.

A turn goes through four stages, one module each:

* `understanding` — what the message *does* (a move: a new situation, progress, an
  objection, an outcome, "what's next", an answer to our question, a factual
  question, thanks) and what it tells us about the mentee (profile facts, their own
  key phrases). Patterns first, embedding similarity to exemplars second.
* `profile` — the mentee's profile: the facts kept across turns (shown and editable
  on the page, saved with the journey) and what the mentor already said.
* `placement` — where the mentee is on the wheel, from the facts and the flywheel's
  transitions, with topic similarity (`assistant.diagnosis`) as the prior; it asks a
  clarifying question when the top two steps are close.
* `composer` — the mentor's voice: answers each move on purpose from the content in
  knowledge/flywheel.md, quoting the article's sentences by meaning (`sentences`),
  never repeating an opener, an action or a quote within a session. A mentee's own question
  is answered first: a narrow `direct_answers` pattern, or the `answers` bank's written answer
  chosen by meaning for their step and role.

The LLM path (`assistant.llm`) receives the same state.
"""
