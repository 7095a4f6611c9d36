"""`[presets.<name>]` in the config file: read into presets, every value checked by the
rules of the setting it stands for (errors name file, key and line), unknown keys warned
with the key that was meant."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatterm.config import ConfigError, load_config
from chatterm.presets import Preset

GOOD = """model = "gpt-4o-mini"

[presets.reviewer]
system = "You review code. Be blunt."
model = "claude-sonnet-4-5-20250929"
temperature = 0.2
top_p = 0.9
max_tokens = 800
thinking = true
search = false
tools = ["calculator", "current_time"]

[presets."quick answers"]
temperature = 1
tools = "all"
"""


def test_presets_are_read_with_every_value(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(GOOD)
    config = load_config(path)
    assert config.warnings == []
    assert config.presets["reviewer"] == Preset(
        name="reviewer",
        system="You review code. Be blunt.",
        model="claude-sonnet-4-5-20250929",
        temperature=0.2,
        top_p=0.9,
        max_tokens=800,
        thinking=True,
        search=False,
        tools=("calculator", "current_time"),
    )
    quick = config.presets["quick answers"]
    assert (quick.temperature, quick.tools, quick.model, quick.system) == (1, ("all",), None, None)
    assert config.model == "gpt-4o-mini"  # a preset leaves the top-level defaults alone


def test_a_file_without_presets_has_none(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('model = "x"\n')
    assert load_config(path).presets == {}


@pytest.mark.parametrize(
    "body, expected",
    [
        ("temperature = 3", "line 3: presets.p.temperature must be between 0 and 2 (got 3)"),
        ("top_p = 1.5", "line 3: presets.p.top_p must be between 0 and 1 (got 1.5)"),
        ("max_tokens = 0", "line 3: presets.p.max_tokens must be between 1 and 1e+07 (got 0)"),
        ('max_tokens = "lots"', "line 3: presets.p.max_tokens must be of type int (got 'lots')"),
        ('thinking = "yes"', "line 3: presets.p.thinking must be of type bool (got 'yes')"),
        ("search = 1", "line 3: presets.p.search must be of type bool (got 1)"),
        ("system = 5", "line 3: presets.p.system must be of type str (got 5)"),
        ("model = false", "line 3: presets.p.model must be of type str (got False)"),
        ('tools = ["calculator", 2]', "line 3: presets.p.tools[1] must be of type str (got 2)"),
        ("tools = 7", "line 3: presets.p.tools must be of type list or str (got 7)"),
    ],
)
def test_a_bad_value_names_file_key_and_line(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'theme = "chatterm-dark"\n[presets.p]\n{body}\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f"{path}, {expected}" in str(caught.value)


def test_a_preset_that_is_not_a_table_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[presets]\nfast = "gpt-4o-mini"\n')
    with pytest.raises(ConfigError, match=r"line 2: presets.fast must be a table \(\[presets.fast\]\)"):
        load_config(path)


def test_an_unknown_key_in_a_preset_is_a_warning_naming_the_closest(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[presets.p]\nmodel = "gpt-4o"\ntemprature = 0.5\nsystem_prompt = "x"\ncolour = "red"\n')
    config = load_config(path)
    assert config.presets["p"].model == "gpt-4o"  # the rest of the preset still applies
    assert config.warnings == [
        f"{path}, line 3: unknown setting 'presets.p.temprature' is ignored; did you mean 'temperature'?",
        f"{path}, line 4: unknown setting 'presets.p.system_prompt' is ignored; did you mean 'system'?",
        f"{path}, line 5: unknown setting 'presets.p.colour' is ignored (a preset takes system, model, "
        "temperature, top_p, max_tokens, thinking, search, tools)",
    ]


def test_the_readme_example_loads_without_warnings(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Presets", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "config.toml"
    path.write_text(example)
    config = load_config(path)
    assert config.warnings == [] and config.presets["reviewer"].model == "claude-sonnet-4-5-20250929"
