"""Notice when a model is stuck repeating itself, so the answer can be ended there.

Asked something it cannot answer, a small model may print `bash:` hundreds of times until the
token limit. A text whose tail is one short piece repeated many times over is cut after the
first copies; normal prose, code and tables do not end in dozens of identical repeats.
"""

from __future__ import annotations

MIN_SPAN = 120  # characters the repeated tail must cover
MIN_REPEATS = 6
MAX_PERIOD = 60


def looping(text: str) -> int | None:
    """The length of the repeating unit at the end of `text`, or None when it is not looping."""
    n = len(text)
    if n < MIN_SPAN:
        return None
    for period in range(1, MAX_PERIOD + 1):
        repeats = max(MIN_REPEATS, -(-MIN_SPAN // period))
        span = period * repeats
        if span > n:
            break
        unit = text[n - period:]
        if unit.strip() and text[n - span:] == unit * repeats:
            return period
    return None


def trim(text: str, period: int, keep: int = 2) -> str:
    """`text` with its repeated tail reduced to `keep` copies of the unit."""
    unit = text[len(text) - period:]
    end = len(text)
    while end - period >= 0 and text[end - period:end] == unit:
        end -= period
    return text[:end] + unit * keep
