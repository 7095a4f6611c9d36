"""The chat app's actions, grouped by what they act on (bases of `ChatApp`).

    copy.py          CopyActions         copy the last reply, a message, a code block
    branches.py      BranchActions       regenerate, edit-and-resend, branch steppers
    attachments.py   AttachmentActions   attach a file; attach / detach a JSON Schema
    setup.py         SetupActions        first-run dialog, a damaged history file
    tools.py         ToolActions         the tools screen, MCP prompts, a failed server's toast

    host.py          ChatHost            what they use of the app, typed (state and methods)

Each group subclasses `ChatHost` and uses only what it declares (`conversation`,
`chat_screen`, `ensure_session`, `notify`...); `ChatApp` implements it. So the app
stays the one place that owns chat state, these modules stay small enough to read at
once, and mypy checks both sides.
"""
