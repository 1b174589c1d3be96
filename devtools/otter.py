"""`python -m devtools otter`: the exercises as otter-grader assignments, for teachers who grade.

One master notebook per tutorial notebook (its exercises, in Otter Assign's notebook format), not one per exercise:
a class is given the exercises of the lesson it just did as one piece of homework, otter grades one notebook per
assignment, and one file per lesson is what a learner downloads and hands in. Each exercise is one question worth
one point, and its test calls the very check the learner runs in the cell (`helpers.exercises.check`): the grade is
the "all done" the learner already saw, never a second opinion. The tests are hidden, so the student notebooks need
no otter: learners use the notebook's own check as they go.

Each question's cell is built from the two notebooks that already exist: the tutorial's stub (what the learner
sees) and the solution notebook's answer (what the autograder notebook runs), so neither is copied by hand. Three
exercises are left out, the ones whose answer is a model's response (MODEL_CALLS): grading them would mean
re-running recorded model calls inside the grader.

Without otter installed it only writes the masters (dist/otter/source); with it (`pip install -r
devtools/class_requirements.txt`) it runs `otter assign` on each, which checks that the solutions get full marks
and writes dist/otter/<notebook>/student (to hand out) and .../autograder (the zip for `otter run` or Gradescope).
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"
MODEL_CALLS = {
    "01.3": "its answer is a response from a (recorded) model call",
    "02.1": "its answer is counted from a (recorded) model stream",
    "04.2": "its answer is a (recorded) run of the trip conversation",
}
"""Exercises not graded by otter, and why: the notebook's own check still gives the learner feedback."""
CHECK_LINE = re.compile(r'^helpers\.check\("(?P<id>\d\d\.\d)"(?P<args>.*)\)$', re.M)
MARKERS = ("SOLUTION", "PROMPT", "IGNORE", "SEED", '"""')
"""Words Otter Assign reads in a code line; a stub or solution holding one would be cut wrongly."""
MODEL_LINE = re.compile(r'^MODEL = "[^"]+"$', re.M)
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class OtterError(Exception):
    """The assignments could not be built: the message says what and what to do."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id, its text, the tutorial's cell (the stub), the solution notebook's cell (the reference
    answer), and the check both cells end with."""

    id: str
    text: str
    stub: str
    solution: str
    check: str

    @property
    def question(self) -> str:
        """Otter's name for the question: ex01_1 for exercise 01.1."""
        return "ex" + self.id.replace(".", "_")


def _cells(path: Path) -> list[dict[str, Any]]:
    cells: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return cells


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def code_by_exercise(path: Path) -> dict[str, tuple[str, str]]:
    """{exercise id: (the cell's code, its last line: the check)} for each code cell ending in a check."""
    found = {}
    for cell in _cells(path):
        source = _source(cell).rstrip()
        match = CHECK_LINE.search(source) if cell["cell_type"] == "code" else None
        if match and source.endswith(match.group(0)):
            found[match["id"]] = (source, match.group(0))
    return found


def _text(path: Path, exercise_id: str) -> str:
    """The exercise's Markdown: from its `### Exercise` heading to the end of that cell."""
    heading = f"### Exercise {exercise_id}"
    for cell in _cells(path):
        source = _source(cell)
        if cell["cell_type"] == "markdown" and heading in source:
            return source[source.index(heading) :].strip()
    raise OtterError(f"{path.name} has no Markdown heading {heading!r}: the exercise text comes from there.")


def exercises(notebook: Path) -> list[Exercise]:
    """The gradable exercises of a tutorial notebook, each with its stub and its reference answer."""
    solutions = SOLUTIONS / f"{notebook.stem}_solutions.ipynb"
    stubs, answers = code_by_exercise(notebook), code_by_exercise(solutions)
    found = []
    for exercise_id, (stub, check) in stubs.items():
        if exercise_id in MODEL_CALLS:
            continue
        if exercise_id not in answers:
            raise OtterError(f"{solutions.name} has no cell ending in {check}: add the reference answer there.")
        solution, solution_check = answers[exercise_id]
        if solution_check != check:
            raise OtterError(f"Exercise {exercise_id}: the notebook checks {check}, the solution {solution_check}.")
        for code in (stub, solution):
            marked = [m for m in MARKERS if m in code]
            if marked:
                raise OtterError(f"Exercise {exercise_id}: its code holds {marked}, which Otter Assign would cut.")
        found.append(Exercise(exercise_id, _text(notebook, exercise_id), stub, solution, check))
    return found


def _cell(kind: str, source: str) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def answer_cell(exercise: Exercise) -> str:
    """The question's code: the solution's cell (the autograder runs it; cut from the student version), then the
    tutorial's cell (the student version shows it as it is; the autograder's sees only a string)."""
    solution = f"# BEGIN SOLUTION NO PROMPT\n{exercise.solution}\n# END SOLUTION\n"
    return solution + f'""" # BEGIN PROMPT\n{exercise.stub}\n"""  # END PROMPT\n'


def test_cell(exercise: Exercise) -> str:
    """The hidden test: the learner's own check, which must say "all done"."""
    call = exercise.check.replace("helpers.check(", "helpers.exercises.check(", 1)
    return (
        '""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\n'
        f"feedback = {call}\nassert feedback.passed, feedback.text()\n"
    )


