"""``arrears serve``: the web app and, beside it, the dispatcher sending what falls due."""

from __future__ import annotations

import threading

import typer

from arrears.entrypoints.bootstrap import App
from arrears.entrypoints.cli.output import app_of, console


def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Default: settings web.host."),
    port: int | None = typer.Option(None, "--port", help="Default: settings web.port."),
    dispatch: bool | None = typer.Option(
        None,
        "--dispatch/--no-dispatch",
        help="Send due messages while serving (default: settings web.run_dispatcher).",
    ),
) -> None:
    """Serve the web app: agent desk, field and legal queues, manager dashboard,
    compliance view, borrower portal and the API under /api/v1."""
    import uvicorn

    from arrears.entrypoints.web.app import create_app

    application = app_of(ctx)
    web = application.settings.web
    stop = threading.Event()
    if web.run_dispatcher if dispatch is None else dispatch:
        threading.Thread(target=_dispatch, args=(application, stop), daemon=True).start()
    where = f"http://{host or web.host}:{port or web.port}"
    console.print(f"serving on {where}; Ctrl-C to stop", highlight=False)
    try:
        uvicorn.run(create_app(application), host=host or web.host, port=port or web.port,
                    log_level="warning")  # fmt: skip
    finally:
        stop.set()


def _dispatch(application: App, stop: threading.Event) -> None:
    """Send what falls due every poll interval until the server stops."""
    from arrears.entrypoints.channels import build_dispatcher

    dispatcher = build_dispatcher(application)
    try:
        while not stop.is_set():
            dispatcher.run_once()
            stop.wait(application.settings.dispatch.poll_seconds)
    finally:
        for adapter in dispatcher.adapters.values():
            adapter.close()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
