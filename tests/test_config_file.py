"""The config file as a user edits it: every value type-checked with file, key and line
named; typos reported with the key that was meant; rewrites that keep comments, escape
what a server sent, follow a symlink, and never leave a half-written file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from chatterm.config import ConfigError, load_config, save_config_values
from tests.cli.runner import chatterm


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[tools]\nallowed_dirs = [1]\n", "line 2: tools.allowed_dirs[0] must be of type str (got 1)"),
        ('favourites = ["gpt-4o", 1]\n', "line 1: favourites[1] must be of type str (got 1)"),
        ("[tools]\n\nfiles = [1]\n", "line 3: tools.files[0] must be of type str (got 1)"),
        ('tools = "all"\n', "line 1: tools must be a table ([tools])"),
        ("[[tools]]\nsafe = []\n", r"tools must be a table"),
    ],
)
def test_wrong_types_inside_lists_and_tables_name_file_key_and_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert expected in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ('modle = "gpt-4o"\n', "line 2: unknown setting 'modle' is ignored; did you mean 'model'"),
        ('[tool]\nsafe = ["calculator"]\n', "line 2: unknown table [tool] is ignored; did you mean [tools]?"),
        ('safe = ["calculator"]\n', "did you mean 'safe' under [tools]?"),
        (
            '[tools]\nmodel = "x"\n',
            "line 3: unknown setting 'tools.model' is ignored; did you mean 'model' (at the top",
        ),
        ("[tools]\ntimout = 5\n", "did you mean 'timeout' under [tools]?"),
    ],
)
def test_unknown_keys_are_warnings_naming_the_closest_valid_key(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "chatterm-light"\n' + text)  # so the lines below start at 2
    config = load_config(path)
    assert config.theme == "chatterm-light"  # the rest of the file still applies
    assert len(config.warnings) == 1 and expected in config.warnings[0], config.warnings
    assert str(path) in config.warnings[0]


def test_a_clean_file_has_no_warnings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('model = "x"\nsearch_options = {mode = "auto", anything = 1}\n[tools]\nsafe = []\ntimeout = 5\n')
    assert load_config(path).warnings == []


async def test_ask_reports_a_bad_list_element_instead_of_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[tools]\nallowed_dirs = [1]\n")
    run = chatterm("ask", "--config", str(path), "--demo", "--tools", "all", "-y", "what time is it")
    assert run.code == 2, run.err
    assert "Traceback" not in run.err
    assert f"{path}, line 2: tools.allowed_dirs[0] must be of type str (got 1)" in run.err


async def test_ask_prints_config_warnings_on_stderr_and_still_answers(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('modle = "gpt-4o"\n')
    run = chatterm("ask", "--config", str(path), "--demo", "hello")
    assert run.code == 0, run.err
    assert run.out.strip()
    assert "chatterm: warning:" in run.err and "did you mean 'model'" in run.err


async def test_the_tui_shows_config_warnings_as_a_toast_at_start(demo_gateway, tmp_path: Path) -> None:
    from chatterm.context import AppContext
    from chatterm.tui.app import ChatApp
    from tests.tui.conftest import wait_until

    path = tmp_path / "config.toml"
    path.write_text('[tool]\nsafe = ["calculator"]\n')
    context = AppContext.for_tests(demo_gateway.base_url, tmp_path)
    context.config = load_config(path)
    app = ChatApp(context)
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: any("did you mean [tools]" in str(n.message) for n in app._notifications))
        await context.aclose()


# --- writing ---------------------------------------------------------------------------


def test_a_model_id_with_control_characters_is_saved_escaped_and_reloads(demo_gateway, tmp_path: Path) -> None:
    from chatterm.context import AppContext

    context = AppContext.for_tests(demo_gateway.base_url, tmp_path)
    model = "evil\x1b[31m\x07\x7f\x00-model\nnext\ttab"
    context.save_config(model=model)
    text = context.config_path.read_text()
    assert "\x1b" not in text and "\x00" not in text
    assert load_config(context.config_path).model == model


def test_rewrites_keep_comments_layout_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    original = (
        "# chatterm settings, kept in my dotfiles\n"
        'model = "x"   # the default\n'
        "\n"
        "# tools I trust\n"
        "[tools]\n"
        'safe = ["calculator"]  # read-only\n'
        "timeout = 10\n"
    )
    path.write_text(original)
    save_config_values(path, {"model": "y", "theme": "chatterm-light"})
    text = path.read_text()
    assert text.startswith("# chatterm settings, kept in my dotfiles\n")
    assert 'model = "y"   # the default' in text
    assert "# tools I trust\n[tools]\n" in text and 'safe = ["calculator"]  # read-only' in text
    assert text.index("theme") < text.index("[tools]")
    config = load_config(path)
    assert (config.model, config.theme, config.tools_safe, config.tools_timeout) == (
        "y",
        "chatterm-light",
        ["calculator"],
        10,
    )


def test_a_symlinked_config_is_followed_not_replaced(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "chatterm.toml"
    target.write_text('# mine\nmodel = "x"\n')
    target.chmod(0o644)
    link = tmp_path / "config" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(target)
    save_config_values(link, {"model": "y"})
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert target.read_text() == '# mine\nmodel = "y"\n'
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # it may hold a key now
    assert sorted(os.listdir(dotfiles)) == ["chatterm.toml"]  # no temp file left behind


def test_a_file_that_no_longer_parses_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('model = "x"\ntheme = \n')
    with pytest.raises(OSError, match="cannot update the config file"):
        save_config_values(path, {"model": "y"})
    assert path.read_text() == 'model = "x"\ntheme = \n'


def test_a_value_the_loader_would_refuse_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    with pytest.raises(ValueError, match=r"favourites\[0\] must be of type str"):
        save_config_values(path, {"favourites": [1]})
    assert not path.exists()
