"""Grounded explanations: a command split into parts, each quoted from the system's own man
pages, bash's `help` or our syntax table. Runs `man`, `groff` and `bash`; caches in the store."""
