"""Jupyter server settings for this collection, loaded by `python3 scripts/start.py` and by Binder (`start`).

They add one rule to saves of the collection's own notebooks (those in the notebooks/ folder of a copy of this
collection): a widget view whose state is not saved with the notebook is dropped from what is written to disk,
leaving the output's text. Such a view draws only while its kernel runs; reopened after the kernel restarted or
stopped, JupyterLab shows "Error displaying widget: model not found" in its place (notebook 06's chat app, saved by
autosave while open). The page in the browser keeps its live widgets. Notebooks that save their widgets' state
(JupyterLab's "Save Widget State Automatically") keep their views, and a learner's own notebooks elsewhere are saved
as they are (their `interact()` sliders stay). A `pre_save_hook` the learner's own Jupyter config sets still runs,
after this rule: this file, first on the config path, would otherwise replace it.
Tested by tests/test_jupyter_config.py, and in a browser by tests/test_browser_playground.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_KEY = "widgets"  # notebook metadata JupyterLab writes when it saves the widgets' state
NO_TEXT = "(an interactive widget was here while its kernel ran: run the cell again to see it)"
HERE = Path(__file__).resolve().parent
MARKER = 'COLLECTION = "minimax-anthropic-notebooks"'  # the line helpers/locate.py holds in this collection


def is_collection_notebook(path: str, contents_manager: Any) -> bool:
    """True when the saved file is in the notebooks/ folder of a copy of this collection (a folder whose
    helpers/locate.py holds MARKER); the server gives paths relative to its root_dir. Anything else, or a contents
    manager without a root_dir, is left alone."""
    root = getattr(contents_manager, "root_dir", None)
    if not isinstance(root, str) or not isinstance(path, str):
        return False
    file = Path(root, path.lstrip("/")).absolute()
    for folder in file.parents:
        finder = folder / "helpers" / "locate.py"
        if finder.is_file() and MARKER in finder.read_text("utf-8", "replace"):
            return file.relative_to(folder).parts[0] == "notebooks"
    return False


def drop_widget_views_without_state(model: dict[str, Any], path: str = "", contents_manager: Any = None) -> None:
    """A ContentsManager pre-save hook: remove, in place, the widget views a reopened notebook could not draw,
    in the collection's notebooks only."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    if not is_collection_notebook(path, contents_manager):
        return  # a learner's own notebook: their `interact()` sliders stay
    notebook = model["content"]
    if WIDGET_STATE_KEY in notebook.get("metadata", {}):
        return  # the widgets' state is saved with the notebook: JupyterLab draws the views from it
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data")
            if isinstance(data, dict) and WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
                data.setdefault("text/plain", NO_TEXT)


def chained(previous: Any) -> Callable[..., None]:
    """The hook to install: this rule, then the hook set before (a callable or an importable name), if any."""
    if previous is None or previous == "":
        return drop_widget_views_without_state
    if isinstance(previous, str):
        from traitlets.utils.importstring import import_item

        previous = import_item(previous)

    def hook(model: dict[str, Any], **kwargs: Any) -> None:
        drop_widget_views_without_state(model, **kwargs)
        previous(model=model, **kwargs)

    hook.__name__ = f"drop_widget_views_without_state_then_{getattr(previous, '__name__', 'hook')}"
    return hook


def learners_hook(folders: list[str] | None = None) -> Any:
    """The pre_save_hook the other Jupyter config folders set (the learner's ~/.jupyter, the system's), read as
    Jupyter reads them (lower priority first), or None: Jupyter keeps only this file's value otherwise."""
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config.loader import ConfigFileNotFound, JSONFileConfigLoader, PyFileConfigLoader

    found: Any = None
    for folder in reversed(folders if folders is not None else jupyter_config_path()):
        own = Path(folder, "jupyter_server_config.py")
        if Path(folder).resolve() == HERE or (
            own.is_file() and "def learners_hook(" in own.read_text("utf-8", "replace")
        ):
            continue  # this rule itself (or a copy of it in another checkout): chaining it would loop
        for loader in (PyFileConfigLoader, JSONFileConfigLoader):
            name = "jupyter_server_config" + (".py" if loader is PyFileConfigLoader else ".json")
            try:
                loaded = loader(name, path=folder).load_config()
            except ConfigFileNotFound:
                continue
            except Exception:  # Jupyter reports a broken config file itself when it reads it
                continue
            if "pre_save_hook" in loaded.get("ContentsManager", {}):
                found = loaded.ContentsManager.pre_save_hook
    return found


def quiet_reapplying() -> None:
    """Jupyter applies its config to the contents manager more than once as it starts, and each time warns that the
    pre_save_hook is overridden, though by the same rule: silence exactly that, never a learner's hook replaced."""
    import warnings

    ours = r"drop_widget_views_without_state\w*"
    warnings.filterwarnings("ignore", message=rf"Overriding existing pre_save_hook \(({ours})\) with a new one \(\1\)")


if "get_config" in globals():  # read by Jupyter as a config file (imported by the tests, it only defines)
    c = get_config()  # type: ignore[name-defined]  # noqa: F821
    c.ContentsManager.pre_save_hook = chained(learners_hook())
    quiet_reapplying()
