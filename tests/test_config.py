"""The config file, the environment and flags."""

from __future__ import annotations

import stat

import pytest

from chatterm.config import Config, ConfigError, load_config, resolve_connection, save_config_values


def test_missing_file_gives_defaults(tmp_path) -> None:
    config = load_config(tmp_path / "nope.toml")
    assert config.model == "gpt-4o-mini" and config.max_retries == 2 and config.path is None


def test_values_and_tables_are_read(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('model = "deepseek-r1"\nfavourites = ["a", "b"]\n[tools]\nsafe = ["calculator"]\nmax_rounds = 3\n')
    config = load_config(path)
    assert (config.model, config.favourites, config.tools_safe, config.tools_max_rounds) == (
        "deepseek-r1",
        ["a", "b"],
        ["calculator"],
        3,
    )


def test_syntax_error_names_file_and_line(tmp_path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('model = "x"\ntheme = \n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value) and "line 2" in str(caught.value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[tools]\ntimeout = "soon"\n', "line 2: tools.timeout must be of type int or float"),
        ("max_retries = 99\n", "line 1: max_retries must be between 0 and 10"),
        ("stream = 1\n", "line 1: stream must be of type bool"),
        ('endpoint = "grpc"\n', "endpoint must be one of chat, responses, auto"),
    ],
)
def test_bad_values_name_key_and_line(tmp_path, text: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=expected):
        load_config(path)


def test_precedence_flags_env_openai_file() -> None:
    config = Config(base_url="http://file/v1", api_key="file-key")
    env = {"OPENAI_BASE_URL": "http://openai/v1", "OPENAI_API_KEY": "openai-key"}
    assert resolve_connection(config, env={}).base_url == "http://file/v1"
    assert resolve_connection(config, env=env).api_key == "openai-key"
    env |= {"CHATTERM_BASE_URL": "http://ct/v1/", "CHATTERM_API_KEY": "ct-key"}
    connection = resolve_connection(config, env=env)
    assert (connection.base_url, connection.api_key, connection.key_source) == (
        "http://ct/v1",
        "ct-key",
        "CHATTERM_API_KEY",
    )
    connection = resolve_connection(config, base_url="http://flag/v1", api_key="flag-key", env=env)
    assert (connection.base_url, connection.api_key) == ("http://flag/v1", "flag-key")


def test_key_never_in_repr() -> None:
    config = Config(api_key="sk-secret-123")
    connection = resolve_connection(config, env={})
    assert "sk-secret-123" not in repr(config) and "sk-secret-123" not in repr(connection)


def test_saving_keeps_the_rest_and_is_private(tmp_path) -> None:
    path = tmp_path / "sub" / "config.toml"
    path.parent.mkdir()
    path.write_text('# my settings\nmodel = "x"\n\n[tools]\nsafe = ["calculator"]\n')
    save_config_values(path, {"theme": "chatterm-light", "model": "y"})
    text = path.read_text()
    assert "# my settings" in text and 'model = "y"' in text and 'theme = "chatterm-light"' in text
    assert text.index("theme") < text.index("[tools]")
    config = load_config(path)
    assert (config.model, config.theme, config.tools_safe) == ("y", "chatterm-light", ["calculator"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_new_config_file_is_created_0600(tmp_path) -> None:
    path = tmp_path / "new" / "config.toml"
    save_config_values(path, {"base_url": "http://x/v1", "api_key": "k"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_config(path).api_key == "k"


def test_the_schema_and_the_config_class_agree_on_every_default() -> None:
    """`SETTINGS` (key, type, default, doc) and `Config`'s fields are written twice;
    a default changed in one place only would make the file and the app disagree."""
    from dataclasses import fields

    from chatterm.config import SETTINGS, Config

    config = Config()
    names = {f.name for f in fields(Config)} - {"path", "key_source", "warnings", "profile", "top_level"}
    assert {s.key.replace(".", "_") for s in SETTINGS} == names
    for setting in SETTINGS:
        value = getattr(config, setting.key.replace(".", "_"))
        assert value == setting.default, setting.key
        kinds = setting.kind if isinstance(setting.kind, tuple) else (setting.kind,)
        assert value is None or isinstance(value, kinds), setting.key
