"""The interactive suggest menu: run, edit, explain, copy, revise, quit.

Only used when stdin and stdout are terminals. Nothing runs without the risk level on screen
and a confirmation that grows with the level: `review` needs y, `dangerous` needs the
command's first word typed, `blocked` never runs. An edited command is classified again: the
level always belongs to the text that would run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

from ccgpt.options import CommonOptions
from ccgpt.term.sanitize import sanitize_line
from ccgpt.ui.candidates import level_tag, render_candidates

HELP = "[r]un  [e]dit  e[x]plain  [c]opy  re[v]ise  [q]uit  or 1-{n} to select"


def clipboard_tool() -> list[str] | None:
    """The system clipboard tool, if any. Never OSC 52: a terminal escape is not a clipboard."""
    options = []
    if os.environ.get("WAYLAND_DISPLAY"):
        options.append(["wl-copy"])
    if os.environ.get("DISPLAY"):
        options += [["xclip", "-selection", "clipboard"], ["xsel", "--clipboard", "--input"]]
    options.append(["pbcopy"])
    for argv in options:
        if shutil.which(argv[0]):
            return argv
    return None


def full_explanation(command: str, color: bool = False) -> str:
    """The grounded part-by-part explanation of `ccgpt explain` (man pages, builtins, syntax);
    the one-line man-page summary if that fails. Never model-written text."""
    try:
        from ccgpt.assist.explanation import build
        from ccgpt.ui.explain_view import render

        return render(build(command), color=color)
    except Exception:  # an unparseable command still gets the short form
        from ccgpt.assist.oneline import explain_one_line

        return "  " + explain_one_line(command)


class Menu:
    def __init__(self, result, suggester, trail, cfg, opts: CommonOptions, *, read=None, write=None):
        self.result = result
        self.suggester = suggester
        self.trail = trail
        self.cfg = cfg
        self.opts = opts
        self.selected = 0
        self.read = read or self._read
        self.write = write or (lambda text: (sys.stdout.write(text), sys.stdout.flush()))

    # -- terminal I/O ------------------------------------------------------------------
    @staticmethod
    def _read(prompt: str, prefill: str | None = None) -> str | None:
        """One line from the person; None on end of input. `prefill` is editable text."""
        try:
            import readline
        except ImportError:  # no line editing: the person retypes
            return Menu._input(prompt)

        def insert_prefill() -> None:
            readline.insert_text(prefill or "")
            readline.redisplay()

        readline.set_pre_input_hook(insert_prefill if prefill else None)
        try:
            return Menu._input(prompt)
        finally:
            readline.set_pre_input_hook(None)

    @staticmethod
    def _input(prompt: str) -> str | None:
        try:
            return input(prompt)
        except EOFError:
            return None

    def _color(self) -> bool:
        return self.opts.color

    @property
    def current(self):
        return self.result.candidates[self.selected]

    def show(self) -> None:
        self.write(render_candidates(self.result, self._color()) + "\n")

    # -- the loop ----------------------------------------------------------------------
    def loop(self) -> int:
        self.show()
        if not self.result.candidates:
            self.trail.update(decision="no-candidates")
            self.write("Nothing to choose from. Rephrase the task, or try another model (-m).\n")
            return 1
        while True:
            n = len(self.result.candidates)
            answer = self.read(f"[{self.selected + 1}] {HELP.format(n=n)}: ")
            if answer is None:
                answer = "q"
            answer = answer.strip().lower()
            if answer.isdigit() and 1 <= int(answer) <= n:
                self.selected = int(answer) - 1
                c = self.current
                self.write(f"selected {answer}: {sanitize_line(c.command)} {level_tag(c.level, self._color())}\n")
            elif answer in ("r", "run"):
                code = self.run_selected()
                if code is not None:
                    return code
            elif answer in ("e", "edit"):
                self.edit()
            elif answer in ("x", "explain"):
                self.write(full_explanation(self.current.command, self._color()) + "\n")
            elif answer in ("c", "copy"):
                self.copy()
            elif answer in ("v", "revise"):
                self.revise()
            elif answer in ("q", "quit", ""):
                self.trail.update(decision="quit")
                return 0
            else:
                self.write(f"? {HELP.format(n=n)}\n")

    # -- actions -----------------------------------------------------------------------
    def edit(self) -> None:
        from ccgpt.assist.suggest import build_candidates

        edited = self.read("edit> ", prefill=self.current.command)
        if edited is None or not edited.strip() or edited.strip() == self.current.command:
            return
        # Classified again: the level belongs to the text that would run, not to its origin.
        cand = build_candidates([edited.strip()], self.suggester.classify, self.suggester.explain)[0]
        self.result.candidates.insert(0, cand)
        self.selected = 0
        self.trail.update(decision="edit", command=cand.command, level=cand.level, findings=cand.findings)
        self.show()

    def copy(self) -> None:
        tool = clipboard_tool()
        if tool is None:
            self.write("no clipboard tool found (wl-copy, xclip, xsel or pbcopy); select the text instead\n")
            return
        try:
            subprocess.run(tool, input=self.current.command, text=True, check=True, timeout=5,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError) as exc:
            self.write(f"copy failed ({tool[0]}): {sanitize_line(str(exc))}\n")
            return
        self.trail.update(decision="copy")
        self.write(f"copied to the clipboard with {tool[0]}\n")

    def revise(self) -> None:
        change = self.read("what should change? ")
        if not change or not change.strip():
            return
        self.write("asking the model...\n")
        n = max(1, len(self.result.candidates))
        revised = self.suggester.revise(self.result.task, self.current.command, change.strip(), n)
        self.trail.update(decision="revise")
        if not revised.candidates:
            self.write("the model gave no usable command; the previous candidates stay\n")
            return
        self.result.candidates = revised.candidates
        self.selected = 0
        self.show()

    def run_selected(self) -> int | None:
        """Run the selected candidate after confirmation. Returns an exit code, or None to stay."""
        cand = self.current
        if cand.level == "blocked":
            self.write("refused: this command is blocked by the risk policy and never runs from ccgpt\n")
            for f in cand.findings:
                self.write(f"  ! {sanitize_line(str(f.get('message', '')))}\n")
            self.trail.update(decision="refused-blocked")
            return None
        return run_confirmed(self, cand)


def run_confirmed(menu: Menu, cand) -> int:
    """Run through `ccgpt run`'s executor: it shows the command and level, asks the confirmation
    the level demands (y for review, the first word typed for dangerous), runs it in the
    sandbox and records the run. Its exit code ends the menu."""
    from ccgpt.run.execute import Assessment, execute
    from ccgpt.run.options import RunOptions

    started = time.perf_counter()
    # The candidate's level and findings came from the risk engine for exactly this text.
    code = execute(cand.command, RunOptions(tty=True, color=menu._color()),
                   assessment=Assessment(cand.level, list(cand.findings)), cwd=os.getcwd(),
                   section=menu.cfg.section("sandbox"), task=menu.result.task)
    menu.trail.update(decision="run", exit_code=code, duration_ms=(time.perf_counter() - started) * 1000)
    if code == 0:
        from ccgpt.assist.shell_history import maybe_save

        maybe_save(menu.cfg, cand.command)
    return code


def pick_for_line_buffer(result, trail, opts: CommonOptions) -> int:
    """`--print-only`: draw the list on stderr, let the person pick, print only the pick on stdout.

    Never runs anything; a blocked command is never handed to the shell's line buffer.
    """
    err = sys.stderr
    allowed = [c for c in result.candidates if c.level != "blocked"]
    if not opts.quiet:
        err.write(render_candidates(result, opts.color_err) + "\n")
    if not allowed:
        trail.update(decision="refused-blocked" if result.candidates else "no-candidates")
        err.write("ccgpt: no candidate can be offered (none, or only blocked ones)\n")
        return 1
    choice = allowed[0]
    if sys.stdin.isatty() and err.isatty():
        from ccgpt.ui.terminal import ask_line

        n = len(result.candidates)
        typed = ask_line(f"pick 1-{n} (Enter: {result.candidates.index(choice) + 1}, q: cancel): ", out=err)
        answer = "q" if typed is None else typed.strip().lower()  # Ctrl-C and Ctrl-D cancel too
        if answer == "q":
            trail.update(decision="quit")
            return 1
        if answer.isdigit() and 1 <= int(answer) <= n:
            picked = result.candidates[int(answer) - 1]
            if picked.level == "blocked":
                err.write("ccgpt: refused: that command is blocked by the risk policy\n")
                trail.update(decision="refused-blocked")
                return 1
            choice = picked
    trail.update(decision="line-buffer", command=choice.command, level=choice.level, findings=choice.findings)
    sys.stdout.write(sanitize_line(choice.command) + "\n")
    return 0
