"""The rush's server: both sides' app (bench.rush_plain) served exactly as `salon serve`
serves Salon (server/serving.py), in one process or in several on one port.

    python -m bench.rush_serve --host 127.0.0.1 --port 8123 --workers 2
"""

from __future__ import annotations

import argparse

from server.serving import serve, uvicorn_config
from server.settings import Settings

APP_FACTORY = "bench.rush_plain:create_rush_app"


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.rush_serve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    settings = Settings.from_env()
    config = uvicorn_config(APP_FACTORY, settings, host=args.host, port=args.port)
    serve(config, args.workers, log_level="WARNING")


if __name__ == "__main__":
    main()
