"""Entry point: a small dispatcher that imports only the command being run.

Why not one big argparse tree: building every sub-parser means importing every command
module, and start-up time is a feature (`ccgpt --help` and `ccgpt check` must stay far below
100 ms). So the top-level help is printed from the table below, and only the chosen
command's module is imported and asked to configure its own parser.

Each command module exposes:
    configure(parser: argparse.ArgumentParser) -> None
    COMMAND_WORDS = True                            (optional: its arguments are a command line)
    run(args: argparse.Namespace) -> int            (the process exit code)
"""

from __future__ import annotations

import os
import sys

from ccgpt import __version__

# name -> (module, one-line summary shown by `ccgpt --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "ask": ("ccgpt.cli.ask", "ask a model one question (piped stdin is added as context)"),
    "chat": ("ccgpt.cli.chat", "interactive conversation, stored and resumable"),
    "suggest": ("ccgpt.cli.suggest", "turn a task into shell commands, each shown with its risk level"),
    "explain": ("ccgpt.cli.explain", "explain a command from the machine's own man pages"),
    "script": ("ccgpt.cli.script", "generate a shell script, lint it, risk-scan it, save it (never runs it)"),
    "check": ("ccgpt.cli.check", "classify a command's risk (offline, no model)"),
    "run": ("ccgpt.cli.run", "run a command or script in a sandbox after confirmation"),
    "models": ("ccgpt.cli.models", "list, pull, remove, show, recommend or choose models"),
    "serve": ("ccgpt.cli.serve", "local gateway: Ollama- and OpenAI-compatible API with keys and limits"),
    "keys": ("ccgpt.cli.keys", "create, list or revoke API keys for the gateway; usage per key and day"),
    "audit": ("ccgpt.cli.audit", "security self-check of this installation"),
    "history": ("ccgpt.cli.history", "search the local log of prompts, suggestions and runs"),
    "config": ("ccgpt.cli.config", "show, locate or create the configuration"),
    "shell-init": ("ccgpt.cli.shell_init", "print aliases and a key binding for bash, zsh or fish"),
    "eval": ("ccgpt.cli.eval", "benchmark a model on your own task set"),
    "mcp": ("ccgpt.cli.mcp", "MCP server for AI agents: check, explain, suggest and sandboxed run tools"),
    "guard": ("ccgpt.cli.guard", "hook for agent CLIs (Claude Code, Codex, Gemini CLI): blocks or asks by risk"),
    "commit": ("ccgpt.cli.commit", "write a commit message for the staged diff; commits only after confirmation"),
    "review": ("ccgpt.cli.review", "review a diff: risk engine and ShellCheck findings, then the model's"),
    "roles": ("ccgpt.cli.roles", "list, show or create role presets (system prompt, model, temperature)"),
    "memory": ("ccgpt.cli.memory", "facts ccgpt remembers for your prompts: add, list, forget, clear"),
}

# Flags every command accepts; they may also be written before the command name.
_GLOBAL_VALUE_FLAGS = {"--config", "-m", "--model", "--backend"}
_GLOBAL_BOOL_FLAGS = {"--json", "-q", "--quiet", "--no-color", "--no-log"}


def _top_help() -> str:
    width = max(len(n) for n in COMMANDS) + 2
    lines = [
        "usage: ccgpt [--version] [--help] COMMAND [ARGS...]",
        "",
        "CodexContinueGPT: a privacy-first terminal assistant on local models.",
        "Every command a model proposes is parsed, risk-classified and shown before anything runs.",
        "",
        "commands:",
    ]
    lines += [f"  {name:<{width}}{summary}" for name, (_, summary) in COMMANDS.items()]
    lines += [
        "",
        "common flags: --json  -m/--model NAME  --backend ollama|openai|embedded  --config PATH",
        "              -q/--quiet  --no-color  --no-log",
        "",
        "Run `ccgpt COMMAND --help` for a command's own flags.",
    ]
    return "\n".join(lines)


