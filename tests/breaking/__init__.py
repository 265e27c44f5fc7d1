"""Tests of the breaking-change gate: case pairs, the CLI, releases and properties."""
