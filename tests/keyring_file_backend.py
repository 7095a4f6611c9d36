"""A keyring backend that keeps passwords in a JSON file, for the key tests.

Selected in a chatterm subprocess with
`PYTHON_KEYRING_BACKEND=tests.keyring_file_backend.FileKeyring` and the file named by
`CHATTERM_TEST_KEYRING` (the test's tmp_path), so the tests exercise the real `keyring`
API end to end without touching the machine's own keyring. `NoBackend` is keyring's
own failing backend, as found on a headless Linux."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as NoBackend

__all__ = ["FileKeyring", "NoBackend"]


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def _path(self) -> Path:
        return Path(os.environ["CHATTERM_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        try:
            return dict(json.loads(self._path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._path.write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        data.pop(f"{service}/{username}", None)
        self._path.write_text(json.dumps(data), encoding="utf-8")
