"""Domain logic used by commands and jobs."""
