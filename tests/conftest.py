"""The fixtures live in tests/support/fixtures.py, the helpers in tests/support/helpers.py."""

from support.fixtures import *  # noqa: F403 - pytest finds the fixtures here
from support.helpers import *  # noqa: F403 - for tests that still import from conftest
