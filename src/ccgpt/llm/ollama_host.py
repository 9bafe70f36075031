"""OLLAMA_HOST -> base URL, accepting every form Ollama itself accepts.

Ollama's own client (envconfig.Host in the Go code) reads OLLAMA_HOST as
`[scheme://]host[:port][/path]`, with these rules, which we follow so that a value that
works for `ollama run` works for us:

- no scheme means http on port 11434; `http://` alone defaults to port 80, `https://` to 443;
- the bare value `ollama.com` means https://ollama.com:443;
- `:port` and an empty value mean 127.0.0.1;
- IPv6 literals may come with brackets (`[::1]:11434`) or, without a port, bare (`::1`);
- surrounding spaces and quotes are dropped, and so are trailing slashes after a path.

One deliberate difference: `0.0.0.0` (and `::`) is what people put in OLLAMA_HOST to make the
*server* listen on every interface; as a place to connect to it means this machine, so we
connect to loopback instead of relying on the OS to reinterpret the unspecified address.
A port that is not a number in 0..65535 is an error here (Ollama silently falls back to the
default port, which sends requests somewhere the user did not ask for).
"""

from __future__ import annotations

import ipaddress
import os

from ccgpt.errors import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 11434
DEFAULT_BASE_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"

_SCHEME_PORTS = {"http": 80, "https": 443}
_UNSPECIFIED = {"0.0.0.0": "127.0.0.1", "::": "::1"}


def _split_host_port(hostport: str) -> tuple[str, str] | None:
    """Like Go's net.SplitHostPort: None when hostport has no port part."""
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0 or not hostport[end + 1 :].startswith(":"):
            return None
        return hostport[1:end], hostport[end + 2 :]
    if hostport.count(":") != 1:  # no port, or a bare IPv6 literal
        return None
    host, port = hostport.split(":")
    return host, port


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def parse_ollama_host(value: str | None) -> str:
    """Turn an OLLAMA_HOST value into a base URL such as `http://127.0.0.1:11434`."""
    text = (value or "").strip().strip("\"'").strip()
    scheme, sep, hostport = text.partition("://")
    default_port = DEFAULT_PORT
    if not sep:
        scheme, hostport = "http", text
        if text == "ollama.com":
            scheme, hostport = "https", "ollama.com:443"
    else:
        scheme = scheme.lower()
        if scheme not in _SCHEME_PORTS:
            raise ConfigError(f"OLLAMA_HOST={value!r}: scheme must be http or https, not {scheme!r}")
        default_port = _SCHEME_PORTS[scheme]

    hostport, _, path = hostport.partition("/")
    path = path.strip("/")

    split = _split_host_port(hostport)
    if split is None:
        host, port_text = hostport.strip("[]"), str(default_port)
    else:
        host, port_text = split
    if not host:
        host = DEFAULT_HOST

    if not port_text.isdigit() or int(port_text) > 65535:
        raise ConfigError(f"OLLAMA_HOST={value!r}: {port_text!r} is not a port number (0-65535)")
    port = int(port_text)

    ip = _ip(host)
    if ip is not None:
        host = _UNSPECIFIED.get(str(ip), str(ip))  # normalise, e.g. 0001::1 -> 1::1
        if ":" in host:
            host = f"[{host}]"

    url = f"{scheme}://{host}:{port}"
    return f"{url}/{path}" if path else url


def ollama_base_url(environ: dict[str, str] | None = None) -> str:
    """The base URL from the OLLAMA_HOST environment variable, or the default."""
    env = os.environ if environ is None else environ
    return parse_ollama_host(env.get("OLLAMA_HOST"))
