"""`mentor serve`: the OpenAI-compatible endpoint, driven by the `openai` SDK and LangChain's ChatOpenAI over real HTTP."""

from __future__ import annotations

import hashlib
import json
import time

import httpx
import openai
import pytest
from openai import OpenAI

from assistant import Mentor, Session, Settings
from assistant.journal import Journal, owner_for_api_user
from assistant.server.app import create_app
from assistant.server.auth import RateLimiter, add_token, parse_env_tokens
from assistant.server.config import ServerConfig
from conftest import KNOWLEDGE
from serve_fixtures import InProcessServer, ServeProcess

ALICE = "alice-token-0123456789abcdef"
BOB = "bob-token-0123456789abcdef"
QUESTION = "I'm stuck in a rut at work, how do I get out?"


def settings_for(home, **changes) -> Settings:
    return Settings(home=home, knowledge_dir=KNOWLEDGE, provider="offline", **changes)


@pytest.fixture
def serve(home_copy):
    """Start the app on 127.0.0.1 with the given config; returns its base URL."""
    servers = []

    def start(config: ServerConfig | None = None, settings: Settings | None = None) -> str:
        config = config or ServerConfig(tokens=f"alice:{ALICE},bob:{BOB}")
        server = InProcessServer(create_app(settings or settings_for(home_copy), config))
        servers.append(server)
        return server.__enter__()

    yield start
    for server in servers:
        server.__exit__(None, None, None)
    from assistant.journal import dispose_engines

    dispose_engines()


@pytest.fixture
def url(serve) -> str:
    return serve()


def client(url: str, token: str = ALICE) -> OpenAI:
    return OpenAI(base_url=url + "/v1", api_key=token, max_retries=0, timeout=60)


def expected_answer(shared_mentor, question: str = QUESTION):
    return shared_mentor.ask(question)


# --- the openai SDK -----------------------------------------------------------------------
def test_models_lists_flywheel_mentor(url):
    assert [m.id for m in client(url).models.list()] == ["flywheel-mentor"]


def test_a_completion_is_the_mentors_answer_with_step_action_and_sources(url, shared_mentor):
    completion = client(url).chat.completions.create(model="flywheel-mentor",
                                                     messages=[{"role": "user", "content": QUESTION}])
    expected = expected_answer(shared_mentor)
    assert completion.choices[0].message.content == expected.text
    assert completion.choices[0].finish_reason == "stop" and completion.model == "flywheel-mentor"
    extra = completion.model_extra["mentor"]
    assert extra["step"] == "deliver_results" == expected.step.value
    assert extra["step_label"] == "Deliver Results"
    assert extra["next_action"] == expected.next_action
    assert [s["id"] for s in extra["sources"]] == [s.id for s in expected.sources]
    assert extra["mode"] == "offline" and extra["in_scope"] is True


