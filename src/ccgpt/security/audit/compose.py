"""Reading compose files: services as plain dicts, with the line each service starts on."""

from __future__ import annotations

from dataclasses import dataclass


class ComposeUnavailable(Exception):
    """PyYAML is not installed."""


@dataclass
class Service:
    name: str
    data: dict
    line: int | None


def load_services(text: str) -> list[Service]:
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ComposeUnavailable("PyYAML is not installed") from exc
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None or not isinstance(root, yaml.MappingNode):
        return []
    data = yaml.safe_load(text) or {}
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return []
    lines: dict[str, int] = {}
    for key, value in root.value:
        if getattr(key, "value", None) == "services" and isinstance(value, yaml.MappingNode):
            for skey, _ in value.value:
                lines[str(skey.value)] = skey.start_mark.line + 1
    return [Service(str(name), body if isinstance(body, dict) else {}, lines.get(str(name))) for name, body in services.items()]


@dataclass
class Published:
    host_ip: str  # "" = every interface
    host_port: str
    container_port: int | None


def parse_port(entry) -> Published | None:
    """One `ports:` entry, short ("127.0.0.1:8080:80/tcp") or long ({target, published, host_ip})."""
    if isinstance(entry, dict):
        target = entry.get("target")
        return Published(str(entry.get("host_ip") or ""), str(entry.get("published") or ""), _int(target))
    if isinstance(entry, int):
        return Published("", "", entry)
    if not isinstance(entry, str):
        return None
    spec = entry.split("/", 1)[0].strip()
    host_ip = ""
    if spec.startswith("["):  # [::1]:8080:80
        end = spec.find("]")
        host_ip, spec = spec[1:end], spec[end + 2 :]
    parts = spec.split(":")
    if len(parts) == 1:
        return Published(host_ip, "", _int(parts[0]))
    if len(parts) == 2:
        return Published(host_ip, parts[0], _int(parts[1]))
    return Published(parts[0] if not host_ip else host_ip, parts[-2], _int(parts[-1]))


def _int(value) -> int | None:
    try:
        return int(str(value).split("-", 1)[0])
    except (TypeError, ValueError):
        return None
