import pytest

pytest_plugins = [
    "tests.fixtures.users",
    "tests.fixtures.library",
    "tests.fixtures.processes",
]


@pytest.fixture(autouse=True)
def artifacts_dir(settings, tmp_path):
    """Each test stores artifacts in a folder of its own."""
    settings.PIPEWRIGHT_ARTIFACTS_DIR = tmp_path / "artifacts"
    return settings.PIPEWRIGHT_ARTIFACTS_DIR
