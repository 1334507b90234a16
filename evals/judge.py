"""LLM-as-judge metrics for LLM mode: a small judge prompt, JSON out.

Five criteria, each 1-5 and scaled to [0, 1] with (score - 1) / 4:
faithfulness (supported by the cited passages), relevance (answers the
question), and a mentoring rubric: actionable, on_the_wheel, kind.

The judge is `langchain_openai.ChatOpenAI` against the configured OpenAI or
OpenAI-compatible server (`use_responses_api=False`; a dummy key when only a
base URL is set). Judge scores never gate CI.
"""

from __future__ import annotations

import json
import re

CRITERIA = ("faithfulness", "relevance", "actionable", "on_the_wheel", "kind")
MAX_SOURCE_CHARS = 900

SYSTEM = """You grade answers from a career mentor for software engineers. The mentor must ground its advice in
the career growth flywheel: Deliver Results -> Earn Trust -> Ownership and Think Big -> Invent and Simplify ->
Bias for Action -> Are Right a Lot (then around again with bigger scope), with Customer Obsession as the accelerant.

Score the ANSWER on five criteria, each an integer from 1 (very poor) to 5 (excellent):
- faithfulness: every claim is supported by the numbered SOURCES it cites; nothing is invented.
- relevance: it answers what the mentee actually asked.
- actionable: it gives a concrete next step the mentee can take soon (for a factual question, a clear answer counts).
- on_the_wheel: it places the mentee's situation on the right flywheel step (or, for a factual question,
  explains the flywheel correctly).
- kind: the tone is respectful, encouraging and honest, never condescending.

Reply with ONLY a JSON object, no prose and no code fence, exactly like:
{"faithfulness": 4, "relevance": 5, "actionable": 3, "on_the_wheel": 4, "kind": 5, "reason": "one short sentence"}"""

USER = """CONVERSATION (the last message is the one answered):
{conversation}

SOURCES:
{sources}

ANSWER:
{answer}"""


class JudgeOutputError(ValueError):
    """The judge model's reply was not the JSON object the prompt asks for."""


def parse_judge_output(text: str) -> dict:
    """Parse and validate the judge's reply: {criterion: int 1-5, ..., "reason": str}.

    Tolerates a ```json fence around the object. Raises JudgeOutputError saying what was
    wrong and showing the start of the reply."""
    raw = (text or "").strip()
    shown = raw[:200] + ("…" if len(raw) > 200 else "")
    fenced = re.match(r"^```(?:json)?\s*(.*?)\s*```$", raw, re.DOTALL)
    body = fenced.group(1) if fenced else raw
    if not body.startswith("{"):
        found = re.search(r"\{.*\}", body, re.DOTALL)
        body = found.group(0) if found else body
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise JudgeOutputError(f"the judge's reply is not JSON ({exc.msg}); it started with: {shown!r}") from None
    if not isinstance(data, dict):
        raise JudgeOutputError(f"the judge's reply is JSON but not an object; it started with: {shown!r}")
    missing = [c for c in CRITERIA if c not in data]
    if missing:
        raise JudgeOutputError(f"the judge's reply has no {', '.join(missing)}; it started with: {shown!r}")
    scores = {}
    for c in CRITERIA:
        value = data[c]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 5:
            raise JudgeOutputError(f"the judge gave {c}={value!r}, not a number from 1 to 5; reply: {shown!r}")
        scores[c] = float(value)
    return {"raw": scores, "reason": str(data.get("reason", ""))[:500]}


def scale(score: float) -> float:
    """1-5 -> [0, 1]."""
    return round((score - 1.0) / 4.0, 4)


def build_judge_llm(settings, model: str | None = None):
    from assistant.llm import build_chat_model

    return build_chat_model(
        settings,
        model=model or settings.model,
        api_key=settings.api_key or "sk-local",  # local OpenAI-compatible servers accept any key
        temperature=0,
        max_retries=settings.max_retries,  # one short non-streamed call: the client's retries are fine
    )


class Judge:
    def __init__(self, settings=None, *, model: str | None = None, llm=None, attempts: int = 2) -> None:
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate

        if llm is None:
            llm = build_judge_llm(settings, model)
        self.model = model or getattr(llm, "model_name", None) or (settings.model if settings else None)
        system = SYSTEM.replace("{", "{{").replace("}", "}}")  # literal JSON example, not template variables
        prompt = ChatPromptTemplate.from_messages([("system", system), ("human", USER)])
        self.chain = prompt | llm | StrOutputParser()
        self.attempts = max(1, attempts)

    @staticmethod
    def inputs(case, answer) -> dict:
        conversation = "\n".join(f"mentee: {t}" for t in case.turns)
        sources = "\n\n".join(
            f"[{i}] ({s.kind}: {s.section or s.title}) {s.text[:MAX_SOURCE_CHARS]}" for i, s in enumerate(answer.sources, 1)
        ) or "(none)"
        return {"conversation": conversation, "sources": sources, "answer": answer.text}

    def judge_case(self, case, answer) -> dict:
        """{"scores": {criterion: 0..1}, "raw": {criterion: 1..5}, "reason": str} or {"error": str}.

        A malformed reply is retried once; if it is still malformed the case records the
        error (the run continues). Provider failures propagate."""
        error = None
        for _ in range(self.attempts):
            try:
                text = self.chain.invoke(self.inputs(case, answer))
            except Exception as exc:  # the provider library's own errors
                from assistant.errors import ProviderError

                raise ProviderError(f"the judge model call failed ({type(exc).__name__}: {str(exc)[:200]})") from exc
            try:
                parsed = parse_judge_output(text)
            except JudgeOutputError as exc:
                error = str(exc)
                continue
            return {"scores": {c: scale(v) for c, v in parsed["raw"].items()}, "raw": parsed["raw"],
                    "reason": parsed["reason"]}
        return {"error": error}
