"""Time travel from SQL: at= by LSN, time and snapshot; pitr_branch,
pitr_snapshot, pitr_restore and its undo. Prints one "name value" line per
check; the test compares them.

Usage: time_travel.py EXTENSION SERVER NAME
"""
import datetime
import sqlite3
import sys
import time

import pitrsql

extension, server, name = sys.argv[1:4]
pitrsql.load(extension)
db = pitrsql.connect(server, name)


def rows(conn):
    return ",".join(r[0] for r in conn.execute("SELECT v FROM t ORDER BY v"))


def show(key, value):
    print("%s %s" % (key, value), flush=True)


db.execute("CREATE TABLE t(v TEXT)")
db.execute("INSERT INTO t VALUES ('old')")
old_lsn = db.execute("SELECT pitr_lsn()").fetchone()[0]
show("snapshot", db.execute("SELECT pitr_snapshot('before_new')").fetchone()[0])
time.sleep(1.2)
old_time = datetime.datetime.now(datetime.timezone.utc)
time.sleep(1.2)
db.execute("INSERT INTO t VALUES ('new')")
new_lsn = db.execute("SELECT pitr_lsn()").fetchone()[0]
show("latest", rows(db))

at_time = old_time.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
for key, point in [("at_lsn", old_lsn), ("at_time", at_time),
                   ("at_snapshot", "before_new")]:
    show(key, rows(pitrsql.connect(server, name, at=point)))
try:
    pitrsql.connect(server, name, at=old_lsn).execute(
        "INSERT INTO t VALUES ('x')")
    show("write_at_point", "allowed")
except sqlite3.OperationalError as e:
    show("write_at_point", str(e).replace(" ", "_"))

show("branch", db.execute("SELECT pitr_branch('dev', ?)", (old_lsn,))
     .fetchone()[0])
dev = pitrsql.connect(server, name, branch="dev")
dev.execute("INSERT INTO t VALUES ('dev')")
show("on_dev", rows(dev))
show("main_after_dev", rows(db))

backup = db.execute("SELECT pitr_restore(?)", (old_lsn,)).fetchone()[0]
show("restored", rows(db))
db.execute("SELECT pitr_restore(?, ?)", (new_lsn, backup))
show("undone", rows(db))

# A connection that cached the latest state, a restore by another one, and
# a commit there that brings the change counter back to the value the first
# connection cached: it must still see the restored branch.
other = pitrsql.connect(server, name)
db.execute("SELECT count(*) FROM t").fetchone()
counter_point = db.execute("SELECT pitr_lsn()").fetchone()[0]
db.execute("INSERT INTO t VALUES ('cached')")
show("before_restore", rows(db))
other.execute("SELECT pitr_restore(?)", (counter_point,))
other.execute("INSERT INTO t VALUES ('other')")
show("after_restore_and_write", rows(db))
