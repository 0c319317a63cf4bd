"""Exports of one site: WordPress's WXR and Disqus's XML, which other comment systems read, and
this service's own JSON, a complete backup that `widget import --format json` restores."""
