"""Pluggable SMS senders: one protocol, a provider chosen by name from the settings.

- `sink`: every message becomes a JSON file in a directory (like the demo's mail sink,
  service/notifications/sink.py), for the demo and the tests. Nothing leaves the machine.
- `disabled`: refuses to send, so the caller records that the worker was not told by SMS.

A real provider is one more class with `send(to, text)` and an entry in PROVIDERS. Mainland
gateways accept only pre-approved templates with a registered signature (短信签名), so such a
class maps the text to its template; the protocol stays the same.

Numbers are masked in every log line and the text is never logged: both say who complained.
"""

import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from service import clock
from service.sms.phones import is_mobile, mask_phone

log = logging.getLogger(__name__)

# Long messages are split by the network: 70 UCS-2 characters in one SMS, 67 per part once
# split (3GPP TS 23.040 §9.2.3.24.1 takes 6 bytes per part for the concatenation header).
MAX_TEXT_CHARS = 335  # 5 parts: a case update and a link, never a letter
SINGLE_SMS_CHARS, PART_CHARS = 70, 67


class SmsNotSent(Exception):
    """The message was not sent; `code` names why (a catalogue key)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SentSms:
    """What the provider said: which provider, and its id for the message (for the record)."""

    provider: str
    message_id: str
    parts: int


class SmsSender(Protocol):
    name: str

    def send(self, to: str, text: str) -> SentSms:
        """Send `text` to the mobile number `to`; raises SmsNotSent."""
        ...


def parts(text: str) -> int:
    """How many SMS the network sends for `text` (Chinese text is UCS-2 encoded)."""
    if len(text) <= SINGLE_SMS_CHARS:
        return 1
    return -(-len(text) // PART_CHARS)


def _checked(to: str, text: str) -> str:
    if not is_mobile(to):
        raise SmsNotSent("not_a_mobile")
    text = text.strip()
    if not text:
        raise SmsNotSent("empty")
    if len(text) > MAX_TEXT_CHARS:
        raise SmsNotSent("too_long")
    return text


class SinkSender:
    """Writes each message to <directory>/<UTC time>-<id>.json: to, text, sent_at, parts."""

    name = "sink"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, to: str, text: str) -> SentSms:
        text = _checked(to, text)
        message_id = uuid.uuid4().hex
        sent_at = clock.utc_now()
        record = {"to": to, "text": text, "sent_at": sent_at.isoformat(), "parts": parts(text)}
        path = self.directory / f"{sent_at:%Y%m%dT%H%M%S%f}-{message_id}.json"
        self._write(path, json.dumps(record, ensure_ascii=False, indent=2).encode())
        log.info("sms: %s to %s, %d part(s)", path.name, mask_phone(to), record["parts"])
        return SentSms(self.name, message_id, record["parts"])

    def _write(self, path: Path, data: bytes) -> None:
        """Whole or not at all: a reader never sees half a message."""
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        with partial.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        partial.rename(path)


class DisabledSender:
    """No provider configured: nothing is sent, and the caller is told so."""

    name = "disabled"

    def send(self, to: str, text: str) -> SentSms:
        _checked(to, text)
        log.info("sms: not sent to %s, no SMS provider is configured", mask_phone(to))
        raise SmsNotSent("disabled")


PROVIDERS = ("sink", "disabled")


def sms_sender(provider: str, *, sink_dir: Path | None = None) -> SmsSender:
    """The sender a setting names; ValueError for an unknown name or a sink without a folder."""
    if provider == "sink":
        if sink_dir is None:
            raise ValueError("the SMS sink needs a folder (sink_dir)")
        return SinkSender(sink_dir)
    if provider == "disabled":
        return DisabledSender()
    raise ValueError(f"unknown SMS provider {provider!r}; known: {', '.join(PROVIDERS)}")


def read_sink(directory: Path) -> list[dict[str, object]]:
    """The messages a sink holds, oldest first (for the demo and the tests)."""
    return [json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))]
