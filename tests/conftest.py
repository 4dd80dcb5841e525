import pytest

pytest_plugins = [
    "tests.fixtures.users",
    "tests.fixtures.library",
    "tests.fixtures.processes",
    "tests.fixtures.engine",
    "tests.fixtures.s3",
    "tests.fixtures.fake_kubernetes",
]


@pytest.fixture(autouse=True)
def artifacts_dir(request, settings, tmp_path):
    """Each test stores artifacts in a folder of its own, except tests that share
    the data dir with a real worker process."""
    if "celery_worker" in request.fixturenames:
        return settings.PIPEWRIGHT_ARTIFACTS_DIR
    settings.PIPEWRIGHT_ARTIFACTS_DIR = tmp_path / "artifacts"
    return settings.PIPEWRIGHT_ARTIFACTS_DIR
