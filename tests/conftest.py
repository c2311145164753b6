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


@pytest.fixture(scope="session")
def lava_backend():
    """edgesnn's Lava backend; the test is skipped where Lava cannot be imported."""
    from edgesnn.backends import get_backend

    backend = get_backend("lava")
    if not backend.available():
        pytest.skip("Lava is not importable here")
    return backend
