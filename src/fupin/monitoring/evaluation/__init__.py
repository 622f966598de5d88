"""Evaluating cadres and units (考核评价): two-way scores, the yearly scorecard built from the
data, and the recommendation it leads to, with notice and appeal."""
