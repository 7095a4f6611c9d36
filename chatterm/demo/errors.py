"""Error replies in the gateway's shape: `{"error": {"message", "type", "param", "code"}}`.

Request handlers raise `GatewayError`; the server turns it into the HTTP reply, so a
handler never writes an error body itself. `html` replaces the JSON body with an HTML page
(what a proxy in front of a real gateway sends on 502).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(slots=True)
class GatewayError(Exception):
    status: int
    message: str
    type: str = "invalid_request_error"
    code: str | None = None
    param: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    html: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.message}"

    def payload(self) -> dict[str, object]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def body(self) -> tuple[bytes, str]:
        """(body bytes, content type)."""
        if self.html is not None:
            return self.html.encode(), "text/html; charset=utf-8"
        return json.dumps(self.payload()).encode(), "application/json"


def bad_request(message: str, param: str | None = None, code: str | None = None) -> GatewayError:
    return GatewayError(400, message, "invalid_request_error", code, param)


PROXY_502_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
