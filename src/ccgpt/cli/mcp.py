"""`ccgpt mcp [--http] [--root DIR] [--max-level L] [--net]`: the MCP server for AI agents.

Tools: check_command, explain_command, suggest_command, run_command (see docs/agents.md).
stdio by default (the client starts this command); `--http` serves streamable HTTP at /mcp.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = ("run_command runs in the sandbox of `ccgpt run`, rooted at --root (default: the current "
                     "directory): only that tree is writable, no network unless --net. safe and review commands "
                     "run; above --max-level the person confirms through the client (MCP elicitation); blocked "
                     "never runs.")
    parser.add_argument("--http", action="store_true", help="serve streamable HTTP at /mcp instead of stdio")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind with --http (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port with --http (default 8765)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="another Host/Origin name accepted over HTTP (DNS-rebinding allow-list)")
    parser.add_argument("--root", metavar="DIR", help="the sandbox's writable tree (default: the current directory)")
    parser.add_argument("--max-level", choices=("safe", "review", "dangerous"), default="review",
                        help="highest level that runs without the person's confirmation (default review; "
                             "blocked never runs)")
    parser.add_argument("--net", action="store_true", help="give run_command the network (off by default)")


def services(args, cfg, root: str):
    """The tools' results, built exactly as `ccgpt check/explain/suggest --json` build theirs."""
    from ccgpt.agents.server import Services
    from ccgpt.cli import check as check_cli
    from ccgpt.cli import explain as explain_cli

    rules = check_cli._user_rules(args)

    def check(command: str) -> dict:
        from ccgpt.risk.classify import classify
        from ccgpt.run.fsprobe import FilesystemProbe

        # Like `ccgpt check`: the real filesystem probe, here rooted where run_command runs.
        return classify(command, extra_rules=rules, probe=FilesystemProbe(cwd=root), interactive=False).to_json()

    def explain(command: str, narrative: bool) -> dict:
        result = explain_cli.build(command)
        result.pop("_risk_unavailable", None)
        if narrative:
            from ccgpt.assist.narrative import narrate

            result["narrative"], _ = narrate(args, result)
        return result

    def suggest(task: str, n: int | None) -> dict:
        from ccgpt.assist import context
        from ccgpt.assist.suggest import Suggester
        from ccgpt.cli.suggest import log_interactions, pipeline_settings
        from ccgpt.llm.registry import resolve_backend

        count = n or int(cfg.section("suggest").get("candidates", 3) or 3)
        backend, model = resolve_backend(cfg, args, task="shell", quiet=True)
        try:
            settings = pipeline_settings(cfg.section("suggest"), root)  # candidates are for that tree
            result = Suggester(backend, model, context.from_config(cfg).render(), **settings).suggest(task, count)
            log_interactions(cfg, args, result)
            return result.to_json()
        finally:
            backend.close()

    return Services(check=check, explain=explain, suggest=suggest)


def run(args: argparse.Namespace) -> int:
    import anyio

    from ccgpt.agents import server as mcp_server
    from ccgpt.agents.audit import ToolAudit
    from ccgpt.cli.common import load_config
    from ccgpt.errors import UsageError

    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be between 0 and 65535")
    cfg = load_config(args)
    options = mcp_server.Options(root=mcp_server.default_root(args.root), net=args.net, max_level=args.max_level,
                                 section=cfg.section("sandbox"), transport="http" if args.http else "stdio",
                                 output_kb=int(cfg.section("mcp").get("output_limit_kb", 64) or 64))
    audit = ToolAudit(log_text=not args.no_log)
    server = mcp_server.build_server(services(args, cfg, options.root), options, audit)
    try:
        if args.http:
            from ccgpt.agents import http
            from ccgpt.store.db import open_store
            from ccgpt.store.keys import KeyStore

            store = open_store()
            try:
                http.serve(server, host=args.host, port=args.port, keystore=KeyStore(store),
                           allow_hosts=args.allow_host)
            finally:
                store.close()
        else:
            anyio.run(mcp_server.serve_stdio, server)
    except KeyboardInterrupt:
        return 130
    finally:
        audit.close()
    return 0
