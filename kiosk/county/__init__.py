"""The county roll-up: an offline-first push of each kiosk's records to one PostgreSQL.

No Qt here. psycopg is imported only by the modules that talk to the server
(schema.py, sync.py, reports.py), so a kiosk that never joins a county never loads it.
"""
