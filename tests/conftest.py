"""Shared pytest fixtures. Tests live outside any package (lava installs a top-level `tests`)."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def nir_fixtures() -> Path:
    return FIXTURES / "nir"
