"""What every spider shares: items, the crawl source spec, stats names, spider and HTML helpers."""
