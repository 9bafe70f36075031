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


def read_piped_stdin() -> str | None:
    if sys.stdin is None or sys.stdin.isatty():
        return None
    data = sys.stdin.buffer.read()
    return data.decode("utf-8", "replace") or None


def run(args) -> int:
    from ccgpt.assist.ask import build_messages
    from ccgpt.cli.common import load_config, print_json
    from ccgpt.llm.base import Options
    from ccgpt.llm.registry import resolve_backend
    from ccgpt.llm.routing import classify_task
    from ccgpt.store.interactions import log_quietly

    question = " ".join(args.prompt).strip()
    context = read_piped_stdin()
    if not question and not context:
        raise UsageError("nothing to ask: give a prompt, or pipe text in (e.g. `git diff | ccgpt ask \"commit message\"`)")
    cfg = load_config(args)
    backend, model = resolve_backend(cfg, args, task=classify_task(question or context or ""), quiet=args.quiet)
    messages = build_messages(question, context, args.system)
    options = Options(temperature=args.temperature, max_tokens=args.max_tokens)
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
    log_quietly(cfg, args, "ask", messages[-1].content, completion, system=messages[0].content)
    return 0
