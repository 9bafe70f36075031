"""`ccgpt serve`: the gateway in front of Ollama (and OpenAI-compatible servers, and the
embedded model), with keys, limits, metrics and safe network defaults.

Refuses to listen on a non-loopback address while no API key exists: Ollama's own
unauthenticated port on a public address is exactly the mistake this command exists to fix.
"""

from __future__ import annotations

import argparse
import sys

from ccgpt.errors import ConfigError, UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to bind (default from config: 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default from config: 11435)")
    parser.add_argument("--tls-cert", metavar="PEM", help="TLS certificate (HTTPS); with --tls-key")
    parser.add_argument("--tls-key", metavar="PEM", help="TLS private key")
    parser.add_argument("--upstream", action="append", default=[], metavar="[KIND=]URL",
                        help="an upstream server (repeatable); KIND is ollama (default) or openai, "
                             "e.g. openai=http://127.0.0.1:8080/v1; replaces the configured ones")
    parser.add_argument("--no-embedded", action="store_true", help="do not serve the embedded model")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also accept this Host header (a name clients use to reach the gateway)")
    parser.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                        help="allow browser requests from this origin (exact, e.g. http://localhost:3000)")
    parser.add_argument("--max-body-kb", type=int, help="largest request body accepted")
    parser.add_argument("--log-content", action="store_true", help="log prompts and answers (redacted); off by default")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    parser.add_argument("--check", action="store_true", help="validate the settings and exit without serving")


def normalize_url(value: str, default_port: int = 11434) -> str:
    """OLLAMA_HOST forms: host, host:port, scheme://host[:port][/path]."""
    from urllib.parse import urlsplit

    v = value.strip()
    if "://" not in v:
        v = "http://" + v
    parts = urlsplit(v)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"invalid upstream URL {value!r}")
    host = parts.hostname
    if host in ("0.0.0.0", "::"):  # a bind-all address as a destination means this machine
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    port = parts.port or (default_port if parts.scheme == "http" and not parts.path.strip("/") else None)
    netloc = f"{host}:{port}" if port else host
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def upstream_specs(cfg, args) -> list[dict]:
    import os

    gw = cfg.section("gateway")
    specs: list[dict] = []
    if args.upstream:
        for i, item in enumerate(args.upstream):
            kind, sep, url = item.partition("=")
            if not sep or "://" in kind:
                kind, url = "ollama", item
            if kind not in ("ollama", "openai"):
                raise UsageError(f"--upstream: unknown kind {kind!r} (ollama or openai)")
            specs.append({"name": f"{kind}-{i + 1}", "kind": kind, "url": normalize_url(url) if kind == "ollama" else url})
    elif gw.get("upstreams"):
        for i, s in enumerate(gw["upstreams"]):
            if not isinstance(s, dict):
                raise ConfigError("[[ccgpt.gateway.upstreams]] entries must be tables")
            kind = s.get("kind", "ollama")
            if kind not in ("ollama", "openai", "embedded"):
                raise ConfigError(f"[[ccgpt.gateway.upstreams]] #{i + 1}: unknown kind {kind!r}")
            spec = dict(s)
            spec.setdefault("name", f"{kind}-{i + 1}")
            if kind != "embedded":
                if not isinstance(s.get("url"), str) or not s["url"]:
                    raise ConfigError(f"[[ccgpt.gateway.upstreams]] {spec['name']}: url is required")
                spec["url"] = normalize_url(s["url"]) if kind == "ollama" else s["url"]
            if s.get("api_key_env"):
                spec["api_key"] = os.environ.get(str(s["api_key_env"]), "")
            models = s.get("models")
            if models is not None and (not isinstance(models, list) or not all(isinstance(m, str) for m in models)):
                raise ConfigError(f"[[ccgpt.gateway.upstreams]] {spec['name']}: models must be a list of names")
            specs.append(spec)
    else:
        seen = set()
        for llm in cfg.llms:
            if isinstance(llm, dict) and str(llm.get("provider", "")).endswith("ollama") and llm.get("api_base"):
                url = normalize_url(str(llm["api_base"]))
                if url not in seen:
                    seen.add(url)
                    specs.append({"name": f"ollama-{len(seen)}", "kind": "ollama", "url": url})
        if not specs:
            url = normalize_url(os.environ.get("OLLAMA_HOST") or "127.0.0.1:11434")
            specs.append({"name": "ollama-1", "kind": "ollama", "url": url})
    want_embedded = gw.get("embedded", True) and not args.no_embedded
    if want_embedded and not any(s.get("kind") == "embedded" for s in specs):
        specs.append({"name": "embedded", "kind": "embedded"})
    emb = cfg.section("embedded")
    for spec in specs:
        if spec.get("kind") == "embedded":
            # [ccgpt.embedded] applies to the gateway's embedded model as to `ccgpt chat`'s;
            # an upstream entry's own values win.
            if not spec.get("model") and emb.get("model"):
                spec["model"] = emb["model"]
            for k in ("model_path", "n_ctx", "n_threads"):
                value = spec.get(k) or emb.get(k) or None
                if k != "model_path" and value is not None:
                    try:
                        value = int(value)
                    except (TypeError, ValueError):
                        raise ConfigError(f"embedded upstream {spec['name']}: {k} must be a whole number") from None
                    if value <= 0:
                        raise ConfigError(f"embedded upstream {spec['name']}: {k} must be positive")
                spec[k] = value
    return specs


