"""The `suggest` use case: a task in words -> ranked, risk-classified candidate commands.

Steps: build the prompt (a fixed prefix of worked examples, then the task and machine context,
with `ground` the SYNOPSIS lines of the programs it names) -> ask the model, once greedily and
then with sampling until there are enough distinct candidates -> extract commands from each
answer -> de-duplicate (counting how often each came up: agreement between samples is the best
cheap signal of a right answer) -> classify each with the risk engine -> check each one (parses?
programs installed? options documented by the man page? ShellCheck's wrong-as-written findings,
lint_check.py? a file the task names left out, named_paths.py?) -> mechanical fixes (mend.py:
a spaced name quoted, find's `-o` alternatives grouped) -> one repair round for the best
candidate when a check fails -> a trial run of the best `safe` one on a copy of the directory
(trial.py: an error message goes back to the model once) -> rank -> explain each in one
grounded line.

Ranking also weighs what the task asks for: a candidate the risk engine rates above `safe` for
a task that only asks to look ("find files bigger than 1MB" answered with `-delete`) goes below
the others and says why; with `cautious` (the key binding's `--print-only`), a `dangerous`
candidate never comes before a safer one.

The level always comes from `ccgpt.risk.classify`, never from the model. Nothing here runs anything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ccgpt.assist import prompts
from ccgpt.assist.analysis import analyze
from ccgpt.assist.extract import extract_commands
from ccgpt.assist.grounding import Grounder
from ccgpt.assist.intent import does_more_than_asked
from ccgpt.assist.lint_check import repair_request, shell_bugs
from ccgpt.assist.named_paths import unused_paths
from ccgpt.assist.options_check import OptionChecker
from ccgpt.llm.base import Backend, Completion, Message, Options

LEVELS = ("safe", "review", "dangerous", "blocked")
MAX_TOKENS = 120


@dataclass
class Candidate:
    command: str
    level: str = "review"
    findings: list[dict] = field(default_factory=list)
    explanation: str = ""
    parses: bool = True
    missing: list[str] = field(default_factory=list)
    votes: int = 1
    order: int = 0  # position of first appearance in the model's answers
    runs_program: bool = True  # False for a bare assignment such as `i=1`
    cut_off: bool = False  # the answer hit the token limit inside this command
    undocumented: list[str] = field(default_factory=list)  # options its man page does not have
    shell_bugs: list[str] = field(default_factory=list)  # ShellCheck: wrong as written (lint_check.py)
    unused: list[str] = field(default_factory=list)  # files the task names that it does not use
    agreed: int = 0  # answers for other commands whose sandboxed run gave the same output (voting)
    above_task: bool = False  # rated above `safe` for a task that only asks to look
    trial_error: str = ""  # the error its sandboxed trial run printed (trial.py), if it failed

    @property
    def usable(self) -> bool:
        return self.parses and not self.missing and self.runs_program and not self.cut_off

    @property
    def verdicts(self) -> list[str]:
        """What the checks say is wrong with it as written (each sent back in the repair round)."""
        return self.undocumented + self.shell_bugs + [f"does not use {p}, which the task names" for p in self.unused]

    @property
    def note(self) -> str | None:
        """Why the candidate is ranked last, in words, or None."""
        if self.cut_off:
            # `rm -rf /tmp/build` cut after `rm -rf /` is a different command: never offer it first.
            return "the model's answer was cut off inside this command"
        if not self.parses:
            return "does not parse as a shell command"
        if self.missing:
            return "not installed: " + ", ".join(self.missing)
        if not self.runs_program:
            return "runs no program"
        if self.above_task:
            return f"does more than the task asks: rated {self.level} for a task that only asks to look"
        if self.verdicts:
            return "; ".join(self.verdicts)
        if self.trial_error:
            return f"failed in a sandboxed trial run: {self.trial_error}"
        return None

    def to_json(self) -> dict:
        return {
            "command": self.command,
            "level": self.level,
            "findings": self.findings,
            "explanation": self.explanation,
            "parses": self.parses,
            "missing": self.missing,
            "votes": self.votes,
            "note": self.note,
        }


@dataclass
class SuggestResult:
    task: str
    model: str
    backend: str
    candidates: list[Candidate]
    completions: list[Completion] = field(default_factory=list)
    prompt: str = ""
    duration_ms: float = 0.0

    def to_json(self) -> dict:
        return {
            "task": self.task,
            "model": self.model,
            "backend": self.backend,
            "candidates": [c.to_json() for c in self.candidates],
        }


def default_classify(command: str):
    """The risk engine with the real filesystem probe (RISK-POLICY reading 11): a candidate that
    writes a file which does not exist yet creates it (`review`); one that exists is overwritten
    (`dangerous`). The candidates are for the user's working directory, so that is where it looks."""
    from ccgpt.risk.classify import classify
    from ccgpt.run.fsprobe import FilesystemProbe

    return classify(command, probe=FilesystemProbe())


