"""`mentor serve`: run the OpenAI-compatible endpoint with uvicorn."""

from __future__ import annotations

import os
from pathlib import Path

import click

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
# Requests run in parallel threads (and workers); a BLAS pool per call on top of that only
# oversubscribes the cores: on this 2-core machine a query embedding under load took 190 ms
# with OpenBLAS's default threads and 33 ms with one. Set before NumPy is first imported.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (each loads its own Mentor; share PostgreSQL via MENTOR_DATABASE_URL).")
@click.option("--no-auth", is_flag=True, help="Accept requests without a token (only on 127.0.0.1).")
@click.option("--add-token", "add_token_for", metavar="USER",
              help="Make a token for USER, append its hash to MENTOR_API_TOKENS_FILE (or --tokens-file), print it, exit.")
@click.option("--tokens-file", type=click.Path(path_type=Path), default=None,
              help="File of hashed tokens (default: MENTOR_API_TOKENS_FILE).")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve_command(host, port, workers, no_auth, add_token_for, tokens_file, log_level):
    """Serve the mentor as an OpenAI-compatible API (POST /v1/chat/completions, GET /v1/models).

    \b
    Tokens: MENTOR_API_TOKENS="alice:<token>,bob:<token>" or MENTOR_API_TOKENS_FILE
    (lines "<user> sha256:<hex>", made by --add-token). Per-token rate limit:
    MENTOR_API_RATE requests a minute (default 120; 0 = off), MENTOR_API_BURST.
    Health: GET /healthz (alive), GET /readyz (index and database reachable).
    """
    from ..cli import handle_errors

    handle_errors(_serve)(host, port, workers, no_auth, add_token_for, tokens_file, log_level)


def _serve(host, port, workers, no_auth, add_token_for, tokens_file, log_level):
    from ..errors import InputError
    from .auth import add_token

    if tokens_file is not None:
        os.environ["MENTOR_API_TOKENS_FILE"] = str(tokens_file)
    if add_token_for:
        path = tokens_file or (Path(os.environ["MENTOR_API_TOKENS_FILE"]) if os.environ.get("MENTOR_API_TOKENS_FILE")
                               else None)
        if path is None:
            raise InputError("--add-token needs a file: pass --tokens-file PATH or set MENTOR_API_TOKENS_FILE")
        token = add_token(path, add_token_for)
        click.echo(f"token for {add_token_for} (shown once; its hash is in {path}):\n{token}")
        return
    for name in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    if no_auth:
        if host not in LOCAL_HOSTS:
            raise InputError(f"--no-auth only works on 127.0.0.1 (you asked for {host}); set MENTOR_API_TOKENS instead")
        os.environ["MENTOR_API_NO_AUTH"] = "1"

    import uvicorn

    from .app import Runtime, create_app
    from .config import ServerConfig

    config = ServerConfig.from_env()
    Runtime(_settings(), config)  # checks the tokens here, with a clear error, not in each worker
    if workers == 1:
        mentor = _prepare(config.journal)
        click.echo(f"mentor serve: http://{host}:{port}/v1 (model flywheel-mentor, 1 worker, {mentor.mode} mode)",
                   err=True)
        uvicorn.run(create_app(mentor.settings, config, mentor), host=host, port=port, log_level=log_level,
                    access_log=False)
        return
    # Several workers: build the index and migrate the journal once, in a child process, so this
    # parent (which only supervises the workers) never loads the embedding model.
    import multiprocessing

    child = multiprocessing.get_context("spawn").Process(target=_prepare, args=(config.journal,))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise InputError("could not prepare the index and the journal; run `mentor index` to see why")
    click.echo(f"mentor serve: http://{host}:{port}/v1 (model flywheel-mentor, {workers} workers)", err=True)
    uvicorn.run("assistant.server.app:create_app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level=log_level, access_log=False)


def _settings():
    from ..settings import Settings

    return Settings.from_env()


def _prepare(journal: bool):
    """Build the index if it is empty and bring the journal's schema up to date; the Mentor."""
    from ..cli import handle_errors

    return handle_errors(_prepare_mentor)(journal)


def _prepare_mentor(journal: bool):
    from ..journal import Journal
    from ..mentor import Mentor

    mentor = Mentor()
    if mentor.store.count() == 0:  # built once here, not by every worker at the same time
        click.echo(f"building the knowledge index in {mentor.settings.store_dir} (first run)…", err=True)
        mentor.index()
    if journal:
        Journal.from_settings(mentor.settings).ping()
    return mentor
