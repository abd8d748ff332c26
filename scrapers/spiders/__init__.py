"""Scrapy spiders, one per source slug (the spider name is the slug)."""
