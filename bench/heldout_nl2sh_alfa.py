#!/usr/bin/env python3
"""The held-out acceptance figure: the default pipeline on the NL2SH-ALFA test set (`icalfa`).

NEVER tune on this: its tasks are not in any prompt, example or dev-set task, and this script
is meant to be run once, at the end, to report the figure (target >= 60 % execution-
equivalent with the default model). The package is data here: its files are found with
importlib and never imported (its `__init__` pulls Docker and gymnasium). Not named
bench_*.py, so `make bench` does not run it.

The set's five Docker images (`--fs 1` to `5`: 153, 49, 57, 23 and 18 tasks) each build a file
tree with a setup script, under `/testbed`, `/system` or `/workspace` and `/backup` (image 4
builds none: its tasks ask about the system); here the same script runs in the sandbox with
each top directory it makes rewritten to `./NAME`, and each task's query and gold get the same
rewrite; commands run from the directory holding those trees (the image's `/`), which also
holds the setup script itself (the image keeps it in its working directory, and tasks read it),
with the image's `ENV` variables exported (`$FILES`). Judged by
`ccgpt eval`'s rule (same output, same files, both succeed) against either of the set's two
reference commands (`gold`, `gold2`): stricter than the set's own judge, which also accepts
a command whose output differs but answers the question (`uptime` for `w`). A task whose
references print something else on each run (`ps`, `free`) is not measurable unless the answer
is a reference's own text. The set's image also installs tools a Debian machine may lack;
without them those references fail here and their tasks are not measurable:

    apt-get install tree ncal bsdextrautils cron dnsutils jq cpio psmisc net-tools

    pip install --no-deps icalfa==0.3.6
    python bench/heldout_nl2sh_alfa.py [--fs 1] [--every K [--offset I]] [--limit N]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def assets() -> Path:
    spec = importlib.util.find_spec("icalfa")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("icalfa is not installed: pip install --no-deps icalfa==0.3.6")
    return Path(list(spec.submodule_search_locations)[0]) / "assets"


def tree_roots(setup: str) -> list[str]:
    """The top directories the setup script makes (`mkdir -p /testbed/dir1` makes `testbed`)."""
    return sorted(set(re.findall(r"^mkdir (?:-\S+ )*/([A-Za-z_][\w-]*)", setup, re.M)))


def localizer(roots: list[str]):
    """`/testbed/x` -> `./testbed/x` for each root, only where the path starts (not `a/testbed`,
    not `./testbed`, not `/workspace/backup` when `backup` is a root too)."""
    if not roots:
        return lambda text: text
    pattern = re.compile(r"(?<![\w./~-])/(" + "|".join(map(re.escape, roots)) + r")(?![\w-]|\.\w)")
    return lambda text: pattern.sub(r"./\1", text)


def image_env(dockerfile: Path, localize) -> str:
    """The image's `ENV NAME="value"` lines as an export prefix (tasks such as `cat $FILES` use them)."""
    exports = []
    for line in dockerfile.read_text().splitlines():
        if line.startswith("ENV ") and "=" in line:
            name, value = line[4:].split("=", 1)
            exports.append(f"export {name.strip()}={localize(value.strip())}; ")
    return "".join(exports)


class ImageRunner:
    """The sandbox runner with the image's environment variables set before each command (the
    judge's runs; the pipeline's own trial run does not see them, as a user's shell would not)."""

    def __init__(self, runner, prefix: str):
        self.runner, self.prefix = runner, prefix

    def __call__(self, command: str, cwd: Path):
        return self.runner(self.prefix + command, cwd)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fs", type=int, default=1)
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--offset", type=int, default=0, help="start at this task (with --every: another slice)")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--vote", type=int, default=0, help="execution-checked voting over N answers")
    parser.add_argument("--no-trial", action="store_true", help="without the trial run (on by default)")
    parser.add_argument("-v", "--verbose", action="store_true")
    opts = parser.parse_args()

    from ccgpt.assist import context
    from ccgpt.assist.evaluate import SandboxRunner, Task, score
    from ccgpt.assist.suggest import Suggester, pure_classify
    from ccgpt.risk import classify
    from ccgpt.run.fsprobe import FilesystemProbe
    from ccgpt.llm.embedded import DEFAULT, EmbeddedBackend

    os.environ.setdefault("OLLAMA_HOST", "127.0.0.1:9")
    base = assets()
    script = base / "docker" / f"setup_nl2b_fs_{opts.fs}.sh"
    original = script.read_text()
    localize = localizer(tree_roots(original))
    setup = localize(original)
    data = json.loads((base / "datasets" / f"nl2bash_fs_{opts.fs}.json").read_text())[opts.offset :: opts.every][: opts.limit]
    runner = ImageRunner(SandboxRunner({}, timeout=15), image_env(base / "docker" / f"nl2bash{opts.fs}.Dockerfile", localize))
    fixture = Path(tempfile.mkdtemp(prefix="nl2sh-")) / "root"
    fixture.mkdir()
    built = runner(setup, fixture)  # package data: built inside the sandbox, in the temp dir only
    if built.exit_code != 0:
        print(f"warning: the setup script exited {built.exit_code}", file=sys.stderr)
    # The image keeps its setup script in the working directory, and some tasks read it.
    (fixture / script.name).write_text(original)
    (fixture / script.name).chmod(0o755)
    backend = EmbeddedBackend(model=DEFAULT, n_ctx=4096, n_threads=opts.threads or None)
    solved = measured = 0
    started = time.perf_counter()
    for item in data:
        query, gold = (localize(item[k]) for k in ("query", "gold"))
        s = Suggester(backend, "embedded", context.gather(False, 40, cwd=fixture).render(), explain=lambda c: "",
                      classify=lambda c: classify(c, probe=FilesystemProbe(cwd=str(fixture))),  # the user is there
                      vote=opts.vote, vote_dir=fixture, trial_dir=None if opts.no_trial else fixture,
                      workdir=fixture)
        result = s.suggest(query, 1)
        cmd = result.candidates[0].command if result.candidates else None
        r = score(Task(query, gold, fixture), cmd, runner, pure_classify, True)
        gold2 = localize(item.get("gold2", ""))
        if not r.solved and gold2 and gold2 != gold:  # the set gives a second reference command
            r2 = score(Task(query, gold2, fixture), cmd, runner, pure_classify, True)
            r.solved, r.measurable = r2.solved, r.measurable or r2.measurable
        solved += r.solved
        measured += r.measurable
        if opts.verbose:
            print(("ok  " if r.solved else "FAIL" if r.measurable else "n/a ") + f" {cmd}", file=sys.stderr)
            if s.trial_replaced:
                print(f"     (the trial's repair replaced: {s.trial_replaced})", file=sys.stderr)
    seconds = time.perf_counter() - started
    print(f"NL2SH-ALFA fs_{opts.fs}: {len(data)} tasks, {measured} measurable; {'vote=' + str(opts.vote) if opts.vote else 'default'} pipeline ({DEFAULT}, -n 1): "
          f"{solved}/{measured} = {solved / max(1, measured):.1%} execution-equivalent ({seconds / max(1, len(data)):.1f} s/task)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
