#!/usr/bin/env python3
"""Search lag under load (SPEC §12: a committed write is visible to search within 1 s, p99).

For DURATION seconds: sets a new unique word as the caption of one entry (PATCH; the commit is
done when the answer comes), then searches for that word every 10 ms until the entry is found;
the lag is the time from the answer to the first search that finds it. Prints one line:
`search-lag PATCHES SAMPLES P50_MS P99_MS MAX_MS` (PATCHES: the PATCHes it made, which run.sh
adds to its lost-update count). A build without search prints `search-lag 0 0 - - -`.
usage: search-lag.py API TOKEN DURATION ENTRY_ID
"""
import json, sys, time, urllib.error, urllib.request, uuid

api, token, duration, entry = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}


def call(method, path, body=None):
    request = urllib.request.Request(api + path, method=method, headers=headers,
                                     data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


try:
    call("GET", "/search/mediaLibrary?limit=1")
except urllib.error.HTTPError:
    print("search-lag 0 0 - - -")  # no search here (a build from before it, or before API 2026-05)
    sys.exit(0)

lags, patches = [], 0
end = time.monotonic() + duration
while time.monotonic() < end:
    word = "lag" + uuid.uuid4().hex[:12]
    call("PATCH", f"/mediaLibrary/{entry}",
         {"patches": [{"operation": "setMetadataProperty", "propertyName": "caption", "value": word}]})
    patches += 1
    committed = time.monotonic()
    while True:
        if call("GET", f"/search/mediaLibrary?q={word}&limit=1")["total"] > 0:
            lags.append((time.monotonic() - committed) * 1000)
            break
        if time.monotonic() - committed > 30:
            lags.append(float("inf"))
            break
        time.sleep(0.01)
    time.sleep(0.05)

lags.sort()
pick = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
print(f"search-lag {patches} {len(lags)} {pick(0.5):.0f} {pick(0.99):.0f} {lags[-1]:.0f}")
