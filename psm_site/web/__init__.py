"""The web room: what every request passes through and what keeps the site up: the page cache and its outages,
rate limits, the database backend with deadlines, middleware, error pages, request log, staff sign-in.
It imports only psm_site's ground modules (models, settings, personal_data, markdown, spreadsheets).
"""
