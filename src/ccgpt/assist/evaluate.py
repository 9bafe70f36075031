"""Benchmark a model on natural-language tasks with known-good commands.

For each task, the model's command (through the full suggest pipeline, or from a raw prompt
for comparison) and the gold command each run in the sandbox, without network, on a fresh
copy of the fixture directory. A task counts as solved when both succeed, print the same output
(exactly, or the same lines in another order), and leave the same files.

A task is "not measurable" — never solved, and left out of the accuracy — when its gold command
fails or does nothing visible (no output, no file changed) where it runs: without a fixture
that is an empty directory, where `cat notes.txt` fails and any wrong answer that fails the same
way used to count as right. So is one whose gold leaves another outcome each time it runs (`ps
aux`, `free -h`): when a candidate succeeds but differs, the gold runs a second time, and if that
differs too the candidate is solved only if it is the gold command itself.

Model output is untrusted even here: it runs only inside the sandbox, on a throwaway copy;
`blocked` commands never run, and `dangerous` ones only with allow_dangerous.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ccgpt.assist.copyrun import Outcome, SandboxRunner, normalize, run_on_copy, snapshot  # noqa: F401 (re-exported)
from ccgpt.errors import UsageError


@dataclass
class Task:
    query: str
    gold: str
    fixture: Path | None = None
    setup: str | None = None  # trusted shell text from the tasks file, run on each copy first


@dataclass
class TaskResult:
    query: str
    gold: str
    candidate: str | None
    level: str | None = None
    ran: bool = False
    solved: bool = False
    output_match: bool = False
    files_match: bool = False
    measurable: bool = True
    note: str = ""

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Report:
    mode: str
    model: str
    backend: str
    results: list[TaskResult] = field(default_factory=list)

    @property
    def measured(self) -> int:
        return sum(r.measurable for r in self.results)

    @property
    def accuracy(self) -> float:
        """Solved among the measurable tasks."""
        return sum(r.solved for r in self.results) / self.measured if self.measured else 0.0

    def to_json(self) -> dict:
        return {"mode": self.mode, "model": self.model, "backend": self.backend, "tasks": len(self.results),
                "measurable": self.measured, "not_measurable": len(self.results) - self.measured,
                "solved": sum(r.solved for r in self.results), "accuracy": round(self.accuracy, 4),
                "results": [r.to_json() for r in self.results]}


def load_tasks(path: Path, fixture: Path | None = None) -> list[Task]:
    """A JSON list of {"query", "gold", optional "fixture"}, or {"fixture": ..., "tasks": [...]}.
    Relative fixture paths are relative to the tasks file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"no such tasks file: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read tasks file {path}: {exc}") from None
    default_fixture = fixture
    if isinstance(data, dict):
        if default_fixture is None and data.get("fixture"):
            default_fixture = Path(path).parent / data["fixture"]
        data = data.get("tasks")
    if not isinstance(data, list) or not data:
        raise UsageError(f"{path}: expected a non-empty list of {{\"query\", \"gold\"}} objects")
    tasks = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("query"), str) or not isinstance(item.get("gold"), str):
            raise UsageError(f"{path}: task {i + 1} needs string fields \"query\" and \"gold\"")
        own = item.get("fixture")
        fix = (Path(path).parent / own) if own else default_fixture
        if fix is not None and not Path(fix).is_dir():
            raise UsageError(f"{path}: task {i + 1}: fixture {fix} is not a directory")
        setup = item.get("setup")
        if setup is not None and not isinstance(setup, str):
            raise UsageError(f"{path}: task {i + 1}: \"setup\" must be a string")
        tasks.append(Task(item["query"], item["gold"], Path(fix) if fix else None, setup))
    return tasks


def unmeasurable(gold: Outcome, before: dict) -> str | None:
    """Why a gold outcome cannot tell a right answer from a wrong one, or None."""
    if gold.exit_code != 0:
        return f"not measurable: the gold command fails here (exit {gold.exit_code})"
    if not gold.stdout.strip() and gold.files == before:
        return "not measurable: the gold command prints nothing and changes nothing here"
    return None


def volatile(runner, task: Task, want: Outcome) -> bool:
    """Whether a second run of the gold command leaves another outcome than the first. Run only
    when a candidate differs, so a stable task costs nothing more."""
    again = run_on_copy(runner, task.gold, task.fixture, task.setup)
    return again.exit_code != want.exit_code or compare(again, want) != (True, True)


