"""Adapters: each holds a core dispatcher, turns its platform's input into invocations and renders replies."""
