# Two commands on a fresh machine: `make demo` and `make test` (each sets up what it needs).
.PHONY: setup demo test lint clean

PORT ?= 8000

setup:
	./scripts/setup.sh

demo: setup
	.venv/bin/nosto-tagging serve --port $(PORT) --bundle build/bundle --db build/sandbox.sqlite3

lint: setup
	.venv/bin/ruff check pysrc tests benchmarks browsers setup.py
	.venv/bin/ruff format --check pysrc tests benchmarks browsers setup.py
	.venv/bin/mypy

test: lint
	.venv/bin/python -m pytest

clean:
	rm -rf build .venv .pytest_cache .ruff_cache browsers/node_modules
