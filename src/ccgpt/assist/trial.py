"""A trial run of the best candidate: a command the risk engine rates `safe` runs once in the
preview sandbox, on a throwaway copy of the working directory, with no network and a short
time limit. When it fails with an error message (`find: unknown predicate '-mtime+7'`,
`ls: unrecognized option '--max-depth=1'`), the model sees the message for one repair round.

Small models often write a command that is nearly right and that the shell rejects at once;
the error says exactly what is wrong, which the model can act on. A stage of a pipeline that
fails counts (pipefail), so `ls --max-depth=1 | sort` is caught too. A command that fails only
because the sandbox is not the user's machine (no network, an empty home) is no evidence:
the repair replaces it only when the new command is `safe` too and succeeds in the same trial,
and a failure that stays is shown as a note, never hidden. Nothing above `safe` ever runs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TIMEOUT_S = 3.0
SIGPIPE_EXIT = 128 + 13
MAX_ERROR_LINES = 4
MAX_ERROR_CHARS = 300


@dataclass
class Trial:
    exit_code: int
    error: str  # the first lines of what it printed on stderr, printable characters only

    @property
    def failed(self) -> bool:
        # Exit 1 without a message is how grep, diff and test say "no" or "not found": not an
        # error; nor is 141, a stage stopped by SIGPIPE because `head` had read enough (pipefail).
        return self.exit_code not in (0, SIGPIPE_EXIT) and bool(self.error)


def _printable(text: str) -> str:
    """The first lines of stderr, printable and redacted: an error can quote the file it read
    (`awk -f .env` prints the offending line), and this text goes to the model, which may be a
    remote one, and into the candidate's note."""
    from ccgpt.security.redact import redact

    text = redact(text)
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = "".join(ch for ch in line.replace("\t", " ") if ch.isprintable()).strip()  # a tab separates words
        if line and not line.startswith("[ccgpt: "):  # the sandbox's own notes are not the command's
            lines.append(line)
        if len(lines) == MAX_ERROR_LINES:
            break
    return "\n".join(lines)[:MAX_ERROR_CHARS]


def trial_run(command: str, cwd: Path, runner=None) -> Trial | None:
    """Run `command` on a copy of `cwd` in the sandbox; None when it could not be tried (the
    directory is too big to copy, the sandbox is unavailable, the time limit ran out)."""
    from ccgpt.assist.copyrun import SandboxRunner, run_on_copy
    from ccgpt.assist.voting import small_enough

    try:
        if not small_enough(cwd):
            return None
        runner = runner or SandboxRunner({}, timeout=TIMEOUT_S)
        # pipefail: `ls --max-depth=1 . | sort | head` fails in ls, but a pipeline's status is
        # its last stage's (0); the message on stderr is what the model needs to hear.
        outcome = run_on_copy(runner, "set -o pipefail\n" + command, cwd)
    except Exception:  # no sandbox, no trial: never a run outside it
        return None
    if outcome.timed_out:
        return None  # `tail -f`, `watch`: still running is not a failure
    return Trial(outcome.exit_code, _printable(outcome.stderr))


def trial_request(command: str, trial: Trial) -> str:
    return (f"Running `{command}` failed (exit status {trial.exit_code}):\n{trial.error}\n"
            "It ran in a sandbox with no network. If the command is wrong, reply with a corrected "
            "command; if it is right for the task, reply with it unchanged. Use a ```bash code block.")
