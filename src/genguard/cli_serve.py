"""`genguard serve`: the OpenAI-compatible gateway (genguard.server) on uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genguard.cli_common import err, input_file

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", callback=input_file, help="Gateway YAML (see genguard.server.config)."),
]


def serve(
    config: ConfigOpt = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on (config: host; 127.0.0.1).")] = None,
    port: Annotated[
        int | None, typer.Option(min=0, max=65535, help="Port (config: port; 8000; 0 picks a free one).")
    ] = None,
) -> None:
    """Serve the OpenAI-compatible gateway: guarded, watermarked, logged generation."""
    try:
        import uvicorn

        from genguard.server import create_app, load_config
    except ImportError as exc:
        raise typer.BadParameter(
            f"the gateway needs the server extra ({exc.name} is missing): pip install 'genguard[server]'"
        ) from exc
    settings = load_config(config, host=host, port=port)
    app = create_app(settings)
    gateway = app.state.gateway
    info = gateway.describe()
    err.print(
        f"genguard gateway on http://{settings.host}:{settings.port}/v1  "
        f"models: {', '.join(info['models'])}  "
        f"guard profile: {info['profile']}  watermark key: {info['watermark_key_id']}  "
        f"audit log: {info['storage']}  playground: http://{settings.host}:{settings.port}/playground",
        markup=False,
    )
    for line in info.get("notes", []):
        err.print(line, markup=False)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False)
