"""Attach a file: a typed or picked path must exist; Esc cancels."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.widgets import DirectoryTree, Input, Static

from chatterm.tui.screens.attach import AttachFileScreen


class Host(App[None]):
    def __init__(self, start_dir: Path) -> None:
        super().__init__()
        self.start_dir = start_dir
        self.results: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(AttachFileScreen("Attach schema file", self.start_dir), self.results.append)


async def test_typed_relative_path_is_resolved(tmp_path: Path) -> None:
    (tmp_path / "schema.json").write_text("{}")
    app = Host(tmp_path)
    async with app.run_test() as pilot:
        assert app.screen.query_one("#attach-dialog").border_title == "Attach schema file"
        await pilot.press(*"schema.json", "enter")
    assert app.results == [str((tmp_path / "schema.json").resolve())]


async def test_missing_file_and_folder_are_refused(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    app = Host(tmp_path)
    async with app.run_test() as pilot:
        await pilot.press(*"nope.pdf", "enter")
        error = app.screen.query_one("#attach-error", Static)
        assert "No such file: nope.pdf" in str(error.render())
        assert app.screen.query_one("#attach-path", Input).has_class("-invalid")
        app.screen.query_one("#attach-path", Input).value = "folder"
        await pilot.press("enter")
        assert "Not a file: folder" in str(error.render())
    assert app.results == []


async def test_picking_in_the_tree(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    app = Host(tmp_path)
    async with app.run_test() as pilot:
        tree = app.screen.query_one(DirectoryTree)
        await pilot.pause()
        await tree.reload()
        tree.focus()
        await pilot.press("down", "enter")
    assert app.results == [str((tmp_path / "report.pdf").resolve())]


async def test_escape_cancels(tmp_path: Path) -> None:
    app = Host(tmp_path)
    async with app.run_test() as pilot:
        await pilot.press("escape")
    assert app.results == [None]
