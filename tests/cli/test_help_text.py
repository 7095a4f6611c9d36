"""`chatterm --help` and `chatterm ask --help` as a newcomer reads them: the README
sends them to `--help` to find the config file, and every `ask` option says what it does."""

from __future__ import annotations

from pathlib import Path

from tests.cli.runner import chatterm


def test_help_names_the_config_file_and_history_it_would_use(tmp_path: Path) -> None:
    config, history = tmp_path / "my.toml", tmp_path / "chats.db"
    run = chatterm("--help", env={"CHATTERM_CONFIG": str(config), "CHATTERM_HISTORY": str(history)})
    assert run.code == 0
    assert f"Config file: {config}" in run.out and str(history) in run.out


def test_the_sampling_and_endpoint_options_of_ask_say_what_they_do() -> None:
    run = chatterm("ask", "--help")
    assert run.code == 0
    for words in ("sampling temperature", "nucleus sampling", "length in tokens", "by model family"):
        assert words in run.out, words
