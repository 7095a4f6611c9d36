"""Whether a base URL can be used at all, checked before anything is sent.

One rule for every source of the URL: the first-run dialog, `--base-url`, the
environment and the config file. A URL that cannot name an HTTP server (`notaurl`,
`ftp://…`) is refused at start with what is wrong, instead of being retried as if the
server were down. Stdlib only: the TUI, `process.py` and the client all import it.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def check_base_url(url: str) -> str | None:
    """A message saying what is wrong with `url`, or None when it is usable."""
    url = url.strip()
    if not url:
        return "Enter the gateway's base URL, e.g. https://gateway.example.com/v1"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # a port that is not a number raises here
    except ValueError:
        return "The base URL is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "The base URL must start with http:// or https:// and name a host"
    return None
