"""jupyter-config/: the save rule that keeps widget views a reopened notebook cannot draw out of saved files, and
the two launchers that load it (`scripts/start.py` locally, `start` on Binder). The browser test
(test_browser_playground.py) checks the rule inside a real JupyterLab."""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path
from typing import Any

from support import load_file

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "jupyter-config" / "jupyter_server_config.py"
config = load_file(CONFIG)
start = load_file(ROOT / "scripts" / "start.py")
VIEW = {"version_major": 2, "version_minor": 0, "model_id": "8c5d0f0e6b2a4c1d9e7f3a2b1c0d9e8f"}


def _notebook(*datas: dict[str, Any], metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    outputs = [{"output_type": "display_data", "data": data, "metadata": {}} for data in datas]
    cell = {"cell_type": "code", "source": "playground.show()", "outputs": outputs, "metadata": {}}
    content = {"cells": [cell], "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}
    return {"type": "notebook", "content": content}


def _datas(model: dict[str, Any]) -> list[dict[str, Any]]:
    return [o["data"] for c in model["content"]["cells"] for o in c["outputs"]]


def test_a_widget_view_is_dropped_and_its_text_kept() -> None:
    model = _notebook({"text/plain": "💬 Chat playground", config.WIDGET_VIEW: VIEW}, {"text/plain": "other"})
    config.drop_widget_views_without_state(model, path="06.ipynb", contents_manager=None)
    assert _datas(model) == [{"text/plain": "💬 Chat playground"}, {"text/plain": "other"}]


def test_a_view_without_text_leaves_a_line_saying_what_to_do() -> None:
    model = _notebook({config.WIDGET_VIEW: VIEW})
    config.drop_widget_views_without_state(model, path="x.ipynb", contents_manager=None)
    assert _datas(model) == [{"text/plain": config.NO_TEXT}] and "run the cell again" in config.NO_TEXT


def test_views_stay_when_the_notebook_saves_the_widgets_state() -> None:
    state = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2, "version_minor": 0}}
    model = _notebook({"text/plain": "app", config.WIDGET_VIEW: VIEW}, metadata={"widgets": state})
    before = copy.deepcopy(model)
    config.drop_widget_views_without_state(model, path="x.ipynb", contents_manager=None)
    assert model == before


def test_files_and_folders_are_left_alone() -> None:
    for model in ({"type": "file", "content": "text"}, {"type": "directory", "content": None}):
        before = copy.deepcopy(model)
        config.drop_widget_views_without_state(model, path="x", contents_manager=None)
        assert model == before


def test_read_as_a_jupyter_config_file_it_sets_the_pre_save_hook() -> None:
    from traitlets.config.loader import PyFileConfigLoader

    loaded = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
    hook = loaded.ContentsManager.pre_save_hook
    assert callable(hook) and hook.__name__ == "drop_widget_views_without_state"


def test_start_py_puts_jupyter_config_first_and_keeps_the_learners_path() -> None:
    env = start.lab_environment({"HOME": "/h", "JUPYTER_CONFIG_PATH": f"/mine{os.pathsep}/other"})
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep) == [str(ROOT / "jupyter-config"), "/mine", "/other"]
    assert env["HOME"] == "/h"
    assert start.lab_environment({})["JUPYTER_CONFIG_PATH"] == str(ROOT / "jupyter-config")


def test_binders_start_script_does_the_same_then_runs_the_command() -> None:
    script = ROOT / "start"
    assert os.access(script, os.X_OK), "repo2docker runs `start` as a program"
    env = {"PATH": os.environ["PATH"], "JUPYTER_CONFIG_PATH": "/mine"}
    done = subprocess.run([str(script), "sh", "-c", 'echo "$JUPYTER_CONFIG_PATH"'], env=env, capture_output=True)
    assert done.returncode == 0 and done.stdout.decode().strip() == f"{ROOT / 'jupyter-config'}:/mine"
