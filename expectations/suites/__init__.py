"""Great Expectations suites in code: one module per checked table (a source's raw suite is named
by its slug), each with ``load_frame`` and ``build_expectations``; listed in
``expectations.registry``."""
