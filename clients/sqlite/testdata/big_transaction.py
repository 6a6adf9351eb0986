"""A transaction larger than SQLite's page cache (PRAGMA cache_size=10): it
spills pages to the database file before the commit. Prints the LSNs before
and after it, and the rows seen at each.

Usage: big_transaction.py EXTENSION SERVER NAME ROWS
"""
import sys

import pitrsql

extension, server, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(
    sys.argv[4])
pitrsql.load(extension)
db = pitrsql.connect(server, name)
db.execute("PRAGMA cache_size=10")
db.execute("CREATE TABLE b(i INTEGER PRIMARY KEY, x BLOB)")
before = db.execute("SELECT pitr_lsn()").fetchone()[0]
db.execute("BEGIN")
for _ in range(count):
    db.execute("INSERT INTO b(x) VALUES (randomblob(1000))")
db.execute("COMMIT")
after = db.execute("SELECT pitr_lsn()").fetchone()[0]
for key, lsn in [("before", before), ("after", after)]:
    old = pitrsql.connect(server, name, at=lsn)
    print(key, lsn, old.execute("SELECT count(*) FROM b").fetchone()[0],
          old.execute("PRAGMA integrity_check").fetchone()[0])
