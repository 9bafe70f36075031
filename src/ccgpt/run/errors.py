"""Exit codes and the one exception of the sandbox layer (a leaf module: everything imports it)."""

from __future__ import annotations

from ccgpt.errors import CcgptError

EXIT_TIMEOUT = 124  # the wall clock ran out (as timeout(1))
EXIT_SANDBOX = 125  # the sandbox itself failed (as `docker run`): never the command's own failure
EXIT_NOT_FOUND = 127  # the command does not exist


class SandboxUnavailable(CcgptError):
    """No isolation can be built here (and the unsafe flag was not given)."""

    exit_code = EXIT_SANDBOX
