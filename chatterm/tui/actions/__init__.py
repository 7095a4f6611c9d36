"""The chat app's actions, grouped by what they act on (mixins of `ChatApp`).

    copy.py          CopyActions         copy the last reply, a message, a code block
    branches.py      BranchActions       regenerate, edit-and-resend, branch steppers
    attachments.py   AttachmentActions   attach a file; attach / detach a JSON Schema
    setup.py         SetupActions        first-run dialog, a damaged history file

Each mixin only uses what `ChatApp` provides (`conversation`, `chat_screen`,
`ensure_session`, `notify`...), so the app stays the one place that owns chat state
and these modules stay small enough to read at once.
"""
