"""Opens a database on pitr with URI parameters and runs statements,
printing each one's rows, or the error and stopping.

Usage: run_sql.py EXTENSION SERVER NAME [PARAM=VALUE...] -- STATEMENT...
"""
import sqlite3
import sys

import pitrsql

extension, server, name = sys.argv[1:4]
split = sys.argv.index("--")
params = dict(p.split("=", 1) for p in sys.argv[4:split])
pitrsql.load(extension)
try:
    db = pitrsql.connect(server, name, **params)
    for statement in sys.argv[split + 1:]:
        print(db.execute(statement).fetchall(), flush=True)
except sqlite3.Error as e:
    print("error:", e)
