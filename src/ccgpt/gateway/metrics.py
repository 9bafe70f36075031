"""Prometheus text-format metrics: counters and histograms, no client library.

Label values come partly from requests (model names), so cardinality is bounded: the app only
passes model names an upstream actually serves (else "other"), and each metric family keeps
at most MAX_SERIES label sets, folding the rest into one overflow series. A client cannot
grow the gateway's memory by inventing model names.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable
from typing import Any

MAX_SERIES = 2000
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
_OVERFLOW = "__overflow__"


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(names: tuple[str, ...], values: tuple[str, ...], extra: str = "") -> str:
    parts = [f'{n}="{_escape(v)}"' for n, v in zip(names, values)]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


class Counter:
    def __init__(self, name: str, help: str, labels: tuple[str, ...]):
        self.name, self.help, self.labelnames = name, help, labels
        self.values: dict[tuple, float] = {}

    def inc(self, values: tuple, amount: float = 1.0) -> None:
        if values not in self.values and len(self.values) >= MAX_SERIES:
            values = (_OVERFLOW,) * len(self.labelnames)
        self.values[values] = self.values.get(values, 0.0) + amount

    def render(self, out: list[str]) -> None:
        out.append(f"# HELP {self.name} {self.help}")
        out.append(f"# TYPE {self.name} counter")
        for values, v in sorted(self.values.items()):
            out.append(f"{self.name}{_labels(self.labelnames, values)} {v:g}")


class Gauge(Counter):
    def set(self, values: tuple, value: float) -> None:
        self.values[values] = value

    def render(self, out: list[str]) -> None:
        out.append(f"# HELP {self.name} {self.help}")
        out.append(f"# TYPE {self.name} gauge")
        for values, v in sorted(self.values.items()):
            out.append(f"{self.name}{_labels(self.labelnames, values)} {v:g}")


class Histogram:
    def __init__(self, name: str, help: str, labels: tuple[str, ...],
                 buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.name, self.help, self.labelnames = name, help, labels
        self.buckets = tuple(buckets)
        # label values -> [per-bucket counts..., +Inf count], sum
        self.series: dict[tuple, list] = {}

    def observe(self, values: tuple, seconds: float) -> None:
        s = self.series.get(values)
        if s is None:
            if len(self.series) >= MAX_SERIES:
                values = (_OVERFLOW,) * len(self.labelnames)
                s = self.series.get(values)
            if s is None:
                s = self.series[values] = [[0] * (len(self.buckets) + 1), 0.0]
        # Non-cumulative counts per bucket; rendering accumulates them.
        s[0][bisect.bisect_left(self.buckets, seconds)] += 1
        s[1] += seconds

    def render(self, out: list[str]) -> None:
        out.append(f"# HELP {self.name} {self.help}")
        out.append(f"# TYPE {self.name} histogram")
        for values, (counts, total) in sorted(self.series.items()):
            acc = 0
            for bound, c in zip(self.buckets, counts):
                acc += c
                le = 'le="%g"' % bound
                out.append(f"{self.name}_bucket{_labels(self.labelnames, values, le)} {acc}")
            acc += counts[-1]
            inf = _labels(self.labelnames, values, 'le="+Inf"')
            out.append(f"{self.name}_bucket{inf} {acc}")
            out.append(f"{self.name}_sum{_labels(self.labelnames, values)} {total:.6f}")
            out.append(f"{self.name}_count{_labels(self.labelnames, values)} {acc}")


class Metrics:
    """All gateway metrics. Updated from the event loop thread only; rendering is cheap."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = Counter("ccgpt_gateway_requests_total", "HTTP requests by route, model, key and status code.",
                                ("route", "model", "key", "code"))
        self.errors = Counter("ccgpt_gateway_errors_total", "Requests answered with a 4xx or 5xx status.",
                              ("route", "model", "key", "code"))
        self.tokens_in = Counter("ccgpt_gateway_prompt_tokens_total", "Prompt (input) tokens.", ("model", "key"))
        self.tokens_out = Counter("ccgpt_gateway_completion_tokens_total", "Completion (output) tokens.", ("model", "key"))
        self.latency = Histogram("ccgpt_gateway_request_duration_seconds",
                                 "Time from request to the last byte of the answer.", ("route", "model", "key"))
        self.ttft = Histogram("ccgpt_gateway_time_to_first_token_seconds",
                              "Time from request to the first streamed content.", ("model", "key"))
        self.rate_limited = Counter("ccgpt_gateway_rate_limited_total", "Requests refused with 429.", ("key",))
        self.upstream_up = Gauge("ccgpt_gateway_upstream_up", "1 when the last health check succeeded.", ("upstream",))
        self.upstream_outstanding = Gauge("ccgpt_gateway_upstream_outstanding",
                                          "Requests in flight to each upstream.", ("upstream",))
        self.upstream_failovers = Counter("ccgpt_gateway_upstream_failovers_total",
                                          "Requests retried on another upstream after a connection error.", ("upstream",))

    def request(self, route: str, model: str, key: str, code: int, seconds: float) -> None:
        labels = (route, model, key, str(code))
        self.requests.inc(labels)
        if code >= 400:
            self.errors.inc(labels)
        self.latency.observe((route, model, key), seconds)

    def tokens(self, model: str, key: str, prompt: int | None, completion: int | None) -> None:
        if prompt:
            self.tokens_in.inc((model, key), prompt)
        if completion:
            self.tokens_out.inc((model, key), completion)

    def render(self, upstreams: Iterable[Any] = ()) -> str:
        for up in upstreams:
            self.upstream_up.set((up.name,), 1.0 if up.healthy else 0.0)
            self.upstream_outstanding.set((up.name,), float(up.outstanding))
        out: list[str] = []
        for m in (self.requests, self.errors, self.tokens_in, self.tokens_out, self.latency, self.ttft,
                  self.rate_limited, self.upstream_up, self.upstream_outstanding, self.upstream_failovers):
            m.render(out)
        return "\n".join(out) + "\n"
