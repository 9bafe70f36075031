"""The one exception type that reaches the user as a single line.

Anything raised as a `CcgptError` is printed by the CLI as `ccgpt: <message>` and ends the
process with `exit_code`; anything else is a bug, and is also reported on one line (with a hint
to set CCGPT_DEBUG=1 for the traceback), never as a raw traceback.
"""


class CcgptError(Exception):
    """An error a person can act on. The message is one line and says what to do."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(CcgptError):
    """Bad flags or arguments (exit code 2, like argparse)."""

    exit_code = 2


class ConfigError(CcgptError):
    """The configuration file is unreadable, malformed or inconsistent."""


class BackendUnavailable(CcgptError):
    """The model server cannot be reached (connection refused, DNS, timeout)."""


class ModelNotFound(CcgptError):
    """The backend answered, but does not have the requested model."""


class BackendError(CcgptError):
    """The backend answered with an error we cannot map to something more specific."""
