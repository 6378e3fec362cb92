"""CI integration: what reportgen writes for GitHub Actions (and other CI systems), as strings."""
