pytest_plugins = [
    "tests.fixtures.users",
    "tests.fixtures.library",
    "tests.fixtures.processes",
]
