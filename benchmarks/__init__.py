"""Benchmarks (`make bench`, `make bench BENCH=name`). Each module ``bench_<name>.py`` has ``run()`` that builds
its own data, runs ours, the peer and the floor in the same process run, and prints ``name: value`` lines
(numbers only after the colon) so ratios, not absolute times, are compared across machines."""
