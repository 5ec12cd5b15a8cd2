"""Benchmarks and the labelled corpus generator (``benchmarks.corpus``)."""
