"""Corpus renderers for the providers added after the first ones, one module per provider
group, each registering with ``benchmarks.corpus.plant`` (loaded by ``benchmarks.corpus``)."""
