"""Benchmarks (`make bench`): ratios measured in one run on this machine, never asserted in tests."""
