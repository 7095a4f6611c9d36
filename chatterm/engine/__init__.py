"""The engine: `Conversation` (conversation.py), the turn events (events.py) and
`ChatSession` (session.py), which the TUI and `ask` both drive. Empty on purpose:
import the module you need, so nothing loads that a command does not use."""
