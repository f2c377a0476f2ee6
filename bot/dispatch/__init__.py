"""Dispatch: the layer between the kernel and the commands; it runs invocations against the store and services."""
