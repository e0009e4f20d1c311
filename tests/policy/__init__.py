"""Tests of the pure rules engine (policy/)."""
