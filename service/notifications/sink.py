"""A local SMTP sink for `make run`: every message it receives is stored as a .eml file.

    python -m service.notifications.sink --port 8025 --dir var/mail

Nothing is relayed anywhere. Each message is written to <dir>/<time>-<n>.eml (open it with
any mail client) and one line says where, with its recipients and subject.
"""

import argparse
import asyncio
import contextlib
import email
import itertools
import signal
from datetime import UTC, datetime
from email import policy
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session


class MailDirHandler:
    """aiosmtpd handler: store the message, accept it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.counter = itertools.count(1)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or envelope.content
        raw = data if isinstance(data, bytes) else data.encode()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.directory / f"{stamp}-{next(self.counter):04d}.eml"
        path.write_bytes(raw)
        subject = email.message_from_bytes(raw, policy=policy.default).get("Subject", "")
        print(
            f"mail: {path}  to {', '.join(envelope.rcpt_tos)}  «{subject}»",
            flush=True,
        )
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    handler = MailDirHandler(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, enable_SMTPUTF8=True, hostname="wageguard-sink"), host, port
    )
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(
        f"SMTP sink on {host}:{port}; the demo's mail is written to {directory.resolve()}/",
        flush=True,
    )
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m service.notifications.sink", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, default=Path("var/mail"))
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.dir))


if __name__ == "__main__":
    main()
