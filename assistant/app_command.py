"""`mentor app`: start the Streamlit chat page (`streamlit run app.py`) on this machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click


def app_path() -> Path:
    """The page script: the copy shipped in the package (`assistant/page_files/app.py` in a
    wheel), else `app.py` at the top of the checkout (an editable install)."""
    from importlib.resources import files

    shipped = files("assistant") / "page_files" / "app.py"
    if isinstance(shipped, Path) and shipped.is_file():
        return shipped
    return Path(__file__).resolve().parent.parent / "app.py"


def streamlit_argv(path: Path, host: str, port: int, headless: bool, extra: tuple[str, ...] = ()) -> list[str]:
    argv = [sys.executable, "-m", "streamlit", "run", str(path), "--server.address", host,
            "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    if headless:
        argv += ["--server.headless", "true"]
    return argv + list(extra)


@click.command(context_settings={"ignore_unknown_options": True})
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The page is single-user: keep it on localhost unless you mean to share it.")
@click.option("--port", default=8501, show_default=True, type=int)
@click.option("--headless/--browser", default=False, help="Don't open a browser tab.")
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED)
def app_command(host: str, port: int, headless: bool, streamlit_args: tuple[str, ...]) -> None:
    """Open the chat page in your browser (runs `streamlit run app.py`).

    Extra arguments go to `streamlit run`, e.g. `mentor app -- --theme.base dark`.
    """
    import importlib.util

    if importlib.util.find_spec("streamlit") is None:
        click.echo("error: the chat page needs Streamlit: pip install 'flywheel-mentor[app]'", err=True)
        sys.exit(2)
    path = app_path()
    if not path.is_file():
        click.echo(f"error: the page script {path} is missing; reinstall flywheel-mentor, or run "
                   "`streamlit run app.py` in a checkout", err=True)
        sys.exit(2)
    try:
        code = subprocess.call(streamlit_argv(path, host, port, headless, streamlit_args))
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
