"""`devtools/otter.py`: the exercises as otter-grader assignments.

Without otter: every exercise is graded or named as left out, each master's test is the learner's own check, and
that test passes on the solution and fails on the stub. With otter (CLASS_PYTHON=a venv with
devtools/class_requirements.txt; CI's class step sets it with REQUIRE=otter): `python -m devtools otter` assigns every
notebook, no student notebook holds a line of a solution, and `otter run` gives a right submission full marks and a
wrong one less (the scores are printed)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import missing

from devtools import otter
from helpers.exercises import CHECKS

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = otter.tutorial_notebooks()


def test_every_exercise_is_graded_once_or_named_as_left_out() -> None:
    graded = [e.id for notebook in NOTEBOOKS for e in otter.exercises(notebook)]
    assert len(graded) == len(set(graded))
    assert sorted([*graded, *otter.MODEL_CALLS]) == sorted(CHECKS)
    assert len(NOTEBOOKS) == 5


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_each_test_is_the_learners_check_passing_on_the_solution_and_failing_on_the_stub(notebook: Path) -> None:
    for exercise in otter.exercises(notebook):
        test = otter.test_cell(exercise)
        call = re.search(r"feedback = helpers\.exercises\.check\((.*)\)\n", test)
        assert call and f"helpers.check({call[1]})" == exercise.check  # the notebook's own call, same arguments
        for code, passes in ((exercise.solution, True), (exercise.stub, False)):
            namespace: dict[str, Any] = {}
            exec(otter.setup(notebook) + code, namespace)
            if passes:
                exec(test, namespace)
            else:
                with pytest.raises(AssertionError, match="not yet"):
                    exec(test, namespace)


def test_the_answer_cell_shows_the_stub_and_hides_the_solution_between_otters_markers() -> None:
    exercise = otter.exercises(NOTEBOOKS[0])[0]
    cell = otter.answer_cell(exercise)
    solution = cell.split("# BEGIN SOLUTION NO PROMPT\n")[1].split("\n# END SOLUTION\n")[0]
    prompt = cell.split('""" # BEGIN PROMPT\n')[1].split('\n"""  # END PROMPT\n')[0]
    assert (solution, prompt) == (exercise.solution, exercise.stub)
    assert solution.endswith(exercise.check) and prompt.endswith(exercise.check)
    assert cell.endswith('"""  # END PROMPT\n')


def test_without_otter_only_the_masters_are_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if otter.otter_installed():
        pytest.skip("otter is installed here: the command would assign too")
    assert otter.main(str(tmp_path)) == 0
    masters = sorted(p.name for p in (tmp_path / "source").glob("*.ipynb"))
    assert masters == [f"{p.stem}_exercises.ipynb" for p in NOTEBOOKS]
    assert (tmp_path / "source/helpers/exercises/__init__.py").is_file()
    assert "otter-grader is not installed" in capsys.readouterr().out


def _class_python() -> str:
    """The interpreter with otter: CLASS_PYTHON, else this one if it has otter; else skip (fail where required)."""
    if os.environ.get("CLASS_PYTHON"):
        return os.path.abspath(os.environ["CLASS_PYTHON"])  # not resolve(): a venv's python is a link
    if otter.otter_installed():
        return sys.executable
    missing("otter", "otter-grader is not installed: set CLASS_PYTHON to a venv with devtools/class_requirements.txt")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def assigned(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """`python -m devtools otter` run with otter: every notebook assigned (its solutions checked by otter)."""
    python = _class_python()
    out = tmp_path_factory.mktemp("otter")
    done = subprocess.run(
        [python, "-m", "devtools", "otter", "--out", str(out)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return python, out


def _code_lines(path: Path) -> set[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return {line.strip() for c in cells if c["cell_type"] == "code" for line in "".join(c["source"]).splitlines()}


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_student_notebooks_hold_no_solution_line(assigned: tuple[str, Path], notebook: Path) -> None:
    student = assigned[1] / notebook.stem / "student" / f"{notebook.stem}_exercises.ipynb"
    graded = otter.exercises(notebook)
    stubs = _code_lines(notebook)  # a line the tutorial's own stubs have gives nothing away
    answer_lines = {line.strip() for e in graded for line in e.solution.splitlines()} - stubs - {""}
    assert answer_lines, "no solution line to look for"
    assert not answer_lines & _code_lines(student)
    text = student.read_text(encoding="utf-8")  # nor in its metadata (hidden tests stay in the autograder)
    assert not [line for line in answer_lines if len(line) > 20 and json.dumps(line)[1:-1] in text]
    shown = ["".join(c["source"]).strip() for c in json.loads(text)["cells"] if c["cell_type"] == "code"]
    assert [e.stub for e in graded] == shown[1:]  # what the learner sees: the tutorial's own cells


def _submission(student: Path, answers: dict[str, str], path: Path) -> Path:
    """The student notebook with some answer cells filled in (by question name), as a learner hands it in."""
    nb = json.loads(student.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        for question in cell.get("metadata", {}).get("otter", {}).get("tests", []):
            if question in answers:
                cell["source"] = answers[question]
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _otter_run(python: str, zip_path: Path, submission: Path) -> tuple[float, float]:
    done = subprocess.run(
        [python, "-m", "otter", "run", "-a", str(zip_path), "-o", str(submission.parent), str(submission)],
        capture_output=True,
        text=True,
        cwd=submission.parent,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads((submission.parent / "results.json").read_text())
    scored = [t for t in results["tests"] if "max_score" in t]
    return sum(float(t["score"]) for t in scored), sum(float(t["max_score"]) for t in scored)


@pytest.mark.slow
def test_otter_run_gives_a_right_submission_full_marks_and_a_wrong_one_less(
    assigned: tuple[str, Path], tmp_path: Path
) -> None:
    python, out = assigned
    notebook = NOTEBOOKS[0]
    result = out / notebook.stem
    student = result / "student" / f"{notebook.stem}_exercises.ipynb"
    zip_path = otter.autograder_zip(result)
    right_answers = {e.question: e.solution for e in otter.exercises(notebook)}
    wrong_answers = {  # 01.1 forgets an answer that stopped while thinking; 01.2 right; 01.4 left as given
        "ex01_1": "def answer_text(message):\n    return message.content[-1].text\n\n\n"
        + right_answers["ex01_1"].splitlines()[-1],
        "ex01_2": right_answers["ex01_2"],
    }
    (tmp_path / "right").mkdir()
    (tmp_path / "wrong").mkdir()
    right = _otter_run(python, zip_path, _submission(student, right_answers, tmp_path / "right/submission.ipynb"))
    wrong = _otter_run(python, zip_path, _submission(student, wrong_answers, tmp_path / "wrong/submission.ipynb"))
    print(f"otter run on {notebook.stem}: right submission {right[0]:g}/{right[1]:g}, wrong {wrong[0]:g}/{wrong[1]:g}")
    assert right == (3.0, 3.0)
    assert wrong == (1.0, 3.0)
