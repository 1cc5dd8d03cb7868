# A local .venv holds everything; each target installs what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test install samples fixtures clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/membermock serve $(ARGS)

test: $(STAMP)
	$(BIN)/pytest $(ARGS)

# Rebuild the cleaned sample corpus from ../shared/seeds.
samples: $(STAMP)
	$(BIN)/python -m tests.samples.extract

# Rebuild the committed Faker pools and golden fixtures (a few valid and near-miss payloads per contract).
fixtures: $(STAMP)
	$(BIN)/python -m fixtures.pools
	$(BIN)/python -m fixtures.golden

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
