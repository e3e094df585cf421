# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv on first use and install the project from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# Two test processes: the suite mostly waits on servers, browsers and databases.
TEST_PROCESSES ?= 2

.PHONY: install run test check lint clean translations

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
	$(BIN)/python -m pytest -q -n $(TEST_PROCESSES)

# The console's texts, after changing one in the code or a template: Babel extracts them
# (babel.cfg) into the template, then merges that into the French and Dutch catalogues: a new
# text comes with an empty msgstr, a changed one marked fuzzy with its old translation, one
# no longer used goes. Translate those (any .po editor), then `make test` says what is left.
CATALOGUES := ivr/console/translations
translations: $(BIN)/.installed
	$(BIN)/pybabel extract --mapping-file babel.cfg --add-location file \
		--project helpline-ivr --version 0.1.0 --copyright-holder "the helplines" \
		--output-file $(CATALOGUES)/messages.pot ivr
	$(BIN)/pybabel update --input-file $(CATALOGUES)/messages.pot --output-dir $(CATALOGUES) \
		--ignore-obsolete --ignore-pot-creation-date

check: $(BIN)/.installed
	$(BIN)/python -m ivr check config

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
