"""Measurements of the project on data it generates or is given."""