def test_a_streamed_completion_matches_and_ends_with_the_mentor_event(url, shared_mentor):
    stream = client(url).chat.completions.create(model="flywheel-mentor", stream=True,
                                                 messages=[{"role": "user", "content": QUESTION}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == expected_answer(shared_mentor).text
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 3  # really streamed in pieces
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    final = chunks[-1]
    assert final.choices == []
    assert final.model_extra["mentor"]["step"] == "deliver_results"
    assert final.model_extra["mentor"]["sources"]


def test_the_conversation_comes_from_messages(url, shared_mentor):
    first = client(url).chat.completions.create(model="flywheel-mentor",
                                                messages=[{"role": "user", "content": QUESTION}])
    follow_up = client(url).chat.completions.create(model="flywheel-mentor", messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": [{"type": "text", "text": "and after that?"}]},
    ])
    session = Session()
    shared_mentor.ask(QUESTION, session=session)
    expected = shared_mentor.ask("and after that?", session=session)
    extra = follow_up.model_extra["mentor"]
    assert extra["standalone_question"] == expected.standalone_question and QUESTION in extra["standalone_question"]
    assert extra["step"] == expected.step.value == "deliver_results"  # "and after that?" looks ahead from where they are
    assert follow_up.choices[0].message.content == expected.text


def test_out_of_scope_questions_get_the_redirect(url, shared_mentor):
    completion = client(url).chat.completions.create(
        model="flywheel-mentor", messages=[{"role": "user", "content": "What's a good recipe for lasagna?"}])
    assert completion.model_extra["mentor"]["in_scope"] is False
    assert completion.choices[0].message.content == shared_mentor.ask("What's a good recipe for lasagna?").text


# --- LangChain ---------------------------------------------------------------------------
def test_langchain_chat_openai_invoke_and_stream(url, shared_mentor):
    from langchain_openai import ChatOpenAI

    def chat(token: str):
        return ChatOpenAI(model="flywheel-mentor", base_url=url + "/v1", api_key=token, max_retries=0,
                          use_responses_api=False)

    expected = expected_answer(shared_mentor).text
    assert chat(ALICE).invoke(QUESTION).content == expected
    pieces = [chunk.content for chunk in chat(BOB).stream(QUESTION)]  # bob: a first conversation too
    assert "".join(pieces) == expected and len([p for p in pieces if p]) > 3


# --- auth, limits and errors ----------------------------------------------------------------
def test_a_missing_or_wrong_token_is_401_with_what_to_do(url):
    with pytest.raises(openai.AuthenticationError, match="Incorrect API key"):
        client(url, token="wrong-token-0123456789").models.list()
    response = httpx.get(url + "/v1/models")
    assert response.status_code == 401
    error = response.json()["error"]
    assert "Authorization: Bearer" in error["message"] and error["code"] == "invalid_api_key"


def test_each_token_has_its_own_rate_limit(serve):
    url = serve(ServerConfig(tokens=f"alice:{ALICE},bob:{BOB}", rate_per_minute=2))
    alice = client(url)
    alice.models.list()
    alice.models.list()
    with pytest.raises(openai.RateLimitError, match="Rate limit reached for user alice: 2 requests per minute") as info:
        alice.models.list()
    assert int(info.value.response.headers["retry-after"]) >= 1
    assert info.value.body["code"] == "rate_limit_exceeded"
    client(url, BOB).models.list()  # bob's bucket is his own


def test_rate_limiter_refills_over_time():
    now = [0.0]
    limiter = RateLimiter(60, burst=2, clock=lambda: now[0])
    assert limiter.take("t") == 0 and limiter.take("t") == 0
    assert limiter.take("t") == pytest.approx(1.0)
    now[0] = 1.0
    assert limiter.take("t") == 0


@pytest.mark.parametrize("body, message", [
    ({"model": "flywheel-mentor", "messages": []}, "at least 1 item"),
    ({"model": "flywheel-mentor", "messages": [{"role": "assistant", "content": "hi"}]}, "last message must be the user"),
    ({"model": "flywheel-mentor", "messages": [{"role": "user", "content": "   "}]}, "the question is empty"),
    ({"model": "flywheel-mentor", "messages": [{"role": "user", "content": "x " * 5000}]}, "the limit is 8,000"),
    ({"model": "flywheel-mentor", "messages": [{"role": "tool", "content": "x"}, {"role": "user", "content": "q"}]},
     "use system, user or assistant"),
    ({"model": "flywheel-mentor", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
     "reads text only"),
    ({"messages": [{"role": "user", "content": "q"}]}, "model: Field required"),
])
def test_bad_requests_are_400_with_a_clear_message(url, body, message):
    response = httpx.post(url + "/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {ALICE}"},
                          timeout=30)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert message in error["message"] and error["type"] == "invalid_request_error"


def test_bad_requests_through_the_sdk_raise_bad_request(url):
    with pytest.raises(openai.BadRequestError, match="the question is empty"):
        client(url).chat.completions.create(model="flywheel-mentor", messages=[{"role": "user", "content": ""}])


def test_a_body_that_is_not_json_is_400(url):
    response = httpx.post(url + "/v1/chat/completions", content=b"{not json",
                          headers={"Authorization": f"Bearer {ALICE}", "Content-Type": "application/json"})
    assert response.status_code == 400 and "JSON object" in response.json()["error"]["message"]


def test_an_unknown_model_is_404_model_not_found(url):
    with pytest.raises(openai.NotFoundError, match="flywheel-mentor"):
        client(url).chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])


