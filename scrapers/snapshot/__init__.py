"""Offline snapshot of judiciary.uk's Prevention of Future Deaths section.

A local replica rendered from the bundled real reports, served on 127.0.0.1 and crawled by the
same spider that crawls the live site. ``site`` is the model, ``report_text`` the reports' words,
``render`` the HTML, ``pdf`` the Regulation 28 and stand-in PDFs, ``faults`` the optional fault
injection, ``server`` the HTTP server (``pfdw snapshot serve``), ``hssib`` the HSSIB section.
"""
