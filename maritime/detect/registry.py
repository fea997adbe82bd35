"""The rule detectors the pipeline runs, in order. One module per kind."""

RULES: tuple = ()
