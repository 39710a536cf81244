"""Use cases that join several domains, each read top to bottom in one module.

- filing.py: a worker files a complaint (complaints), the committee, the employer and the
  place's inspectors are told (notifications).
- monitor_runs.py, daily.py: the monitors run (monitors → alerts → notifications), on
  request or every night with the mediation reminders.
- proofs.py: an inspector decides an employer's deposit proof (deposits → notifications).
- employer_overview.py: one employer in full, for the inspector (employers, contracts,
  payroll, deposits, insurance, alerts, audit) and for the employer itself (obligations).

Portals and the JSON API call these; domain packages never import them, and never import
each other in circles (tests/test_import_cycles.py).
"""