def test_an_unknown_path_is_an_openai_shaped_404(url):
    response = httpx.get(url + "/v1/nothing", headers={"Authorization": f"Bearer {ALICE}"})
    assert response.status_code == 404 and "/v1/chat/completions" in response.json()["error"]["message"]


# --- tokens ---------------------------------------------------------------------------------
def test_hashed_token_file_maps_tokens_to_users(serve, tmp_path):
    path = tmp_path / "tokens"
    token = add_token(path, "carol")
    assert token not in path.read_text() and hashlib.sha256(token.encode()).hexdigest() in path.read_text()
    url = serve(ServerConfig(tokens_file=path))
    assert client(url, token).models.list().data[0].id == "flywheel-mentor"
    with pytest.raises(openai.AuthenticationError):
        client(url, ALICE).models.list()


@pytest.mark.parametrize("raw, message", [("alice", "not user:token"), ("alice:short", "shorter than 16"),
                                          ("al ice:0123456789abcdefghij", "user id")])
def test_bad_token_settings_are_refused_with_a_clear_message(raw, message):
    with pytest.raises(Exception, match=message):
        parse_env_tokens(raw)


# --- journeys, health ---------------------------------------------------------------------------
def test_each_api_user_keeps_a_journey_of_their_own(serve, home_copy):
    url = serve()
    client(url).chat.completions.create(model="flywheel-mentor", messages=[{"role": "user", "content": QUESTION}])
    client(url).chat.completions.create(model="flywheel-mentor", user="dana",
                                        messages=[{"role": "user", "content": "My bet failed, should I pull the plug?"}])
    journal = Journal(home_copy / "journal.sqlite3")
    alice = journal.open(owner_for_api_user("alice"), create=False)[1]
    assert [t.text for t in alice.turns if t.role == "user"] == [QUESTION]
    assert alice.step.value == "deliver_results"
    dana = journal.open(owner_for_api_user("alice/dana"), create=False)[1]
    assert [t.text for t in dana.turns if t.role == "user"] == ["My bet failed, should I pull the plug?"]
    assert journal.open(owner_for_api_user("bob"), create=False) is None


