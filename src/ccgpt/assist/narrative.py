"""A short model-written narrative for `ccgpt explain`, built from the grounded parts only.

The model is given the command, the risk verdict and every part with its quoted help text and
source, and is told to restate them and add nothing. Its answer is then checked: a narrative
that names an option the command does not contain is dropped (a model inventing flags is what
grounding is for). The result is marked `model:NAME`.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ccgpt.llm.base import Message, Options
from ccgpt.options import CommonOptions

SYSTEM = (
    "You explain shell commands to a developer in 2 to 4 plain sentences. "
    "Use ONLY the facts listed in <parts>: they are quoted from the machine's manual pages. "
    "Do not mention any option, file or behaviour that is not listed there. "
    "If a part has no documentation, say that it is undocumented rather than guessing. "
    "Mention the risk level. No code blocks, no lists."
)
MAX_HELP = 300


def build_messages(result: dict) -> list[Message]:
    lines = []
    for p in result["parts"]:
        help_ = p.get("help") or "(no documentation found)"
        if len(help_) > MAX_HELP:
            help_ = help_[:MAX_HELP].rsplit(" ", 1)[0] + " …"
        lines.append(f"- {p['text']!r} ({p['kind']}): {help_} [{p.get('source') or 'no source'}]")
    findings = "; ".join(f"{f.get('level')}: {f.get('message')}" for f in result.get("findings") or [])
    risk = result.get("level") or "not assessed"
    user = (
        f"<command>{result['command']}</command>\n"
        f"<risk>{risk}{' — ' + findings if findings else ''}</risk>\n"
        "<parts>\n" + "\n".join(lines) + "\n</parts>\n"
        "Explain what this command does, in 2 to 4 sentences."
    )
    return [Message("system", SYSTEM), Message("user", user)]


def invented_options(text: str, command: str) -> list[str]:
    """Options the narrative names that the command does not contain."""
    named = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", text))
    # `-a` is in `ls -la`: combined short flags stand for each of their letters
    letters = {c for w in command.split() if re.fullmatch(r"-[A-Za-z0-9]+", w) for c in w[1:]}
    return sorted(o for o in named if o not in command and not (len(o) == 2 and o[1] in letters))


MAX_SENTENCES = 4


def short_summary(text: str) -> str:
    """The first few distinct sentences: the narrative is a summary, and small models loop
    (the same sentence five times) or run on until their token limit."""
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    kept: list[str] = []
    for sentence in sentences:
        key = sentence.lower().rstrip(".!?")
        if sentence and key not in {k.lower().rstrip(".!?") for k in kept}:
            kept.append(sentence)
        if len(kept) == MAX_SENTENCES:
            break
    if kept and not kept[-1].endswith((".", "!", "?")):
        kept.pop()  # cut off mid-sentence by the token limit
    return " ".join(kept)


def narrate(opts: CommonOptions, result: dict,
            wrap: Callable[[Any], Any] = lambda backend: backend) -> tuple[str | None, str | None]:
    """(narrative, note for stderr). Never raises for an unreachable model: the grounded parts stand.
    `wrap` decorates the backend (the CLI's waiting line at a terminal)."""
    from ccgpt.errors import CcgptError

    try:
        from ccgpt.config import load_config
        from ccgpt.llm.registry import resolve_backend

        cfg = load_config(opts.config)
        backend, model = resolve_backend(cfg, opts, task="shell", quiet=opts.quiet)
    except (CcgptError, ImportError, OSError) as exc:
        return None, f"no narrative: no model available ({exc})"
    try:
        completion = wrap(backend).chat(model, build_messages(result), Options(temperature=0.0, max_tokens=200))
    except (CcgptError, OSError) as exc:
        return None, f"no narrative: the model did not answer ({exc})"
    finally:
        try:
            backend.close()
        except Exception:
            pass
    text = short_summary(completion.text or "")
    if not text:
        return None, "no narrative: the model returned nothing"
    bad = invented_options(text, result["command"])
    if bad:
        return None, f"no narrative: the model named options the command does not have ({', '.join(bad)})"
    result["narrative_source"] = f"model:{completion.model or model}"
    return text, None
