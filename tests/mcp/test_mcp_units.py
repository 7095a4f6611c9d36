"""Names, schemas, results and the server table: what a user or a provider would see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatterm.config import ConfigError, load_config
from chatterm.mcp.naming import tool_name
from chatterm.mcp.results import outcome_of
from chatterm.mcp.schema_clean import clean_schema
from chatterm.mcp.stdio_transport import child_environment
from chatterm.mcp_servers import McpConfigError, expand, load_mcp_file, specs_from


def test_tool_names_are_server_prefixed_and_fit_64_characters() -> None:
    assert tool_name("time", "get_current_time") == "time__get_current_time"
    long_a, long_b = tool_name("s" * 30, "t" * 40 + "a"), tool_name("s" * 30, "t" * 40 + "b")
    assert len(long_a) == len(long_b) == 64 and long_a != long_b
    assert tool_name("s" * 30, "t" * 40 + "a") == long_a  # the same tool, the same name every run
    dotted, underscored = tool_name("fs", "read.file"), tool_name("fs", "read_file")
    assert dotted != underscored and dotted.startswith("fs__read_file_")


def test_schema_loses_keywords_providers_refuse_and_inlines_refs() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "$defs": {"Unit": {"type": "string", "enum": ["c", "f"], "default": "c"}},
        "properties": {
            "city": {"type": "string", "title": "City", "examples": ["Oslo"]},
            "unit": {"$ref": "#/$defs/Unit"},
        },
        "required": ["city", "ghost"],
    }
    assert clean_schema(schema) == {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]}},
        "required": ["city"],
    }
    assert clean_schema(None) == {"type": "object", "properties": {}}


def test_results_become_text_and_errors_are_flagged() -> None:
    image = {"type": "image", "data": "aGVsbG8=", "mimeType": "image/png"}
    link = {"type": "resource_link", "uri": "file:///notes.md", "name": "notes.md"}
    outcome = outcome_of({"content": [{"type": "text", "text": "two things"}, image, link]})
    assert outcome.text == "two things\n[image: image/png, 5 bytes]\n[resource: notes.md file:///notes.md]"
    assert not outcome.is_error
    assert outcome_of({"content": [], "structuredContent": {"c": 21}}).text == '{\n  "c": 21\n}'
    assert outcome_of({"content": [{"type": "text", "text": "no"}], "isError": True}).is_error


def test_config_table_is_checked_naming_the_server_and_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[mcp.servers.time]\ncommand = "mcp-server-time"\nargs = ["--local-timezone", 1]\n')
    with pytest.raises(ConfigError, match=r"mcp.servers: server 'time': args must be a list of strings"):
        load_config(path)
    path.write_text('[mcp.servers.both]\ncommand = "x"\nurl = "http://127.0.0.1:1/mcp"\n')
    with pytest.raises(ConfigError, match="needs exactly one of command"):
        load_config(path)
    path.write_text(
        '[mcp.servers.time]\ncommand = "mcp-server-time"\nenv = { TZ = "UTC" }\n'
        '[mcp.servers.notes]\nurl = "http://127.0.0.1:8765/mcp"\nheaders = { Authorization = "Bearer ${NOTES_TOKEN}" }\n'
    )
    config = load_config(path)
    assert config.warnings == []
    time, notes = specs_from(config.mcp_servers)
    assert (time.transport, time.command, dict(time.env)) == ("stdio", "mcp-server-time", {"TZ": "UTC"})
    assert (notes.transport, notes.url) == ("http", "http://127.0.0.1:8765/mcp")
    assert expand(notes.headers["Authorization"], {"NOTES_TOKEN": "t0k"}) == "Bearer t0k"
    with pytest.raises(McpConfigError, match=r"\$\{NOTES_TOKEN\} is not set"):
        expand(notes.headers["Authorization"], {})


def test_claude_desktop_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "claude_desktop_config.json"
    path.write_text(json.dumps({"mcpServers": {"time": {"command": "uvx", "args": ["mcp-server-time"]}}}))
    assert load_mcp_file(path) == {"time": {"command": "uvx", "args": ["mcp-server-time"]}}
    path.write_text(json.dumps({"mcpServers": {"time": {"args": []}}}))
    with pytest.raises(McpConfigError, match=r"claude_desktop_config.json: server 'time' needs exactly one"):
        load_mcp_file(path)
    path.write_text("{not json")
    with pytest.raises(McpConfigError, match="not valid JSON"):
        load_mcp_file(path)


def test_a_server_gets_only_its_env_plus_path_and_home() -> None:
    parent = {"PATH": "/bin", "HOME": "/home/u", "CHATTERM_API_KEY": "sk-secret", "OPENAI_API_KEY": "sk-2"}
    assert child_environment({"TZ": "UTC"}, parent) == {"PATH": "/bin", "HOME": "/home/u", "TZ": "UTC"}
