"""`python -m examples.uvicorn_workers FACTORY --port N --workers N`: uvicorn's `--workers`,
with TCP_NODELAY on every connection.

uvicorn (0.54 and earlier) binds the listening socket it hands to its worker processes without
`proto=IPPROTO_TCP`. asyncio turns TCP_NODELAY on only for sockets that report that protocol,
so under `--workers` Nagle's algorithm stays on: a response's body (a second small write after
its headers) waits for the client's delayed ACK, and every keep-alive request after the first
costs about 40 ms on Linux (Kludex/uvicorn#3149). A single uvicorn process is not affected
(asyncio binds that socket itself). This launcher binds the same socket, marked as TCP, and
runs uvicorn's own multi-process supervisor with it; docs/benchmarks.md shows the difference.
"""

from __future__ import annotations

import argparse
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


class TcpConfig(uvicorn.Config):
    """`uvicorn.Config` whose bound socket says it is TCP (so asyncio sets TCP_NODELAY)."""

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            family = sock.family
            sock = socket.socket(
                family, socket.SOCK_STREAM, socket.IPPROTO_TCP, fileno=sock.detach()
            )
            sock.set_inheritable(True)
        return sock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("factory", help="module:function returning the ASGI app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    config = TcpConfig(
        args.factory,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
    )
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
