"""Package discovery for setuptools; all metadata lives in pyproject.toml."""

from setuptools import find_packages, setup

# migrations/ stays at the top of the source tree (Alembic's home) and ships as
# monitor.migrations, so an installed wheel finds it without the source tree.
MIGRATIONS = {"monitor.migrations": "migrations", "monitor.migrations.versions": "migrations/versions"}

setup(
    packages=[*find_packages(include=["monitor*", "collectors*", "api*"]), *MIGRATIONS],
    package_dir=MIGRATIONS,
)
