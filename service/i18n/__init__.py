"""The translation catalogue (zh-CN, en): every user-facing text of the pages and e-mails.

The language is the user's choice (the `lang` cookie, set by ?lang=), else the signed-in
user's locale, else the browser's Accept-Language; Chinese when nothing says otherwise.
"""

import json
from functools import cache
from pathlib import Path

from starlette.requests import Request

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
LANGUAGE_COOKIE = "wg_lang"
CATALOGUE_DIR = Path(__file__).resolve().parent


@cache
def catalogue(language: str) -> dict[str, str]:
    """All of a language's messages: `<language>.json` plus one file per portal,
    `<portal>.<language>.json`; a key defined twice is an error."""
    merged: dict[str, str] = {}
    for path in sorted(CATALOGUE_DIR.glob(f"*{language}.json")):
        messages = json.loads(path.read_text(encoding="utf-8"))
        repeated = merged.keys() & messages.keys()
        if repeated:
            raise ValueError(f"{path.name} repeats keys: {sorted(repeated)}")
        merged |= messages
    return merged


def translate(language: str, key: str, **values: object) -> str:
    """The text for `key`; a missing key shows itself (and a test catches it)."""
    text = catalogue(language).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**values) if values else text


def language_of(request: Request, user_locale: str | None = None) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if asked in LANGUAGES:
        return asked
    if user_locale in LANGUAGES:
        return user_locale
    return _from_accept_language(request.headers.get("accept-language", ""))


def _from_accept_language(header: str) -> str:
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE
