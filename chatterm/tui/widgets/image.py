"""A generated image in the conversation: a thumbnail the width of the pane, drawn with
textual-image (Kitty graphics or Sixel where the terminal has them, half-blocks
elsewhere), loaded only once it is scrolled into view.

    ImageView   caption (size, keys) + the picture, or a placeholder line with the path

Keys (on the focused image): `o` opens the full image in the system viewer (`open` /
`xdg-open`, started and left alone: the UI never waits for it), `s` saves a copy
elsewhere. textual-image and Pillow are the optional `images` extra, imported when the
first image is shown; without them the image is a line naming its file. A chat with many
images opens as fast as one without: nothing is decoded until the image is on screen,
and decoding happens in a worker thread.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar, Literal

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from chatterm.media.blobs import ImageRef
from chatterm.terminal_text import visible_line

Renderer = Literal["auto", "halfcell"]

THUMB_ROWS = 16
"""The thumbnail's height at most, in terminal rows."""


def blob_path(app: Any, ref: ImageRef) -> Path | None:
    """The saved file of `ref`, through the app's context (None when there is none)."""
    context = getattr(app, "context", None)
    blobs = getattr(context, "blobs", None)
    return blobs.path_for(ref) if blobs is not None else None


def open_in_viewer(path: Path) -> str | None:
    """Start the system viewer on `path` without waiting; an error text when it cannot."""
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener) is None:
        return f"no {opener} on this system: the image is at {path}"
    try:
        subprocess.Popen(
            [opener, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        return f"cannot start {opener}: {exc.strerror or exc}"
    return None


class ImageView(Vertical, can_focus=True):
    """One generated image; `path` is its file (None: known only by URL, or missing)."""

    DEFAULT_CSS = """
    ImageView { height: auto; margin: 0 0 1 0; }
    ImageView > .image-caption { color: $text-muted; }
    ImageView:focus > .image-caption { color: $accent; }
    ImageView .image-picture { width: auto; height: auto; }
    """
    BINDINGS = [
        Binding("o", "open_image", "Open image", show=False),
        Binding("s", "save_image", "Save image as…", show=False),
    ]
    renderer: ClassVar[Renderer] = "auto"
    """"halfcell" forces the Unicode half-block drawing (snapshots, or a terminal that lies)."""

    def __init__(self, ref: ImageRef, path: Path | None = None) -> None:
        super().__init__(classes="image-view")
        self.ref = ref
        self.path = path
        self.loaded = False
        """The picture (or its placeholder) has replaced the empty space."""
        self._loading = False

    def compose(self) -> ComposeResult:
        yield Static(self._caption(), classes="image-caption", markup=False)

    def _caption(self) -> str:
        if self.ref.url and not self.ref.sha256:
            return f"🖼 image: {visible_line(self.ref.url)}"
        size = f"{self.ref.width}x{self.ref.height} " if self.ref.width else ""
        return f"🖼 {size}{self.ref.mime} · o open · s save"

    def on_mount(self) -> None:
        if self.path is None:
            self.path = blob_path(self.app, self.ref)
        self._timer = self.set_interval(0.2, self._load_when_visible)
        self.call_after_refresh(self._load_when_visible)

    def _load_when_visible(self) -> None:
        if self.loaded or self._loading:
            return
        if not self._in_view():
            return
        self._timer.stop()
        self._loading = True
        width = max(8, (self.size.width or 40) - 2)
        self._decode(width)

    def _in_view(self) -> bool:
        """Some of this image is inside the visible part of the conversation (the
        compositor's clip), not merely laid out somewhere above it."""
        try:
            geometry = self.screen.find_widget(self)
        except Exception:  # not laid out yet, or already gone
            return False
        return geometry.region.overlaps(geometry.clip)

    @work(thread=True, exclusive=True, group="image")
    def _decode(self, columns: int) -> None:
        """Read and shrink the picture off the UI thread (a 20 MB PNG takes a while)."""
        picture: Any = None
        problem = None
        if self.path is None or not self.path.exists():
            problem = "the image file is missing" if self.ref.sha256 else None
        else:
            try:
                import textual_image.widget  # noqa: F401 - loaded here, off the UI thread
                from PIL import Image as PILImage
                from textual_image._terminal import get_cell_size

                if self.renderer == "halfcell":  # a cell is one pixel wide, two high
                    cell_width, cell_height = 1, 2
                else:
                    cell = get_cell_size()
                    cell_width, cell_height = max(1, cell.width), max(1, cell.height)
                with PILImage.open(self.path) as source:
                    source.thumbnail((columns * cell_width, THUMB_ROWS * cell_height))
                    picture = source.convert("RGB")
            except ImportError:
                problem = "install chatterm[images] to see it here"
            except Exception as exc:  # a damaged or unknown file: say so, never crash the chat
                problem = f"cannot read the image: {exc}"
        self.app.call_from_thread(self._show, picture, problem)

    def _show(self, picture: Any, problem: str | None) -> None:
        self.loaded = True
        self._loading = False
        if picture is None:
            where = str(self.path) if self.path is not None else self.ref.url or "(not saved)"
            note = f" ({problem})" if problem else ""
            self.mount(Static(f"{visible_line(where)}{note}", classes="image-placeholder", markup=False))
            return
        from textual_image.widget import HalfcellImage
        from textual_image.widget import Image as AutoImage

        if self.renderer == "halfcell":
            widget: Any = HalfcellImage(picture, classes="image-picture")
            widget.styles.width = picture.width  # one column a pixel, one row two
            widget.styles.height = (picture.height + 1) // 2
        else:
            widget = AutoImage(picture, classes="image-picture")
        self.mount(widget)

    def action_open_image(self) -> None:
        if self.path is None or not self.path.exists():
            self.notify("This image has no file to open.", severity="warning")
            return
        problem = open_in_viewer(self.path)
        if problem:
            self.notify(problem, severity="warning")

    def action_save_image(self) -> None:
        if self.path is None or not self.path.exists():
            self.notify("This image has no file to save.", severity="warning")
            return
        suggestion = str(Path.cwd() / f"image-{self.ref.sha256[:12]}{self.path.suffix}")
        self.app.push_screen(SaveImageScreen(suggestion), self._save_to)

    def _save_to(self, target: str | None) -> None:
        if target and self.path is not None:
            self._copy(self.path, Path(target).expanduser())

    @work(thread=True, group="image-save")
    def _copy(self, source: Path, target: Path) -> None:
        try:
            if target.is_dir():
                target = target / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        except OSError as exc:
            self.app.call_from_thread(self.notify, f"Cannot save {target}: {exc.strerror or exc}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Saved {target}")


class SaveImageScreen(ModalScreen[str | None]):
    """Where to save a copy: a path (a folder keeps the file's name); Escape cancels."""

    DEFAULT_CSS = """
    SaveImageScreen { align: center middle; }
    SaveImageScreen > Vertical { width: 80%; height: auto; border: round $accent; padding: 0 1; background: $panel; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", priority=True)
    ]  # run when read: keys typed behind it reach the chat
    AUTO_FOCUS = "#save-path"

    def __init__(self, suggestion: str) -> None:
        super().__init__()
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Save the image as (Enter saves, Escape cancels):")
            yield Input(self.suggestion, id="save-path")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
