"""Benchmarks run against a real `affectrange serve` process (see docs/benchmarks.md)."""
