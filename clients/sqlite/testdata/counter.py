"""Concurrent writers: each of PROCESSES processes adds 1 to one counter
N times, in transactions retried on SQLITE_BUSY; prints the final value and
the retries.

Usage: counter.py EXTENSION SERVER NAME PROCESSES N
"""
import subprocess
import sys

import pitrsql

extension, server, name = sys.argv[1:4]
processes, n = int(sys.argv[4]), int(sys.argv[5])
pitrsql.load(extension)
db = pitrsql.connect(server, name)

if processes == 0:  # a child: the writer
    retries = 0
    done = 0
    while done < n:
        try:
            db.execute("BEGIN")
            v = db.execute("SELECT v FROM counter").fetchone()[0]
            db.execute("UPDATE counter SET v = ?", (v + 1,))
            db.execute("COMMIT")
            done += 1
        except Exception as e:
            if not pitrsql.is_busy(e):
                raise
            retries += 1
            if db.in_transaction:
                db.execute("ROLLBACK")
    print(retries)
    sys.exit(0)

db.execute("CREATE TABLE counter(v INTEGER)")
db.execute("INSERT INTO counter VALUES (0)")
children = [subprocess.Popen([sys.executable] + sys.argv[:4] + ["0", str(n)],
                             stdout=subprocess.PIPE)
            for _ in range(processes)]
retries = sum(int(c.communicate()[0]) for c in children)
if any(c.returncode != 0 for c in children):
    sys.exit("a writer failed")
print("value %d retries %d" %
      (db.execute("SELECT v FROM counter").fetchone()[0], retries))