def config(notebook: Path) -> str:
    """The ASSIGNMENT CONFIG cell: no otter cells in the student notebook, helpers (and recordings) shipped."""
    files = ["helpers", "data"] if _needs_recordings(notebook) else ["helpers"]
    lines = [
        "# ASSIGNMENT CONFIG",
        f"name: {notebook.stem}",
        "requirements: requirements.txt",
        "init_cell: false",
        "check_all_cell: false",
        "export_cell: false",
        "run_tests: true",
        "generate: true",
        "files:",
        *(f"  - {f}" for f in files),
    ]
    return "\n".join(lines) + "\n"


def _needs_recordings(notebook: Path) -> bool:
    """Notebook 02's check 02.2 replays its recorded streams (data/cassettes/02_streaming)."""
    return notebook.stem.startswith("02_")


def setup(notebook: Path) -> str:
    """The first code cell: import the helpers shipped beside the notebook, and MODEL as the notebook sets it (05.1's
    stub names it)."""
    found = next(
        (m for c in _cells(notebook) if c["cell_type"] == "code" for m in [MODEL_LINE.search(_source(c))] if m), None
    )
    if found is None:
        raise OtterError(f"{notebook.name}'s setup cell sets no MODEL = \"...\": the exercises' setup copies it.")
    return (
        "# helpers/ sits beside this notebook: the checks you run, and those you are graded with\n"
        f"import helpers\n\n{found.group(0)}\n"
    )


def master(notebook: Path) -> dict[str, Any]:
    """The Otter Assign master notebook of one tutorial notebook's exercises."""
    title = _source(_cells(notebook)[0]).splitlines()[0].lstrip("# ").strip()
    cells = [
        _cell("raw", config(notebook)),
        _cell(
            "markdown",
            f"# Exercises of notebook {notebook.stem[:2]}: {title}\n\nWrite your answer in each exercise's cell and "
            "run it: its check says what is right and what is still missing. Your teacher grades with the same checks, "
            "one point an exercise.",
        ),
        _cell("code", setup(notebook)),
    ]
    for exercise in exercises(notebook):
        cells += [
            _cell("raw", f"# BEGIN QUESTION\nname: {exercise.question}\npoints: 1"),
            _cell("markdown", exercise.text),
            _cell("raw", "# BEGIN SOLUTION"),
            _cell("code", answer_cell(exercise)),
            _cell("raw", "# END SOLUTION"),
            _cell("raw", "# BEGIN TESTS"),
            _cell("code", test_cell(exercise)),
            _cell("raw", "# END TESTS"),
            _cell("raw", "# END QUESTION"),
        ]
    for number, cell in enumerate(cells):
        cell["id"] = f"{notebook.stem[:2]}-{number:02d}"  # nbformat 4.5 wants one; stable, so rebuilds diff clean
    metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def tutorial_notebooks() -> list[Path]:
    """The tutorial notebooks that have a solution notebook (01 to 05)."""
    return [p for p in sorted(NOTEBOOKS.glob("0*.ipynb")) if (SOLUTIONS / f"{p.stem}_solutions.ipynb").is_file()]


def write_sources(source: Path) -> list[Path]:
    """Write the masters into `source`, with what they ship: helpers/, notebook 02's recordings, requirements.txt."""
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(ROOT / "helpers", source / "helpers", ignore=ignore)
    shutil.copytree(ROOT / "data/cassettes/02_streaming", source / "data/cassettes/02_streaming", ignore=ignore)
    shutil.copy(ROOT / "requirements.txt", source / "requirements.txt")
    masters = []
    for notebook in tutorial_notebooks():
        path = source / f"{notebook.stem}_exercises.ipynb"
        path.write_text(json.dumps(master(notebook), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        masters.append(path)
    return masters


def otter_installed() -> bool:
    return importlib.util.find_spec("otter") is not None


def assign(master_path: Path, result: Path) -> None:
    """`otter assign MASTER RESULT` in the master's folder (its `files` are relative to it); it runs the tests on
    the solutions and stops unless they get full marks."""
    command = [sys.executable, "-m", "otter", "assign", master_path.name, str(result.resolve())]
    done = subprocess.run(command, cwd=master_path.parent, capture_output=True, text=True)
    if done.returncode != 0:
        raise OtterError(f"otter assign {master_path.name} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")


def autograder_zip(result: Path) -> Path:
    """The autograder zip `otter assign` wrote into RESULT/autograder (its name carries a timestamp)."""
    zips = sorted((result / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise OtterError(f"expected one autograder zip in {result / 'autograder'}, found {[z.name for z in zips]}")
    return zips[0]


def main(out: str) -> int:
    """Write the masters to OUT/source and, where otter is installed, assign each into OUT/<notebook>."""
    base = Path(out)
    try:
        masters = write_sources(base / "source")
        for path in masters:
            ids = ", ".join(e.id for e in exercises(NOTEBOOKS / path.name.replace("_exercises", "")))
            print(f"{path}: exercises {ids}")
        if not otter_installed():
            print(
                f"otter-grader is not installed in {sys.executable}, so only the masters were written. Install it "
                "(pip install -r devtools/class_requirements.txt, into a venv with requirements.txt) and run this "
                "again, or run `otter assign NAME.ipynb DIST` in the source folder yourself."
            )
            return 0
        for path in masters:
            result = base / path.stem.replace("_exercises", "")
            if result.exists():
                shutil.rmtree(result)
            assign(path, result)
            print(f"{result}/student: hand out; {autograder_zip(result)}: grade with `otter run -a ZIP SUBMISSION`")
    except OtterError as error:
        print(error, file=sys.stderr)
        return 1
    skipped = ", ".join(f"{k} ({v})" for k, v in MODEL_CALLS.items())
    print(f"Not graded, checked in the notebooks only: {skipped}.")
    return 0
