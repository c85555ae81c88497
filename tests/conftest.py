"""The project's own tests use the QA plugin it ships (fixtures ``nosto_sandbox`` and friends)."""

pytest_plugins = ["nosto_tagging.testing"]
