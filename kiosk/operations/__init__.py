"""The use cases of the kiosk, one module per area, shared by the GUI and the command line.

Each operation is a plain function of the context (`AppContext`) and the actor (who is
asking). It re-reads the actor's account under the write lock, refuses what that account
may not do (`PermissionDenied`), does its writes and appends its audit row in the same
transaction (`kiosk.db.write_transaction`), and returns a small result. Screens and
commands are thin callers: they collect input, call one operation, and show its result.
Nothing here imports Qt; long operations take `progress` callbacks so the GUI can run them
off its thread (kiosk/ui/jobs.py) and cancel them.
"""
