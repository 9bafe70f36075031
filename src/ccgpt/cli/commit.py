"""`ccgpt commit [--print-only]` / `ccgpt commit install-hook|uninstall-hook`.

A commit message for the staged diff. At a terminal it is shown with a menu (commit, edit,
regenerate, quit) and committed only when the person chooses to, through `git commit -F`.
`--print-only` prints the message and nothing else (for scripts and the hook). Without a
terminal and without --print-only, the message is printed and nothing is committed (exit 1).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

from ccgpt.errors import CcgptError

MENU = "[c]ommit  [e]dit  [r]egenerate  [q]uit: "


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=("install-hook", "uninstall-hook"),
                        help="install (or remove) a prepare-commit-msg hook that proposes the message")
    parser.add_argument("--print-only", action="store_true", help="print the message only; never commit")
    parser.add_argument("--style", choices=("conventional", "plain"),
                        help="message style (default: [ccgpt.commit] style, conventional)")
    parser.add_argument("--role", default="commit", metavar="NAME", help="role whose instructions write it (default: commit)")
    parser.add_argument("--force", action="store_true", help="install-hook: replace another program's hook")


def _hook(args, root) -> int:
    from ccgpt.assist import commit_hook

    if args.action == "install-hook":
        path = commit_hook.install(root, force=args.force)
        print(f"installed {path}: a plain `git commit` now opens the editor on a proposed message", file=sys.stderr)
    else:
        path = commit_hook.uninstall(root)
        print(f"removed {path}", file=sys.stderr)
    return 0


def _staged(root):
    from ccgpt.assist.gitdiff import read_diff

    files = read_diff(root, ["--cached"])  # also right before the first commit: against the empty tree
    if not files:
        raise CcgptError("nothing staged to commit: `git add` the changes first")
    return files


class Writer:
    """Generates (and regenerates) the message; remembers the completions for the log."""

    def __init__(self, args, cfg, files):
        from ccgpt.assist.roles import get_role, role_model
        from ccgpt.llm.registry import resolve_backend

        self.args, self.cfg, self.files = args, cfg, files
        self.role = get_role(args.role)
        self.style = args.style or str(cfg.get("commit.style", "conventional"))
        if self.style not in ("conventional", "plain"):
            raise CcgptError(f"[ccgpt.commit] style must be conventional or plain, not {self.style!r}")
        self.backend, model = resolve_backend(cfg, args, task=self.role.task, quiet=args.quiet)
        self.model = role_model(self.role, self.backend.name, args.model, model)
        self.tries = 0

    def message(self) -> str:
        from ccgpt.assist.commit import generate
        from ccgpt.store.interactions import log_quietly

        temperature = self.role.temperature if self.tries == 0 else 0.8
        text, completion, _ = generate(self.backend, self.model, self.files, cfg=self.cfg, system=self.role.system,
                                       style=self.style, temperature=temperature, seed=self.tries or None)
        self.tries += 1
        log_quietly(self.cfg, self.args, "commit", "commit message for: " + ", ".join(f.path for f in self.files),
                    completion)
        return text


def _edit(message: str, root) -> str | None:
    """Open the person's git editor on the message; None when they emptied it."""
    from ccgpt.assist.gitdiff import git

    editor = git(["var", "GIT_EDITOR"], root).strip() or "vi"
    fd, path = tempfile.mkstemp(prefix="ccgpt-commit-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(message + "\n# Lines starting with '#' are ignored; an empty message cancels.\n")
        subprocess.run(["sh", "-c", editor + ' "$@"', editor, path], cwd=root, check=False)
        with open(path, encoding="utf-8", errors="replace") as fh:
            kept = [l for l in fh.read().split("\n") if not l.startswith("#")]
        text = "\n".join(kept).strip()
        return text or None
    finally:
        os.unlink(path)


def git_commit(message: str, root) -> int:
    """`git commit -F FILE`, the message in a private temporary file; git's output passes through."""
    fd, path = tempfile.mkstemp(prefix="ccgpt-commit-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(message)
        return subprocess.run(["git", "commit", "-F", path], cwd=root, check=False).returncode
    finally:
        os.unlink(path)


def _menu(writer: Writer, message: str, root) -> int:
    from ccgpt.assist.commit import clean_message, problems
    from ccgpt.term.sanitize import sanitize

    while True:
        print("\n" + sanitize(message).rstrip("\n") + "\n")
        for problem in problems(message, writer.style):
            print(f"  note: {problem}")
        try:
            choice = input(MENU).strip().lower()
        except EOFError:
            choice = "q"
        if choice in ("c", "commit", "y", "yes"):
            return git_commit(message, root)
        if choice in ("e", "edit"):
            edited = _edit(message, root)
            if edited is None:
                print("empty message: keeping the previous one")
            else:
                message = clean_message(edited, writer.files, writer.style)
        elif choice in ("r", "regenerate"):
            message = writer.message()
        elif choice in ("q", "quit", "n", "no"):
            print("not committed", file=sys.stderr)
            return 1
        else:
            print("choose c, e, r or q")


def run(args: argparse.Namespace) -> int:
    from ccgpt.assist.gitdiff import repo_root
    from ccgpt.cli.common import interactive, load_config

    root = repo_root()
    if args.action:
        return _hook(args, root)
    files = _staged(root)
    cfg = load_config(args)
    writer = Writer(args, cfg, files)
    try:
        message = writer.message()
        if args.print_only or args.json:
            if args.json:
                from ccgpt.cli.common import print_json

                print_json({"message": message, "model": writer.model, "backend": writer.backend.name,
                            "files": [f.path for f in files]})
            else:
                sys.stdout.write(message)
            return 0
        if not interactive():
            sys.stdout.write(message)
            print("ccgpt: not committed: no terminal to confirm (commit it with `git commit -F FILE`, "
                  "or use --print-only)", file=sys.stderr)
            return 1
        return _menu(writer, message, root)
    finally:
        writer.backend.close()
