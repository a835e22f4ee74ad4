"""The pages room: the site's own pages and feeds: home, search, updates, help pages and their statements
(privacy, cookies, accessibility), feedback, Atom feeds, sitemaps, redirects. It may import web/ and publishing/.
"""
