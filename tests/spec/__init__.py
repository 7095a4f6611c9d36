"""OpenAI's wire-format JSON Schemas, vendored so the suite reads nothing outside the repository.

See README.md here for their source, licence and the mechanical edits made to them. A missing
file is a broken checkout, so loading fails loudly instead of skipping.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SPEC_DIR = Path(__file__).resolve().parent


@cache
def schema(name: str) -> dict[str, Any]:
    """The schema `name` (with or without `.schema.json`)."""
    file = name if name.endswith(".json") else f"{name}.schema.json"
    return json.loads((SPEC_DIR / file).read_text(encoding="utf-8"))


@cache
def validator(name: str) -> Any:
    """A Draft 2020-12 validator for the schema `name`."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema(name))
