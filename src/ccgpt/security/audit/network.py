"""Where things listen and answer: OLLAMA_HOST parsing, this machine's addresses, listeners.

Only the standard library: the audit must run where nothing else is installed.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import cast

OLLAMA_DEFAULT_PORT = 11434
_ALL_INTERFACES = {"", "0.0.0.0", "::", "[::]"}


@dataclass(frozen=True)
class HostPort:
    scheme: str
    host: str  # "" means every interface (Go's ":11434")
    port: int

    @property
    def binds_everywhere(self) -> bool:
        return self.host in _ALL_INTERFACES

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(self.host)

    def client_url(self) -> str:
        """The URL a client uses: a wildcard address is reached through loopback."""
        host = "127.0.0.1" if self.binds_everywhere else self.host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"{self.scheme}://{host}:{self.port}"


def parse_ollama_host(value: str | None) -> HostPort:
    """Parse OLLAMA_HOST the way Ollama does (host, host:port, :port, scheme://host:port)."""
    text = (value or "").strip()
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest, default_port = "http", text, OLLAMA_DEFAULT_PORT
    else:
        scheme = scheme.lower()
        default_port = {"http": 80, "https": 443}.get(scheme, OLLAMA_DEFAULT_PORT)
    hostport = rest.split("/", 1)[0]
    if not hostport:
        return HostPort(scheme, "127.0.0.1", default_port)
    host, port = _split_host_port(hostport)
    if port is None:
        return HostPort(scheme, host.strip("[]") or "127.0.0.1", default_port)
    return HostPort(scheme, host.strip("[]"), port)


def _split_host_port(hostport: str) -> tuple[str, int | None]:
    if hostport.startswith("["):  # [v6]:port or [v6]
        end = hostport.find("]")
        host, tail = hostport[1:end], hostport[end + 1 :]
        if tail.startswith(":") and tail[1:].isdigit():
            return host, int(tail[1:])
        return host, None
    if hostport.count(":") == 1:
        host, _, port = hostport.partition(":")
        if port.isdigit():
            return host, int(port)
    return hostport, None


def is_loopback_host(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def local_addresses() -> list[str]:
    """This machine's non-loopback IP addresses (IPv4 from the kernel's routing trie, IPv6 from
    /proc/net/if_inet6; elsewhere what the host name resolves to)."""
    found: list[str] = []
    trie = Path("/proc/net/fib_trie")
    try:
        lines = trie.read_text().splitlines()
    except OSError:
        lines = []
    for i, line in enumerate(lines):
        if "/32 host LOCAL" in line and i > 0:
            addr = lines[i - 1].strip().lstrip("|-+ ").strip()
            if addr and addr not in found:
                found.append(addr)
    try:
        for line in Path("/proc/net/if_inet6").read_text().splitlines():
            raw = line.split()[0]
            addr = str(ipaddress.IPv6Address(int(raw, 16)))
            if addr not in found:
                found.append(addr)
    except (OSError, ValueError, IndexError):
        pass
    if not found:
        try:
            for info in socket.getaddrinfo(socket.gethostname(), None):
                addr = cast(str, info[4][0])  # a host name gives AF_INET/AF_INET6 entries: (address, port, …)
                if addr not in found:
                    found.append(addr)
        except OSError:
            pass
    out = []
    for addr in found:
        try:
            ip = ipaddress.ip_address(addr.split("%")[0])
        except ValueError:
            continue
        if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified):
            out.append(str(ip))
    return out


def wide_listeners(port: int) -> list[str]:
    """Local addresses with a TCP socket listening on `port` that is not loopback-only.

    Read from /proc/net/tcp and tcp6 (Linux); empty where those do not exist.
    """
    out: list[str] = []
    for name, width in (("tcp", 8), ("tcp6", 32)):
        try:
            rows = Path("/proc/net", name).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) < 4 or cols[3] != "0A":  # 0A = LISTEN
                continue
            addr_hex, _, port_hex = cols[1].partition(":")
            if int(port_hex, 16) != port or len(addr_hex) != width:
                continue
            addr = _decode_proc_addr(addr_hex)
            if addr is not None and not ipaddress.ip_address(addr).is_loopback:
                if ipaddress.ip_address(addr).is_unspecified:
                    addr = "0.0.0.0" if width == 8 else "::"
                if addr not in out:
                    out.append(addr)
    return out


def _decode_proc_addr(hex_addr: str) -> str | None:
    try:
        raw = bytes.fromhex(hex_addr)
    except ValueError:
        return None
    # The kernel prints each 32-bit word in host (little-endian) order.
    words = [raw[i : i + 4][::-1] for i in range(0, len(raw), 4)]
    packed = b"".join(words)
    try:
        addr = ipaddress.ip_address(packed)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


def ollama_version(base_url: str, timeout: float) -> str | None:
    """GET {base}/api/version; the version string, or None when nothing Ollama-like answers."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(base_url.rstrip("/") + "/api/version", headers={"Accept": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    try:
        with opener.open(request, timeout=timeout) as response:
            body = response.read(4096)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, str) and version else None
