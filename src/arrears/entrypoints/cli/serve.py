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
    application = app_of(ctx)
    web = application.settings.web
    run_server(application, host or web.host, port or web.port,
               web.run_dispatcher if dispatch is None else dispatch)  # fmt: skip


def run_server(application: App, host: str, port: int, dispatch: bool) -> None:
    """Serve until interrupted, with the dispatcher in a thread beside the app if asked."""
    import uvicorn

    from arrears.entrypoints.web.app import create_app
    from arrears.entrypoints.web.pages.dashboard import DEFAULT

    stop = threading.Event()
    if dispatch:
        threading.Thread(target=_dispatch, args=(application, stop), daemon=True).start()
    console.print(f"serving on http://{host}:{port}; Ctrl-C to stop", highlight=False)
    web = create_app(application)
    web.state.dashboards.refresh(DEFAULT)  # the dashboard's figures, ready for the first manager
    try:
        uvicorn.run(web, host=host, port=port, log_level="warning")
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
