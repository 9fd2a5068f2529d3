#!/usr/bin/env python3
"""Run moto in server mode on 127.0.0.1 for as long as stdin stays open.

Prints the port on the first line of stdout. The test process holds stdin; when it ends,
for any reason, the pipe closes and the server goes with it: no emulator is left behind.
"""
import os
import sys

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

from moto.server import ThreadedMotoServer  # noqa: E402

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
server.stop()
