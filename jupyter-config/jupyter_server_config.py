"""Jupyter server settings for this collection, loaded by `python3 scripts/start.py` and by Binder (`start`).

They add one rule to every save: a widget view whose state is not saved with the notebook is dropped from what
is written to disk, leaving the output's text. Such a view draws only while its kernel runs; reopened after the
kernel restarted or stopped, JupyterLab shows "Error displaying widget: model not found" in its place (notebook
06's chat app, saved by autosave while open). The page in the browser keeps its live widgets. Notebooks that save
their widgets' state (JupyterLab's "Save Widget State Automatically") keep their views.
Tested by tests/test_jupyter_config.py, and in a browser by tests/test_browser_playground.py.
"""

from __future__ import annotations

from typing import Any

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_KEY = "widgets"  # notebook metadata JupyterLab writes when it saves the widgets' state
NO_TEXT = "(an interactive widget was here while its kernel ran: run the cell again to see it)"


def drop_widget_views_without_state(model: dict[str, Any], **_: Any) -> None:
    """A ContentsManager pre-save hook: remove, in place, the widget views a reopened notebook could not draw."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    notebook = model["content"]
    if WIDGET_STATE_KEY in notebook.get("metadata", {}):
        return  # the widgets' state is saved with the notebook: JupyterLab draws the views from it
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data")
            if isinstance(data, dict) and WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
                data.setdefault("text/plain", NO_TEXT)


if "get_config" in globals():  # read by Jupyter as a config file (imported by the tests, it only defines)
    c = get_config()  # type: ignore[name-defined]  # noqa: F821
    c.ContentsManager.pre_save_hook = drop_widget_views_without_state
