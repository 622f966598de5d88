"""The national exit check of a county (第三方评估, 三率一度): the sample, the survey,
the findings and the three rates and one degree."""
