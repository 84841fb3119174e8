"""Benchmarks of cascadelab (`make bench`): they report ratios and times, they never fail."""