def _split_common(argv: list[str], stop_at_word: bool = False) -> tuple[list[str], list[str]]:
    hoisted: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" or (stop_at_word and not arg.startswith("-")):
            rest += argv[i:]
            break
        if arg in _GLOBAL_BOOL_FLAGS:
            hoisted.append(arg)
        elif arg in _GLOBAL_VALUE_FLAGS and i + 1 < len(argv):
            hoisted += [arg, argv[i + 1]]
            i += 1
        elif "=" in arg and arg.split("=", 1)[0] in _GLOBAL_VALUE_FLAGS:
            hoisted.append(arg)
        else:
            rest.append(arg)
        i += 1
    return hoisted, rest


def _parse_with_common(parser, hoisted: list[str], rest: list[str]):
    from ccgpt.cli import common

    flags = common.SafeParser(prog=parser.prog, add_help=False)
    common.add_common(flags)
    common_args = flags.parse_args(hoisted)
    args = parser.parse_args(rest)
    for key, value in vars(common_args).items():
        if value not in (None, False):
            setattr(args, key, value)
    return args


def _fail(message: str, code: int) -> int:
    from ccgpt.term.sanitize import sanitize_line

    print(f"ccgpt: {sanitize_line(message)}", file=sys.stderr)
    return code


def command_parser(name: str, prog: str | None = None):
    """(module, parser) of one command: the parser `ccgpt NAME` parses with (also walked by the
    CLI reference, docs/cli.md, and the test that holds the README to the real flags)."""
    import importlib

    from ccgpt.cli import common

    module_name, summary = COMMANDS[name]
    module = importlib.import_module(module_name)
    parser = common.SafeParser(prog=prog or f"ccgpt {name}", description=summary[:1].upper() + summary[1:] + ".")
    common.add_common(parser)
    module.configure(parser)
    return module, parser


def dispatch(name: str, rest: list[str], prog: str) -> int:
    from ccgpt.errors import CcgptError

    module, parser = command_parser(name, prog)
    # Common flags are accepted anywhere before `--`, also after a sub-action
    # (`ccgpt config show --config X`), which argparse's sub-parsers would reject. Commands
    # whose arguments are a command line (COMMAND_WORDS = True) stop at its first word:
    # in `ccgpt explain grep -q x`, `-q` belongs to grep.
    hoisted, rest = _split_common(rest, stop_at_word=getattr(module, "COMMAND_WORDS", False))
    args = _parse_with_common(parser, hoisted, rest) if hoisted else parser.parse_args(rest)
    try:
        return int(module.run(args) or 0)
    except CcgptError as exc:
        return _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`ccgpt history | head`): not an error worth a message.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 141
    except Exception as exc:  # a bug: still one line, never a traceback by default
        if os.environ.get("CCGPT_DEBUG"):
            raise
        return _fail(f"internal error: {type(exc).__name__}: {exc} (set CCGPT_DEBUG=1 for details)", 1)


def main(argv: list[str] | None = None, *, command: str | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if command is not None:  # called through an alias script such as `sh-explain`
        return dispatch(command, argv, prog=os.path.basename(sys.argv[0]) or f"ccgpt {command}")
    if not argv or argv[0] in ("-h", "--help", "help"):
        if len(argv) > 1 and argv[0] == "help" and argv[1] in COMMANDS:
            return dispatch(argv[1], ["--help"], prog=f"ccgpt {argv[1]}")
        print(_top_help())
        return 0
    if argv[0] in ("-V", "--version"):
        print(f"ccgpt {__version__}")
        return 0
    hoisted, rest = _split_common(argv, stop_at_word=True)  # common flags may precede the command name
    if not rest or rest[0] == "--":
        print(_top_help(), file=sys.stderr)
        return 2
    name, rest = rest[0], hoisted + rest[1:]
    if name not in COMMANDS:
        close = [c for c in COMMANDS if c.startswith(name[:2])] if name else []
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        return _fail(f"unknown command '{name}'{hint}; see `ccgpt --help`", 2)
    return dispatch(name, rest, prog=f"ccgpt {name}")


def sh_help() -> int:
    return main(command="suggest")


def sh_explain() -> int:
    return main(command="explain")


def sh_script() -> int:
    return main(command="script")
