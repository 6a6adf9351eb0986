"""The same scripted workload on a local file and on pitr.

Usage: workload.py EXTENSION SERVER NAME OUT_DIR

After every transaction it checks that both databases answer the same,
copies the local file to OUT_DIR/step_<i>.db and prints "step <i> <lsn>"
(the pitr database's LSN then). At the end it opens every step's LSN with
at= and checks PRAGMA integrity_check and the answers again.
"""
import shutil
import sqlite3
import sys

import pitrsql

extension, server, name, out_dir = sys.argv[1:5]
pitrsql.load(extension)
remote = pitrsql.connect(server, name)
page_size = remote.execute("PRAGMA page_size").fetchone()[0]
local_path = out_dir + "/local.db"
local = sqlite3.connect(local_path, isolation_level=None)
local.execute("PRAGMA page_size=%d" % page_size)


def series(n):
    """Rows value = 1..n (the library has no generate_series)."""
    return ("WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1"
            " FROM s WHERE value < %d) " % n)


TRANSACTIONS = [
    ["CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, city TEXT)",
     "CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER,"
     " amount REAL, note BLOB)",
     "CREATE INDEX orders_by_customer ON orders(customer)"],
    ["INSERT INTO customers(name, city) " + series(300) +
     "SELECT 'c' || value, CASE value % 3 WHEN 0 THEN 'Paris'"
     " WHEN 1 THEN 'Oslo' ELSE 'Lima' END FROM s"],
    ["INSERT INTO orders(customer, amount, note) " + series(3000) +
     "SELECT value % 300 + 1, value * 1.5, zeroblob(200 + value % 700)"
     " FROM s"],
    ["CREATE INDEX customers_by_city ON customers(city, name)",
     "UPDATE orders SET amount = amount * 2 WHERE customer % 7 = 0"],
    ["DELETE FROM orders WHERE id % 3 = 0",
     "UPDATE customers SET city = 'Rome' WHERE id % 10 = 0"],
    ["DELETE FROM orders WHERE id > 1500"],
    ["VACUUM"],
    ["DROP INDEX customers_by_city",
     "INSERT INTO orders(customer, amount, note) VALUES (1, 1.0, x'00ff')"],
]

QUERIES = [
    "SELECT count(*), sum(amount), sum(length(note)) FROM orders",
    "SELECT city, count(*) FROM customers GROUP BY city ORDER BY city",
    "SELECT c.name, count(o.id), total(o.amount) FROM customers c"
    " LEFT JOIN orders o ON o.customer = c.id GROUP BY c.id ORDER BY c.id",
    "SELECT name, type FROM sqlite_master ORDER BY name",
]


def answers(conn):
    return [conn.execute(q).fetchall() for q in QUERIES]


def run(conn, statements):
    if statements == ["VACUUM"]:
        conn.execute("VACUUM")
        return
    conn.execute("BEGIN")
    for statement in statements:
        conn.execute(statement)
    conn.execute("COMMIT")


steps = []
for i, statements in enumerate(TRANSACTIONS):
    run(local, statements)
    run(remote, statements)
    expected = answers(local)
    got = answers(remote)
    if got != expected:
        sys.exit("step %d: pitr answers %r, the local file %r"
                 % (i, got[:2], expected[:2]))
    lsn = remote.execute("SELECT pitr_lsn()").fetchone()[0]
    shutil.copyfile(local_path, "%s/step_%d.db" % (out_dir, i))
    steps.append((lsn, expected))
    print("step %d %s" % (i, lsn), flush=True)

for i, (lsn, expected) in enumerate(steps):
    old = pitrsql.connect(server, name, at=lsn)
    check = old.execute("PRAGMA integrity_check").fetchall()
    if check != [("ok",)]:
        sys.exit("step %d at %s: integrity_check says %r" % (i, lsn, check))
    if answers(old) != expected:
        sys.exit("step %d at %s: other answers than then" % (i, lsn))
    old.close()
print("done")
