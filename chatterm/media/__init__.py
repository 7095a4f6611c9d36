"""Pictures and sound in and out of a chat: reading them from replies, keeping them on
disk, telling their type and size. Core code: no Textual, no rich, no HTTP."""