def test_health_and_readiness(url):
    assert httpx.get(url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(url + "/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["index"]["chunks"] > 0 and ready.json()["checks"]["database"]["ok"] is True


def test_not_ready_while_the_database_is_down(serve, home_copy):
    from pg_server import MISSING_REASON, PostgresServer, pg_bin_dir

    if pg_bin_dir() is None:
        pytest.skip(MISSING_REASON)
    database = PostgresServer().start()
    try:
        url = serve(settings=settings_for(home_copy, database_url=database.url()))
        assert httpx.get(url + "/readyz").json()["checks"]["database"] == {"ok": True, "backend": "postgresql"}
        database._run("pg_ctl", "-D", str(database.data), "-m", "immediate", "-w", "stop")
        database.started = False
        ready = httpx.get(url + "/readyz", timeout=60)
        assert ready.status_code == 503 and ready.json()["status"] == "not ready"
        assert ready.json()["checks"]["database"] == {"ok": False, "backend": "postgresql"}
        assert ready.json()["checks"]["index"]["ok"] is True
    finally:
        database.stop()


def test_serve_with_postgresql_records_turns_there(serve, home_copy, postgres_url):
    url = serve(settings=settings_for(home_copy, database_url=postgres_url))
    client(url).chat.completions.create(model="flywheel-mentor", messages=[{"role": "user", "content": QUESTION}])
    counts = Journal(postgres_url).counts()
    assert counts["journeys"] == 1 and counts["turns"] == 2
    assert not (home_copy / "journal.sqlite3").exists()


# --- the real command ---------------------------------------------------------------------------
def test_mentor_serve_refuses_to_start_without_tokens(home_copy):
    import subprocess
    import sys

    env = {"MENTOR_HOME": str(home_copy), "MENTOR_API_TOKENS": ""}
    run = subprocess.run([sys.executable, "-m", "assistant", "serve", "--port", "1"], capture_output=True, text=True,
                         env={**__import__("os").environ, **env}, timeout=120)
    assert run.returncode == 2 and run.stderr.startswith("error: no API tokens") and "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "assistant", "serve", "--no-auth", "--host", "0.0.0.0"],
                         capture_output=True, text=True, env={**__import__("os").environ, **env}, timeout=120)
    assert run.returncode == 2 and "--no-auth only works on 127.0.0.1" in run.stderr


def test_two_workers_share_one_postgresql(home_copy, postgres_url, tmp_path):
    """`mentor serve --workers 2`: every answer arrives and every turn lands in the shared database."""
    from concurrent.futures import ThreadPoolExecutor

    env = {"MENTOR_HOME": str(home_copy), "MENTOR_DATABASE_URL": postgres_url, "MENTOR_API_TOKENS": f"alice:{ALICE}"}
    with ServeProcess(env, "--workers", "2", log_path=tmp_path / "serve.log") as server:
        # /readyz answered once means one worker is up; wait (bounded) until the other answers too.
        seen, deadline = set(), time.monotonic() + 60
        while len(seen) < 2 and time.monotonic() < deadline:
            seen.add(httpx.get(server.url + "/readyz", timeout=10).headers["x-mentor-worker"])  # a new connection each
        assert len(seen) == 2, "the second worker never became ready"

        def ask(n: int) -> tuple[str, str]:
            api = client(server.url)  # its own connection: a shared pool could keep every request on one worker
            raw = api.chat.completions.with_raw_response.create(
                model="flywheel-mentor", user=f"user{n}", messages=[{"role": "user", "content": QUESTION}])
            return raw.parse().model_extra["mentor"]["step"], raw.headers["x-mentor-worker"]

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(ask, range(24)))
    assert [step for step, _ in results] == ["deliver_results"] * 24
    assert len({worker for _, worker in results}) == 2  # both worker processes answered
    counts = Journal(postgres_url).counts()
    assert counts["journeys"] == 24 and counts["turns"] == 48


def test_offline_answers_take_turns_in_a_bounded_number_of_slots(home_copy, monkeypatch):
    """Offline answers are CPU work under one GIL: at most `answer_slots` run at once per
    worker and the rest queue in order (benchmarks/serve_load.py shows the tail it removes)."""
    import threading
    import time

    from assistant.server.app import Runtime

    monkeypatch.setenv("MENTOR_SERVE_ANSWER_SLOTS", "2")
    config = ServerConfig.from_env(tokens=f"alice:{ALICE}")
    assert config.answer_slots == 2
    runtime = Runtime(settings_for(home_copy), config)
    inside, peak, lock = 0, 0, threading.Lock()

    def answer():
        nonlocal inside, peak
        with runtime.answer_slot():
            with lock:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.05)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=answer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert peak == 2


def test_model_backed_answers_are_not_held_to_the_slots(home_copy):
    from assistant.server.app import Runtime

    settings = Settings(home=home_copy, knowledge_dir=KNOWLEDGE, provider="openai",
                        base_url="http://127.0.0.1:9/v1", api_key="sk-x")
    runtime = Runtime(settings, ServerConfig(tokens=f"alice:{ALICE}", answer_slots=1))
    with runtime.answer_slot(), runtime.answer_slot():  # would deadlock if it were the semaphore
        pass
