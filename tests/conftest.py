import os

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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--long",
        action="store_true",
        default=os.environ.get("PIPEWRIGHT_LONG_TESTS") == "1",
        help="the long variants of the fault and fuzz suites: more runs, more faults, more examples "
        "(also PIPEWRIGHT_LONG_TESTS=1; `make test-long`)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Said in the environment too, for what is decided on import (the fuzzer's example count).
    if config.getoption("--long"):
        os.environ["PIPEWRIGHT_LONG_TESTS"] = "1"


@pytest.fixture(scope="session")
def long_variant(request: pytest.FixtureRequest) -> bool:
    """True under --long: a fault or fuzz test scales itself up (the same assertions)."""
    return bool(request.config.getoption("--long"))
