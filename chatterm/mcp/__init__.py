"""MCP servers as tool sources (core: no Textual; the SDK is imported only when a server runs).

    (chatterm/mcp_servers.py, beside config.py, which checks the table with it:
                        [mcp.servers.<name>] and Claude-Desktop `mcpServers` files -> ServerSpec)
    naming.py           `<server>__<tool>` within 64 characters (a short hash when cut)
    schema_clean.py     a server's input schema without the keywords some providers refuse
    results.py          a tools/call result -> the text the model gets (or a ToolError)
    stdio_transport.py  starts a stdio server: only its own env plus PATH/HOME, stderr to a log
    children.py         every child process ends when chatterm does (exit, Ctrl-C, SIGTERM)
    connection.py       one server: start, initialize (timeout), list tools, call, restart once
    manager.py          McpManager: every server on one background event loop, tools into
                        the registry through `tools/sources.py`

Importing this package imports nothing: `chatterm` without a configured server never
loads the SDK (`tests/mcp/test_mcp_hygiene.py`).
"""
