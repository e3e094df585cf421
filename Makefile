# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv on first use and install the project from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: install run test check lint clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Only the installing: then `source .venv/bin/activate` puts `ivr` on the shell's PATH.
install: $(BIN)/.installed

# Serves the shipped configuration on http://127.0.0.1:$(PORT). IVR_INSECURE=1 lets it start
# without TWILIO_AUTH_TOKEN, for local trials only: the app says so loudly in its log.
run: $(BIN)/.installed
	IVR_INSECURE=1 $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --timeout 10 \
		'ivr.app:create_app()'

test: $(BIN)/.installed
	$(BIN)/ruff check ivr tests benchmarks
	$(BIN)/ruff format --check ivr tests benchmarks
	$(BIN)/python -m ivr check config
	$(BIN)/python -m pytest -q

check: $(BIN)/.installed
	$(BIN)/python -m ivr check config

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
