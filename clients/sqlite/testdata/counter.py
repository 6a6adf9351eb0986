"""Concurrent writers: each of PROCESSES processes adds 1 to one counter
N times, in transactions retried on SQLITE_BUSY; prints the final value and
the retries. With "separate", each process has its own database (NAME_<i>)
on the same branch, and the value printed is their sum; with "sync_off"
the writers run with PRAGMA synchronous=OFF (SQLite then never calls
xSync: the VFS commits on SQLITE_FCNTL_SYNC).

Usage: counter.py EXTENSION SERVER NAME PROCESSES N [separate|sync_off]
"""
import subprocess
import sys

import pitrsql

extension, server, name = sys.argv[1:4]
processes, n = int(sys.argv[4]), int(sys.argv[5])
pitrsql.load(extension)
db = pitrsql.connect(server, name)

mode = sys.argv[6] if len(sys.argv) > 6 else ""
if processes == 0:  # a child: the writer
    if mode == "sync_off":
        db.execute("PRAGMA synchronous=OFF")
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

names = (["%s_%d" % (name, i) for i in range(processes)]
         if mode == "separate" else [name])
dbs = [pitrsql.connect(server, db_name) for db_name in names]
for db in dbs:
    db.execute("CREATE TABLE counter(v INTEGER)")
    db.execute("INSERT INTO counter VALUES (0)")
children = [subprocess.Popen([sys.executable] + sys.argv[:3] +
                             [names[i % len(names)], "0", str(n), mode],
                             stdout=subprocess.PIPE)
            for i in range(processes)]
retries = sum(int(c.communicate()[0]) for c in children)
if any(c.returncode != 0 for c in children):
    sys.exit("a writer failed")
print("value %d retries %d" %
      (sum(db.execute("SELECT v FROM counter").fetchone()[0] for db in dbs),
       retries))