def run(args: argparse.Namespace) -> int:
    from ccgpt.cli.common import load_config
    from ccgpt.gateway.security import default_allowed_hosts, is_loopback_bind

    cfg = load_config(args)
    gw = cfg.section("gateway")
    host, port, cert, key = _listen_options(gw, args)

    from ccgpt.cli.keys import open_keystore, team_settings

    team = team_settings(cfg)
    keystore = open_keystore(cfg)
    active = keystore.list(include_revoked=False)
    loopback = is_loopback_bind(host)
    if not loopback and not active:
        raise UsageError(f"refusing to listen on {host}: it is reachable from the network and no API key exists. "
                         "Create one first: ccgpt keys create --name NAME")
    warn = lambda msg: print(f"ccgpt: warning: {msg}", file=sys.stderr)  # noqa: E731
    if not loopback and not cert:
        warn(f"serving on {host} without TLS: keys and prompts cross the network in clear text "
             "(use --tls-cert/--tls-key, or a TLS-terminating proxy)")
    cors = list(gw.get("cors_origins") or []) + args.cors_origin
    if "*" in cors:
        warn("cors_origins '*' is ignored: list the exact origins to allow")
    extra_hosts = {h.lower() for h in list(gw.get("allowed_hosts") or []) + args.allow_host}
    allowed = default_allowed_hosts(host)
    if allowed is not None:
        allowed |= extra_hosts
    elif extra_hosts:
        allowed = extra_hosts | {host.lower()}
    max_body_kb = args.max_body_kb or int(gw.get("max_body_kb") or 1024)
    if max_body_kb <= 0:
        raise UsageError("--max-body-kb must be positive")

    from ccgpt.gateway.app import Settings, create_gateway

    settings = Settings(bind_host=host, allowed_hosts=allowed, cors_origins=[c for c in cors if c != "*"],
                        max_body=max_body_kb * 1024, log_content=bool(args.log_content or gw.get("log_content")),
                        metrics_public=bool(gw.get("metrics_public", False)))
    timeouts = cfg.section("timeouts")
    specs = upstream_specs(cfg, args)
    gateway, app = create_gateway(
        specs, keystore=keystore, settings=settings, connect_timeout=float(timeouts.get("connect", 5)),
        read_timeout=float(timeouts.get("read", 300)), health_interval=float(gw.get("health_interval", 15)),
        anonymous_admin=bool(gw.get("anonymous_admin", False)), redis_url=team["redis_url"],
        redis_fail_open=team["redis_fail_open"])

    scheme = "https" if cert else "http"
    shown = f"[{host}]" if ":" in host else host
    auth = f"{len(active)} active key(s): keys required" if active or not loopback else \
        "no keys yet: loopback callers need none until you create one"
    summary = {"url": f"{scheme}://{shown}:{port}", "auth": auth,
               "upstreams": [f"{s['name']} ({s['kind']}{' ' + s['url'] if s.get('url') else ''})" for s in specs],
               "keys": "PostgreSQL" if team["database_url"] else "SQLite",
               "limits": "Redis (shared by replicas)" if team["redis_url"] else "this process"}
    if args.check:
        if args.json:
            from ccgpt.cli.common import print_json

            print_json(summary)
        else:
            print(f"ok: would serve {summary['url']}; {auth}; upstreams: {', '.join(summary['upstreams'])}")
        return 0
    sock = bind_socket(host, port)  # before the banner: a port in use is one clear line
    print(f"ccgpt gateway on {summary['url']} ({auth})", file=sys.stderr)
    for u in summary["upstreams"]:
        print(f"  upstream {u}", file=sys.stderr)
    if team["database_url"] or team["redis_url"]:
        print(f"  keys in {summary['keys']}; limits in {summary['limits']}", file=sys.stderr)
    _serve(app, sock, gw, args, cert, key)
    return 0


def _listen_options(gw, args) -> tuple[str, int, str | None, str | None]:
    import os

    host = args.host or gw.get("host") or "127.0.0.1"
    port = args.port if args.port is not None else int(gw.get("port") or 11435)
    if not 0 <= port <= 65535:
        raise UsageError("--port must be between 0 and 65535")
    cert = args.tls_cert or gw.get("tls_cert") or None
    key = args.tls_key or gw.get("tls_key") or None
    if bool(cert) != bool(key):
        raise UsageError("TLS needs both --tls-cert and --tls-key")
    for path in filter(None, (cert, key)):
        if not os.path.isfile(path):
            raise UsageError(f"TLS file not found: {path}")
    return host, port, cert, key


def _serve(app, sock, gw, args, cert: str | None, key: str | None) -> None:
    """uvicorn on the bound socket, behind the connection guard (header timeout, per-client cap)."""
    import logging

    import uvicorn

    from ccgpt.gateway.conn_guard import guarded_protocol

    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    for noisy in ("httpx", "httpcore"):  # one line per upstream call: noise, and a cost per request
        logging.getLogger(noisy).setLevel(logging.WARNING)
    max_conn = int(gw.get("max_connections", 1024))
    per_client = int(gw.get("max_connections_per_client", max(8, max_conn // 4)))
    protocol = guarded_protocol(float(gw.get("header_timeout", 10)), per_client)
    config = uvicorn.Config(app, log_level=args.log_level, access_log=False, server_header=False,
                            proxy_headers=False, ssl_certfile=cert, ssl_keyfile=key, timeout_keep_alive=30,
                            limit_concurrency=max_conn, lifespan="on", http=protocol)
    uvicorn.Server(config).run(sockets=[sock])


def bind_socket(host: str, port: int):
    """The listening socket, bound here so that a busy port or a foreign address is one line
    (uvicorn would print its banner, then a traceback-like bind error)."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on {host} is already in use (another `ccgpt serve` or Ollama?); "
                             "stop it or choose another with --port") from None
        if exc.errno == errno.EACCES:
            raise UsageError(f"not allowed to listen on port {port} (ports below 1024 need privileges); "
                             "choose another with --port") from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock
