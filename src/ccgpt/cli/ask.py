"""`ccgpt ask [PROMPT…]`: one question to a model; piped stdin is added as context; streams."""

from __future__ import annotations

import sys

from ccgpt.errors import UsageError


def configure(parser) -> None:
    parser.add_argument("prompt", nargs="*", help="the question (piped stdin is added as context)")
    parser.add_argument("-s", "--system", help="replace the system prompt")
    parser.add_argument("-t", "--temperature", type=float, help="sampling temperature")
    parser.add_argument("--max-tokens", type=int, help="cap the answer's length in tokens")
    parser.add_argument("--no-stream", action="store_true", help="print the answer when it is complete")
    parser.add_argument("--role", metavar="NAME", help="use a role preset (`ccgpt roles list`)")
    from ccgpt.cli.memory_flags import add_flags

    add_flags(parser)


def read_piped_stdin() -> str | None:
    if sys.stdin is None or sys.stdin.isatty():
        return None
    data = sys.stdin.buffer.read()
    return data.decode("utf-8", "replace") or None


def run(args) -> int:
    from ccgpt.assist.ask import build_messages
    from ccgpt.assist.memory import with_memory
    from ccgpt.assist.roles import get_role, role_model
    from ccgpt.cli.common import common_options, load_config, print_json
    from ccgpt.cli.memory_flags import recall_for
    from ccgpt.llm.base import Options
    from ccgpt.llm.registry import resolve_backend
    from ccgpt.llm.routing import classify_task
    from ccgpt.store.interactions import log_quietly

    question = " ".join(args.prompt).strip()
    context = read_piped_stdin()
    if not question and not context:
        raise UsageError("nothing to ask: give a prompt, or pipe text in (e.g. `git diff | ccgpt ask \"commit message\"`)")
    cfg = load_config(args)
    opts = common_options(args)
    role = get_role(args.role) if args.role else None
    task = role.task if role else classify_task(question or context or "")
    backend, model = resolve_backend(cfg, opts, task=task, quiet=opts.quiet)
    model = role_model(role, backend.name, args.model, model)
    messages = build_messages(question, context, args.system or (role.system if role else None))
    messages[0].content = with_memory(messages[0].content, recall_for(cfg, args, backend, question or (context or "")[:2000]))
    temperature = args.temperature if args.temperature is not None else (role.temperature if role else None)
    options = Options(temperature=temperature, max_tokens=args.max_tokens)
    from ccgpt.ui.waiting import with_progress

    backend = with_progress(backend, opts.quiet)
    try:
        if args.json or args.no_stream:
            completion = backend.chat(model, messages, options)
            if args.json:
                print_json(
                    {
                        "model": completion.model,
                        "backend": completion.backend,
                        "text": completion.text,
                        "prompt_tokens": completion.prompt_tokens,
                        "completion_tokens": completion.completion_tokens,
                        "duration_s": completion.duration_s,
                        "first_token_s": completion.first_token_s,
                        "finish_reason": completion.finish_reason,
                    }
                )
            else:
                from ccgpt.term.sanitize import sanitize

                print(sanitize(completion.text))
        else:
            from ccgpt.ui.stream import echo_stream

            completion = echo_stream(backend.stream_chat(model, messages, options), model, backend.name)
    finally:
        backend.close()
    if completion.finish_reason == "length" and not args.json and not args.quiet:
        # Say so: a cut answer read as a whole one misleads (`--json` has finish_reason).
        n = f" after {completion.completion_tokens} tokens" if completion.completion_tokens else ""
        print(f"ccgpt: the answer was cut off{n} (token limit reached, or the model kept repeating itself)"
              " — --max-tokens N allows a longer answer", file=sys.stderr)
    log_quietly(cfg, opts, "ask", messages[-1].content, completion, system=messages[0].content)
    return 0
