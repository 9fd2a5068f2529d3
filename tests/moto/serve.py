#!/usr/bin/env python3
"""Run moto in server mode on 127.0.0.1 for as long as stdin stays open, with the
corrections of fixes.py.

Prints the port on the first line of stdout. The test process holds stdin; when it ends,
for any reason, the pipe closes and the server goes with it: no emulator is left behind.
"""
import os
import sys

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

from moto.server import ThreadedMotoServer  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixes  # noqa: E402,F401  (moto's answers corrected where they break the API model)

# `serve.py PORT` serves on that port until stopped by a signal (.ci/run); without it,
# on a free one for as long as stdin stays open (the tests).
port = int(sys.argv[1]) if len(sys.argv) > 1 else 0

server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
if port:
    # Started by .ci/run, which stops it with SIGTERM.
    import signal

    signal.pause()
else:
    sys.stdin.read()
server.stop()
