"""What can be wrong with a stream itself (as opposed to an error the server reported in it)."""

from __future__ import annotations


class WireError(Exception):
    """The stream broke the protocol; the message says how (one line, no server text beyond 120 chars)."""


class MalformedStream(WireError):
    """A line or event that is not what the protocol allows (not JSON, a line too long)."""


class IncompleteStream(WireError):
    """The stream ended before the answer did: no `done` object (NDJSON) or no finish reason (SSE).

    Both protocols mark the end of a complete answer explicitly, so a stream that stops without
    that mark was cut (a dropped connection, a server interrupted by another request). It is an
    error, never a short answer: the caller cannot tell what is missing.
    """
