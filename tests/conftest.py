"""Fixtures of the cross-app tests."""

from tests.live_platform import demo, platform_server  # noqa: F401 - the client and MCP tests' real server
