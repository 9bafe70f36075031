"""The safety core made available to AI agents: `ccgpt mcp` (an MCP server on the official SDK)
and `ccgpt guard` (a pre-tool hook for agent CLIs).

Kept empty on purpose: `ccgpt guard` imports `ccgpt.agents.guard` before every agent command,
and anything imported here would be paid on that path.
"""
