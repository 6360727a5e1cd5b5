"""The receiver's statistics for bench/webhooks.sh, from nginx's access log.

Usage: webhook-stats.py LOG OFFSET CREATED
- LOG: lines "<arrival, epoch seconds> <status> <x-livingdocs-delivery>", one per request;
- OFFSET: the byte in LOG where counting starts (what `mark` printed);
- CREATED: lines "<event id> <createdAt, epoch ms>" from the database's event log.

An event's delivery id holds its event id (16 hex digits after "dlv_"), so the time from the
event's createdAt (its commit) to the receiver is the arrival minus that createdAt.
Prints JSON: delivered (2xx answers), unique ids, p50/p99/max in ms, first and last arrival (epoch ms).
"""
import json
import sys

log, offset, created_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
created = {}
for line in open(created_file):
    event_id, at = line.split()
    created[int(event_id)] = float(at)

latencies, ids, first, last = [], set(), 0.0, 0.0
with open(log, "rb") as f:
    f.seek(offset)
    for line in f.read().decode().splitlines():
        at, status, delivery = line.split()
        if not status.startswith("2"):
            continue
        arrived = float(at) * 1000
        latencies.append(arrived - created[int(delivery[4:20], 16)])
        ids.add(delivery)
        first = first or arrived
        last = arrived

latencies.sort()


def at(q):
    return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))]) if latencies else 0


print(json.dumps({"delivered": len(latencies), "unique": len(ids), "p50": at(0.5), "p99": at(0.99), "max": at(1),
                  "firstOk": first, "lastOk": last}))