def same_command(a: str, b: str) -> bool:
    return a.split() == b.split()


def compare(candidate: Outcome, gold: Outcome) -> tuple[bool, bool]:
    a, b = normalize(candidate.stdout), normalize(gold.stdout)
    output = a == b or sorted(a) == sorted(b)
    return output, candidate.files == gold.files


def score(task: Task, candidate: str | None, runner, classify, allow_dangerous: bool) -> TaskResult:
    r = TaskResult(task.query, task.gold, candidate)
    want = run_on_copy(runner, task.gold, task.fixture, task.setup)
    if task.setup:
        before = run_on_copy(runner, "true", task.fixture, task.setup).files
    else:  # copies keep contents and modes, so the fixture itself is the "before"
        before = snapshot(task.fixture) if task.fixture is not None else {}
    why = unmeasurable(want, before)
    if why:
        r.measurable, r.note = False, why
        return r
    if not candidate:
        r.note = "no command extracted"
        return r
    r.level = classify(candidate).level
    if r.level == "blocked" or (r.level == "dangerous" and not allow_dangerous):
        r.note = f"not run: {r.level}"
        return r
    got = run_on_copy(runner, candidate, task.fixture, task.setup)
    r.ran = True
    r.output_match, r.files_match = compare(got, want)
    succeeded = got.exit_code == 0
    r.solved = r.output_match and r.files_match and succeeded
    if not r.solved and succeeded and volatile(runner, task, want):
        # `ps`, `free`, `date`: the gold differs from itself, so a difference says nothing about
        # a candidate that succeeds. Only the gold's own text is known to be right then.
        r.solved = same_command(candidate, task.gold)
        if not r.solved:
            r.measurable, r.note = False, "not measurable: the gold command's output changes from run to run here"
            return r
    if not r.solved:
        differs = [w for w, bad in (("output", not r.output_match), ("files", not r.files_match),
                                    (f"exit {got.exit_code}", not succeeded)) if bad]
        r.note = "differs: " + ", ".join(differs)
    return r


@contextmanager
def task_dir(task: Task, runner) -> Iterator[Path]:
    """The directory a user with this task would be in: the fixture (its copy, with the task's
    setup applied in the sandbox, when it has one; an empty directory without a fixture). The
    pipeline's trial run and voting work on copies of it."""
    if task.fixture is not None and not task.setup:
        yield task.fixture
        return
    with tempfile.TemporaryDirectory(prefix="ccgpt-task-") as tmp:
        work = Path(tmp) / "work"
        if task.fixture is not None:
            shutil.copytree(task.fixture, work, symlinks=True)
        else:
            work.mkdir()
        if task.setup:
            runner(task.setup, work)
        yield work


def pipeline_command(suggester, query: str) -> str | None:
    result = suggester.suggest(query, 1)
    return result.candidates[0].command if result.candidates else None


def raw_command(backend, model: str, query: str) -> str | None:
    """The baseline: the task as the only message, the first command found in the answer."""
    from ccgpt.assist.extract import extract_commands
    from ccgpt.assist.prompts import raw_messages
    from ccgpt.llm.base import Options

    completion = backend.chat(model, raw_messages(query), Options(temperature=0.0, max_tokens=120))
    found = extract_commands(completion.text, 1)
    return found[0] if found else None


def evaluate(tasks: list[Task], backend, model: str, runner, *, mode: str = "pipeline", context_for=None,
             classify=None, allow_dangerous: bool = False, progress=None, trial: bool = True) -> Report:
    """context_for(task) -> the context text for the pipeline's prompt (None: no context).
    trial: the pipeline's trial run (assist/trial.py) in the task's directory, as suggest does."""
    from ccgpt.assist.suggest import Suggester, pure_classify

    classify = classify or pure_classify  # tasks run in their fixtures, not in the working directory
    suggester = Suggester(backend, model, None, classify=classify, explain=lambda c: "")
    report = Report(mode, model, getattr(backend, "name", ""))
    for i, task in enumerate(tasks):
        if mode == "raw":
            cmd = raw_command(backend, model, task.query)
        else:
            suggester.context_text = context_for(task) if context_for else None
            with task_dir(task, runner) as here:
                suggester.trial_dir = here if trial else None
                cmd = pipeline_command(suggester, task.query)
        result = score(task, cmd, runner, classify, allow_dangerous)
        report.results.append(result)
        if progress:
            progress(i, result)
    return report
