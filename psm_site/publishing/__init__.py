"""The publishing room: the publishable base's actions (publish, unpublish, change notes, preview), review,
draft revisions, history, the schedule, who may do what. It may import psm_site's ground modules and web/.
"""
