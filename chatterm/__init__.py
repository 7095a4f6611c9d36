"""chatterm: a terminal chat application for OpenAI-compatible LLM gateways."""

__version__ = "0.1.0"
