import pytest


@pytest.fixture(autouse=True)
def _artifacts_dir(settings, tmp_path):
    """Each test saves models in its own folder."""
    settings.ARTIFACTS_DIR = tmp_path / "artifacts"
