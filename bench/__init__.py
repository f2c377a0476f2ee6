"""Benchmarks; each has its results and exact commands in bench/README.md."""