def pure_classify(command: str):
    """The risk engine from the text alone (no probe): for candidates judged elsewhere than the
    working directory, such as `ccgpt eval`'s fixtures."""
    from ccgpt.risk.classify import classify

    return classify(command)


def risk_of(command: str, classify=default_classify) -> tuple[str, list[dict]]:
    """(level, findings as JSON dicts) from the risk engine."""
    verdict = classify(command)
    data = verdict.to_json() if hasattr(verdict, "to_json") else {}
    findings = data.get("findings") if isinstance(data, dict) else None
    if findings is None:
        findings = [
            {"rule": f.rule, "level": f.level, "message": f.message, "span": list(f.span)} for f in verdict.findings
        ]
    return verdict.level, list(findings)


def rank_key(c: Candidate, cautious: bool = False) -> tuple:
    # Anything blocked goes last (it is shown, never offered first); then usable before unusable;
    # with `cautious`, dangerous after everything safer; then candidates that do more than the
    # task asks; then those using undocumented options, that ShellCheck finds wrong as written or
    # that leave out a file the task names;
    # then those whose trial run failed; then
    # the candidates most answers support (answers giving the same command, plus with voting
    # answers whose command printed the same in the sandbox); then the model's own order.
    return (c.level == "blocked", not c.usable, cautious and c.level == "dangerous", c.above_task,
            bool(c.verdicts), bool(c.trial_error), -(c.votes + c.agreed), c.order)


def rank(candidates: list[Candidate], cautious: bool = False) -> list[Candidate]:
    return sorted(candidates, key=lambda c: rank_key(c, cautious))


def build_candidates(commands: list[str], classify=default_classify, explain=None, which=None) -> list[Candidate]:
    """Check, classify and explain already-extracted commands (first appearance = order)."""
    from ccgpt.assist.oneline import explain_one_line

    explain = explain or explain_one_line
    out = []
    for i, cmd in enumerate(commands):
        analysis = analyze(cmd) if which is None else analyze(cmd, which=which)
        level, findings = risk_of(cmd, classify)
        try:
            text = explain(cmd)
        except Exception:  # an explanation is a nicety; a broken man page must not lose the candidate
            text = ""
        out.append(Candidate(cmd, level, findings, text, analysis.parses, analysis.missing, order=i,
                             runs_program=bool(analysis.programs)))
    return out


