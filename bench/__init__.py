"""Benchmarks and measurements, printed as figures by `make bench`."""
