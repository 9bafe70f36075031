"""The pure risk classifier: shell text in, a level of RISK-POLICY.md and findings out.

    from ccgpt.risk import classify, classify_script

No network, no subprocess, no store: everything here can be used by every entry point (CLI,
gateway, MCP server, agent hook) and tested exhaustively."""

from ccgpt.risk.classify import EXIT_CODES, LEVELS, Finding, Verdict, classify, classify_script

__all__ = ["classify", "classify_script", "Verdict", "Finding", "LEVELS", "EXIT_CODES"]
