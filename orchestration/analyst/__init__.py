"""Analyst tools behind the ``pfdw`` command line: read-only SQL, export, HTML report, audit."""
