"""The routing engine and the document validation as they were before the hot path was made fast
(main at 2a13316): intake/schema.py, screening.py, rules.py and routing.py copied verbatim,
only their imports pointed here. tests/test_routing_reference.py routes the demo vignettes and
generated documents through both and requires the same decisions and the same validation
messages. Never edit these copies to match a change: a deliberate change of behaviour is a new
ROUTING.md version, with its own tests."""
