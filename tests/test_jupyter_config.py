"""jupyter-config/: the save rule that keeps widget views a reopened notebook cannot draw out of saved files, and
the two launchers that load it (`scripts/start.py` locally, `start` on Binder). The browser test
(test_browser_playground.py) checks the rule inside a real JupyterLab."""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from support import load_file

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "jupyter-config" / "jupyter_server_config.py"
config = load_file(CONFIG)
start = load_file(ROOT / "scripts" / "start.py")
SERVER = SimpleNamespace(root_dir=str(ROOT))  # a contents manager serving this checkout, as scripts/start.py does
OURS = "notebooks/06_chat_playground.ipynb"
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
    config.drop_widget_views_without_state(model, path=OURS, contents_manager=SERVER)
    assert _datas(model) == [{"text/plain": "💬 Chat playground"}, {"text/plain": "other"}]


def test_a_view_without_text_leaves_a_line_saying_what_to_do() -> None:
    model = _notebook({config.WIDGET_VIEW: VIEW})
    config.drop_widget_views_without_state(model, path=OURS, contents_manager=SERVER)
    assert _datas(model) == [{"text/plain": config.NO_TEXT}] and "run the cell again" in config.NO_TEXT


def test_views_stay_when_the_notebook_saves_the_widgets_state() -> None:
    state = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2, "version_minor": 0}}
    model = _notebook({"text/plain": "app", config.WIDGET_VIEW: VIEW}, metadata={"widgets": state})
    before = copy.deepcopy(model)
    config.drop_widget_views_without_state(model, path=OURS, contents_manager=SERVER)
    assert model == before


def test_files_and_folders_are_left_alone() -> None:
    for model in ({"type": "file", "content": "text"}, {"type": "directory", "content": None}):
        before = copy.deepcopy(model)
        config.drop_widget_views_without_state(model, path="notebooks/x", contents_manager=SERVER)
        assert model == before


def test_read_as_a_jupyter_config_file_it_sets_the_pre_save_hook(monkeypatch, tmp_path: Path) -> None:
    from traitlets.config.loader import PyFileConfigLoader

    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path))  # a learner without a Jupyter config of their own
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(CONFIG.parent))
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")

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


def test_a_learners_own_notebook_keeps_its_widgets(tmp_path: Path) -> None:
    """Only the collection's notebooks/: a learner's interact() slider elsewhere (or beside the notebooks) stays."""
    for server, path in (
        (SimpleNamespace(root_dir=str(tmp_path)), "my_sliders.ipynb"),
        (SERVER, "my_sliders.ipynb"),  # the checkout's root, not its notebooks/ folder
        (SERVER, "../elsewhere/notebooks/x.ipynb"),
        (SimpleNamespace(), OURS),  # a contents manager without a root_dir: leave the file alone
    ):
        model = _notebook({"text/plain": "interactive(...)", config.WIDGET_VIEW: VIEW})
        before = copy.deepcopy(model)
        config.drop_widget_views_without_state(model, path=path, contents_manager=server)
        assert model == before, path


def test_a_copy_of_the_collection_counts_by_its_marker(tmp_path: Path) -> None:
    """A copy (the unpacked zip, the browser test's folder) is the collection: its helpers/locate.py has the marker."""
    (tmp_path / "helpers").symlink_to(ROOT / "helpers")
    model = _notebook({"text/plain": "app", config.WIDGET_VIEW: VIEW})
    config.drop_widget_views_without_state(model, path=OURS, contents_manager=SimpleNamespace(root_dir=str(tmp_path)))
    assert _datas(model) == [{"text/plain": "app"}]
    (tmp_path / "other" / "helpers").mkdir(parents=True)
    (tmp_path / "other" / "helpers" / "locate.py").write_text("# another project\n")
    model = _notebook({"text/plain": "app", config.WIDGET_VIEW: VIEW})
    before = copy.deepcopy(model)
    config.drop_widget_views_without_state(model, path="other/notebooks/x.ipynb", contents_manager=SERVER)
    assert model == before


def test_a_learners_own_pre_save_hook_is_chained_not_replaced(monkeypatch, tmp_path: Path) -> None:
    """Their ~/.jupyter config sets a hook; this file loads last (first on the path) and still runs theirs after."""
    from traitlets.config.loader import PyFileConfigLoader

    learner = tmp_path / "dot-jupyter"
    learner.mkdir()
    (learner / "jupyter_server_config.py").write_text(
        "def mine(model, **kwargs):\n"
        "    model['content']['metadata']['seen_by_mine'] = kwargs['path']\n"
        "c.ContentsManager.pre_save_hook = mine\n"
    )
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(learner))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(CONFIG.parent))
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")
    hook = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config().ContentsManager.pre_save_hook
    model = _notebook({"text/plain": "app", config.WIDGET_VIEW: VIEW})
    hook(model=model, path=OURS, contents_manager=SERVER)
    assert model["content"]["metadata"]["seen_by_mine"] == OURS, "the learner's hook ran"
    assert _datas(model) == [{"text/plain": "app"}], "and so did the collection's rule"
    assert config.chained("json.dumps") is not config.drop_widget_views_without_state, "a hook named by import path"


def test_only_the_rule_reapplied_to_itself_is_silenced_at_start() -> None:
    """Jupyter sets the hook more than once as it starts and warned each time (issue 20: every start printed it); the
    filter hides exactly that, and a learner's hook being replaced still warns."""
    import warnings

    same = "Overriding existing pre_save_hook (drop_widget_views_without_state) with a new one "
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        config.quiet_reapplying()
        warnings.warn(same + "(drop_widget_views_without_state).", UserWarning, stacklevel=1)
        warnings.warn(same + "(learners_own_hook).", UserWarning, stacklevel=1)
    assert [str(w.message) for w in seen] == [same + "(learners_own_hook)."]
