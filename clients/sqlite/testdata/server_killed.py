"""pitrd killed and restarted on the same address under a running
application. The application commits transactions of ROWS rows each, one
after another; after the 30th it creates DIR/kill (the test then SIGKILLs
pitrd and starts it again on the same port) and goes on, counting the
transactions that fail while pitrd is away, until 30 more commit after
the first failure. Then a new connection counts each transaction's rows:
every acknowledged transaction must be whole, every failed one whole or
absent (its commit may have been applied before the answer was lost).

Prints "acknowledged N failed F partial P lost L", then "integrity ok".

Usage: server_killed.py EXTENSION SERVER NAME DIR
"""
import os
import sqlite3
import sys
import time

import pitrsql

ROWS = 5
extension, server, name, signal_dir = sys.argv[1:5]
pitrsql.load(extension)
db = pitrsql.connect(server, name)
db.execute("CREATE TABLE t(txn INTEGER, row INTEGER)")


def commit(txn):
    try:
        db.execute("BEGIN")
        for row in range(ROWS):
            db.execute("INSERT INTO t VALUES (?, ?)", (txn, row))
        db.execute("COMMIT")
        return True
    except sqlite3.Error:
        try:
            db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        return False


acknowledged, failed = [], []
after_failure = 0
deadline = time.time() + 120
txn = 0
while after_failure < 30 and time.time() < deadline:
    txn += 1
    if commit(txn):
        acknowledged.append(txn)
        if failed:
            after_failure += 1
    else:
        failed.append(txn)
        time.sleep(0.05)
    if txn == 30:
        open(os.path.join(signal_dir, "kill"), "w").close()

check = pitrsql.connect(server, name)
rows = dict(check.execute("SELECT txn, count(*) FROM t GROUP BY txn"))
partial = sum(1 for n in rows.values() if n != ROWS)
lost = sum(1 for t in acknowledged if rows.get(t) != ROWS)
print("acknowledged %d failed %d partial %d lost %d" %
      (len(acknowledged), len(failed), partial, lost), flush=True)
print("integrity", check.execute("PRAGMA integrity_check").fetchone()[0],
      flush=True)
