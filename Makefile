# A local .venv holds everything; each target installs what it needs first.
# Bytecode caches are kept even where the environment turns them off: without them every pytest
# process compiles and rewrites several hundred modules again (collection 7.7 against 3.2 CPU-s).
unexport PYTHONDONTWRITEBYTECODE
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test test-exhaustive test-all test-wordpress install browser postgres screenshots samples fixtures bench bench-scale clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/membermock serve $(ARGS)

# Tests run in parallel processes (pytest-xdist); most wait on real server processes, so more
# processes than cores pays. `make test-all` adds the slow exhaustive checks; CI runs that.
TEST_PROCS ?= 4
test: $(STAMP)
	$(BIN)/pytest -n $(TEST_PROCS) -m "not exhaustive" $(ARGS)

test-exhaustive: $(STAMP)
	$(BIN)/pytest -n $(TEST_PROCS) -m exhaustive $(ARGS)

test-all: test test-exhaustive

# The mock and its peers side by side (benchmarks/bench.py): installs wrk and a headless JRE
# (Debian), Prism and WireMock (npm, cached under .bench/), matplotlib and gunicorn (pip).
BENCH_NPM := .bench/npm
bench: $(STAMP)
	@command -v wrk >/dev/null && command -v java >/dev/null && command -v npm >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq wrk default-jre-headless npm >/dev/null)
	@test -x $(BENCH_NPM)/node_modules/.bin/prism && test -d $(BENCH_NPM)/node_modules/wiremock || \
		npm install --silent --no-audit --no-fund --prefix $(BENCH_NPM) @stoplight/prism-cli@5.16.0 wiremock@3.13.2
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench.py $(ARGS)

# Debian's Chromium and Playwright for Python, for the dashboard's browser tests (without them
# those tests skip, saying why). CI runs this before `make test`.
browser: $(STAMP)
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "make browser: Chromium could not be installed; the browser tests will skip"
	$(BIN)/pip install --quiet -e '.[browser]' || echo "make browser: Playwright could not be installed; the browser tests will skip"

# Debian's PostgreSQL and haproxy, for the tests that run the mock on PostgreSQL and several
# instances behind a balancer (started by the tests themselves on free loopback ports; without
# them those tests skip, saying why). CI runs this before `make test`.
postgres:
	@command -v haproxy >/dev/null && { command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql haproxy >/dev/null; } \
		|| echo "make postgres: PostgreSQL or haproxy could not be installed; their tests will skip"

# Throughput and p99 of one instance on SQLite, one on PostgreSQL and two behind haproxy
# (benchmarks/bench_scale.py; wrk when installed, else a Python load generator).
bench-scale: $(STAMP) postgres
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || true
	$(BIN)/python benchmarks/bench_scale.py $(ARGS)

# Retake the dashboard's screenshots in docs/dashboard/ (they are taken by its browser tests).
screenshots: browser
	MEMBERMOCK_SCREENSHOTS=docs/dashboard $(BIN)/pytest tests/dashboard/test_browser.py -q -p no:cacheprovider

# The real-site lane (docs/realsite.md): a real WordPress + PMPro + Abilities API site on loopback
# ports, conformance and the mock-vs-real differential against it. Needs root and Debian; says so
# and passes when it cannot run. PMPRO_ARCHIVE / ABILITIES_ARCHIVE point at other plugin archives.
test-wordpress: $(STAMP)
	$(BIN)/python -m realsite run $(ARGS)

# Rebuild the cleaned sample corpus from ../shared/seeds.
samples: $(STAMP)
	$(BIN)/python -m tests.samples.extract

# Rebuild the committed Faker pools and golden fixtures (a few valid and near-miss payloads per contract).
fixtures: $(STAMP)
	$(BIN)/python -m fixtures.pools
	$(BIN)/python -m fixtures.golden

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