class Suggester:
    """Holds what one suggest session needs; `suggest` and `revise` both return ranked candidates."""

    def __init__(self, backend: Backend, model: str, context_text: str | None = None, *,
                 classify=default_classify, explain=None, which=None, max_tokens: int = MAX_TOKENS,
                 nearest: int = 0, check_options: bool = True, cautious: bool = False, options_checker=None,
                 vote: int = 0, vote_dir=None, ground: bool = False, grounder=None,
                 trial_dir=None, trial_runner=None, check_shell: bool = True, shell_checker=None,
                 shell: str = "bash", workdir=None):
        self.backend = backend
        self.model = model
        self.context_text = context_text
        self.classify = classify
        self.explain = explain
        self.which = which
        self.max_tokens = max_tokens
        self.nearest = nearest  # worked examples chosen per task, after the fixed ones
        self.cautious = cautious
        # vote > 0: sample that many answers, and run the safe candidates in the sandbox on a copy
        # of vote_dir (the working directory) so that agreeing outputs rank first.
        self.vote = vote
        self.vote_dir = vote_dir
        self.options = (options_checker or OptionChecker()) if check_options else None
        # check_shell: ShellCheck's wrong-as-written findings (lint_check.py) in the user's shell
        # join the repair round.
        self.shell_check = (shell_checker or (lambda command: shell_bugs(command, shell))) if check_shell else None
        # ground: the SYNOPSIS lines of the programs the task names go into its context.
        self.grounder = (grounder or Grounder()) if ground else None
        self.ground_ms = 0.0  # what the last lookup cost
        # trial_dir: the best safe candidate runs once in the sandbox on a copy of it; a failure
        # with an error message gets one repair round (trial.py). None: no trial run.
        self.trial_dir = trial_dir
        self.trial_runner = trial_runner
        self.trial_replaced: str | None = None  # the command the last trial's repair replaced
        # workdir: where the command will run: the files the task names are looked up there
        # (named_paths.py: a spaced name quoted, a named file left out). None: not looked up.
        self.workdir = workdir

    def _context(self, task: str) -> str | None:
        """The machine context, with the task's synopsis lines when grounding is on. It goes into
        the task's own turn, after the fixed prefix, so the cached prefix stays the same."""
        if self.grounder is None:
            return self.context_text
        started = time.perf_counter()
        block = self.grounder.block(task)
        self.ground_ms = (time.perf_counter() - started) * 1000
        if not block:
            return self.context_text
        return f"{self.context_text}\n{block}" if self.context_text else block

    def _sample(self, messages, n: int) -> tuple[list[str], dict[str, int], list[Completion], set[str]]:
        """Ask until n distinct whole commands (or n + 2 answers); count how often each came up.
        Also returns the commands that were cut off by the token limit (the last of such an answer):
        they do not count towards n, so a greedy answer stuck in a loop (`--include='*.rs'` forty
        times) is followed by a sampled one instead of being all the user gets."""
        seen: list[str] = []
        votes: dict[str, int] = {}
        cut: set[str] = set()
        completions = []
        attempts = 0
        want = max(n, self.vote)
        while attempts < want + 2 and sum(key not in cut for key in votes) < want:
            # Greedy first (the model's best guess), then sampling for alternatives.
            temperature = 0.0 if attempts == 0 else 0.8
            options = self._options(temperature, attempts or None)
            completion = self.backend.chat(self.model, messages, options)
            completions.append(completion)
            attempts += 1
            found = extract_commands(completion.text)
            if found and completion.finish_reason == "length":
                cut.add(" ".join(found[-1].split()))
            for cmd in found[:n]:
                key = " ".join(cmd.split())
                if key not in votes:
                    seen.append(cmd)
                    votes[key] = 0
                votes[key] += 1
        return seen, votes, completions, cut

    def _options(self, temperature: float, seed: int | None) -> Options:
        return Options(temperature=temperature, max_tokens=self.max_tokens, seed=seed,
                       fixed_prefix=prompts.SUGGEST_PREFIX_LENGTH)

    def _check(self, task: str, candidates: list[Candidate]) -> None:
        for c in candidates:
            c.above_task = does_more_than_asked(task, c.level)
            if self.options is not None and c.usable:
                c.undocumented = self.options.undocumented(c.command)
            if self.shell_check is not None and c.usable:
                c.shell_bugs = self.shell_check(c.command)
            if self.workdir is not None and c.usable:
                c.unused = unused_paths(c.command, task, self.workdir)

    def _mend(self, task: str, candidates: list[Candidate]) -> None:
        """The mechanical fixes (mend.py: a spaced name quoted, find's `-o` alternatives
        grouped), made without the model, which does not make them when asked. A fixed command
        replaces the candidate only when it is usable and no check finds anything new in it;
        it is classified again, so the level shown is its own."""
        from ccgpt.assist.mend import mended

        for c in list(candidates):
            fixed_command = mended(c.command, task, self.workdir) if c.usable else None
            if fixed_command is None:
                continue
            same = [o for o in candidates if " ".join(o.command.split()) == " ".join(fixed_command.split())]
            if same:  # another answer was already the fixed command: it gets this one's votes
                same[0].votes += c.votes
                candidates.remove(c)
                continue
            [fixed] = build_candidates([fixed_command], self.classify, self.explain, self.which)
            self._check(task, [fixed])
            if fixed.usable and set(fixed.verdicts) <= set(c.verdicts):
                fixed.order, fixed.votes = c.order, c.votes
                candidates[candidates.index(c)] = fixed

    def _repair(self, task: str, messages, candidates: list[Candidate], completions: list[Completion]) -> None:
        """One round for the best candidate when its options are not in the man page, ShellCheck
        finds it wrong as written or it leaves out a file the task names: the model gets the
        verdicts; the repair replaces it only when it passes the same checks."""
        best = rank(candidates, self.cautious)[0] if candidates else None
        if best is None or not best.verdicts:
            return
        request = repair_request(best.command, best.undocumented, best.shell_bugs, best.unused)
        fixed = self._ask_again(task, messages, best, request, completions)
        if fixed is not None:
            fixed.order, fixed.votes = best.order, best.votes
            candidates[candidates.index(best)] = fixed

    def _try(self, task: str, messages, candidates: list[Candidate], completions: list[Completion]) -> None:
        """The trial run of the best candidate (trial.py): when it fails with a message, the model
        sees the message once; its answer replaces the candidate only when it is `safe` as well
        and its own trial does not fail. A failure that stays is marked."""
        best = rank(candidates, self.cautious)[0] if candidates else None
        if self.trial_dir is None or best is None or best.level != "safe" or not best.usable:
            return
        from pathlib import Path

        from ccgpt.assist.trial import trial_request, trial_run

        cwd = Path(self.trial_dir)
        tried = trial_run(best.command, cwd, self.trial_runner)
        if tried is None or not tried.failed:
            return
        best.trial_error = tried.error.split("\n")[0]
        fixed = self._ask_again(task, messages, best, trial_request(best.command, tried), completions)
        if fixed is None or fixed.level != "safe":
            return
        again = trial_run(fixed.command, cwd, self.trial_runner)
        if again is None or again.failed:
            return
        fixed.order, fixed.votes = best.order, best.votes
        candidates[candidates.index(best)] = fixed
        self.trial_replaced = best.command

    def _ask_again(self, task: str, messages, best: Candidate, request: str, completions: list[Completion]):
        """One more greedy turn after the model's own answer; the new candidate, checked, or None
        when the model kept its command or gave nothing usable."""
        ask = list(messages) + [Message("assistant", f"```bash\n{best.command}\n```"), Message("user", request)]
        completion = self.backend.chat(self.model, ask, self._options(0.0, None))
        completions.append(completion)
        found = extract_commands(completion.text)
        if not found or completion.finish_reason == "length" or " ".join(found[0].split()) == " ".join(best.command.split()):
            return None
        [fixed] = build_candidates(found[:1], self.classify, self.explain, self.which)
        self._check(task, [fixed])
        return fixed if fixed.usable and not fixed.verdicts else None

    def _finish(self, task: str, messages, n: int) -> SuggestResult:
        started = time.perf_counter()
        self.trial_replaced = None
        commands, votes, completions, cut = self._sample(messages, n)
        candidates = build_candidates(commands, self.classify, self.explain, self.which)
        for c in candidates:
            key = " ".join(c.command.split())
            c.votes = votes.get(key, 1)
            c.cut_off = key in cut
        self._check(task, candidates)
        self._mend(task, candidates)
        self._repair(task, messages, candidates, completions)
        self._try(task, messages, candidates, completions)
        if self.vote > 1:
            from pathlib import Path

            from ccgpt.assist.voting import execution_votes

            for i, agreed in execution_votes(candidates, Path(self.vote_dir or ".")).items():
                candidates[i].agreed = agreed
        ranked = rank(candidates, self.cautious)[:n]
        last = completions[-1] if completions else None
        return SuggestResult(
            task=task,
            model=(last.model if last else self.model) or self.model,
            backend=(last.backend if last else getattr(self.backend, "name", "")) or getattr(self.backend, "name", ""),
            candidates=ranked,
            completions=completions,
            prompt=messages[-1].content,
            duration_ms=(time.perf_counter() - started) * 1000,
        )

    def suggest(self, task: str, n: int = 3) -> SuggestResult:
        return self._finish(task, prompts.suggest_messages(task, self._context(task), self.nearest), max(1, n))

    def revise(self, task: str, previous: str, change: str, n: int = 3) -> SuggestResult:
        messages = prompts.revise_messages(task, self._context(task), previous, change)
        return self._finish(task, messages, max(1, n))
