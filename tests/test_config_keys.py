"""`[keys]` in config.toml: action names checked against the app's key table, keys
checked for syntax, each problem naming the file, the line and the action."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatterm.config import ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_keys_are_read_by_action_name(tmp_path: Path) -> None:
    path = write(tmp_path, '[keys]\ntoggle_thinking = "alt+t,f3"\nmessage_copy = "y"\n')
    config = load_config(path)
    assert config.keys == {"toggle_thinking": "alt+t,f3", "message_copy": "y"}
    assert config.warnings == []


def test_an_unknown_action_is_a_warning_naming_the_closest(tmp_path: Path) -> None:
    path = write(tmp_path, 'model = "x"\n[keys]\ntoggle_thinkin = "alt+t"\n')
    config = load_config(path)
    assert config.keys == {}
    [warning] = config.warnings
    assert f"{path}, line 3" in warning and "'toggle_thinkin'" in warning and "'toggle_thinking'" in warning


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ('"ctl+t"', "'ctl' is not a modifier"),
        ('"ctrl+"', "no key after"),
        ('"ctrl+T"', "lower case"),
        ('"t"', "would take a letter typed into the prompt"),
        ("3", "must be a string of keys"),
        ('"ctrl+no such"', "is not a key name"),
    ],
)
def test_a_key_that_cannot_be_bound_is_an_error_naming_file_line_and_action(
    tmp_path: Path, value: str, words: str
) -> None:
    path = write(tmp_path, f"[keys]\nhelp = {value}\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert message.startswith(f"{path}, line 2: keys.help ")
    assert words in message
