"""One check for an environment, wherever it is written: the live process environment, a compose
service's `environment:` (list or map form) or a Dockerfile's `ENV` (both syntaxes).

Rules (rule id: severity):
  ollama-origins-any: high      OLLAMA_ORIGINS lets every web site drive Ollama
  ollama-bind-all: high/low     OLLAMA_HOST makes Ollama listen on every interface: high for the
                                live environment and for a container reachable from outside (a
                                port published beyond loopback, network_mode: host), low for one
                                reachable only on its compose networks, and low for a Dockerfile's
                                ENV no compose service of the project builds (how it is run decides;
                                the official image listens on 0.0.0.0 itself)
  env-literal-secret: high      a variable named like a secret holds a literal value in a file
                                (the live environment is where secrets belong: not checked there)
"""

from __future__ import annotations

import re

from ccgpt.config import is_secret_name
from ccgpt.security.audit.findings import Finding
from ccgpt.security.audit.network import parse_ollama_host

WHY_EXPOSED = (
    "Ollama has no authentication: anyone who can reach the port can read your models, run "
    "prompts on your hardware, pull or delete models, and exploit any bug of that version"
)
_WILD_ORIGINS = ("*", "http://*", "https://*", "http://*:*", "https://*:*")
# A value taken from elsewhere at run time: compose's ${VAR} / $VAR, Docker's build ARGs.
_FROM_ELSEWHERE = re.compile(r"^\$\{?[A-Za-z_][A-Za-z0-9_]*(?:[:?\-+][^}]*)?\}?$")


def check_environment(env: dict[str, str], where: str = "", *, path: str | None = None,
                      line: int | None = None, exposed: bool | None = None) -> list[Finding]:
    """Findings for one environment. `where` ("" for the live environment, else e.g. "service
    ollama") decides the wording and whether literal secrets count; `exposed` says whether a
    container is reachable from outside its networks (None: unknown, e.g. a Dockerfile that no
    compose service builds)."""
    in_file = bool(where)
    prefix = f"{where}: " if in_file else ""
    findings: list[Finding] = []
    origins = env.get("OLLAMA_ORIGINS")
    if origins is not None and any(e.strip() in _WILD_ORIGINS for e in str(origins).split(",")):
        findings.append(Finding(
            "ollama-origins-any", "high",
            f"{prefix}OLLAMA_ORIGINS={origins} lets every web site call your Ollama from your browser",
            "any page you visit can send prompts to your local models, read their answers, and pull or delete models",
            ("remove OLLAMA_ORIGINS there, or list only the origins you use: OLLAMA_ORIGINS=http://localhost:3000"
             if in_file else
             "unset OLLAMA_ORIGINS, or list only the origins you use: export OLLAMA_ORIGINS=http://localhost:3000"),
            path=path, line=line))
    host = env.get("OLLAMA_HOST")
    if host is not None and not _FROM_ELSEWHERE.match(str(host)) and parse_ollama_host(str(host)).binds_everywhere:
        findings.append(bind_all_finding(str(host), where, path=path, line=line, exposed=exposed if in_file else True))
    if in_file:
        for name, value in env.items():
            if is_secret_name(name) and value not in (None, "") and not _FROM_ELSEWHERE.match(str(value)):
                findings.append(Finding(
                    "env-literal-secret", "high",
                    f"{prefix}{name} is set to a literal value",
                    "a secret written in a compose file or image ends up in the repository, image layers "
                    "(docker history shows ENV) and bug reports; a guessable one is no secret at all",
                    f"take it from the environment: {name}=${{{name}:?set {name}}} (compose) or a build secret, and "
                    f"set a long random value: export {name}=\"$(openssl rand -hex 32)\"",
                    path=path, line=line))
    return findings


def bind_all_finding(raw: str, where: str = "", *, path: str | None = None, line: int | None = None,
                     what: str = "every network interface", exposed: bool | None = True) -> Finding:
    """`exposed`: True reachable from outside, False only on its compose networks, None unknown."""
    if where:
        return Finding(
            "ollama-bind-all", "high" if exposed else "low",
            f"{where}: OLLAMA_HOST={raw} makes Ollama listen on every interface of the container"
            + (", and the container is reachable from outside" if exposed else ""),
            WHY_EXPOSED + ("; with a port published beyond loopback (or the host's network) that is every "
                           "machine that can reach this host" if exposed else
                           "; every container on its compose networks can reach it" if exposed is False else
                           "; how the image is run decides who that is: `docker run -p 11434:11434` publishes "
                           "it on every interface of the host"),
            "keep Ollama on a private compose network with no published port, and reach it through `ccgpt serve` with keys"
            + ("" if exposed is False else "; to publish it, publish it on loopback: -p 127.0.0.1:11434:11434"),
            path=path, line=line)
    return Finding(
        "ollama-bind-all", "high",
        f"OLLAMA_HOST={raw} makes an Ollama server started here listen on {what}",
        WHY_EXPOSED,
        "export OLLAMA_HOST=127.0.0.1:11434 (and for the systemd service: "
        "sudo systemctl edit ollama, set Environment=OLLAMA_HOST=127.0.0.1:11434, restart)")


def compose_environment(value) -> dict[str, str]:
    """A compose service's `environment:` as a dict: the map form, or the list of KEY=value
    (a bare KEY takes its value from the shell: nothing literal to check)."""
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    out: dict[str, str] = {}
    for entry in value or []:
        name, sep, val = str(entry).partition("=")
        if sep:
            out[name.strip()] = val
    return out
