#!/usr/bin/env python3
"""Benchmark of `audit collect` against moto: wall time, the audit process's own CPU time
and peak memory, for the seeded account at several scales.

usage: bench_collect.py AUDIT_BINARY [--scales 1,10]

For each scale: a fresh moto server (in its own process), seed.py --scale N, then one
collect per partition (both partitions' four regions, all services). CPU time and peak
RSS come from wait4() on the audit process alone; moto's time is not counted.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
AUDIT = sys.argv[1]
SCALES = [int(s) for s in (sys.argv[sys.argv.index("--scales") + 1] if "--scales" in sys.argv else "1,10").split(",")]
PARTITIONS = {"aws-cn": ["cn-north-1", "cn-northwest-1"], "aws": ["us-east-1", "ap-southeast-1"]}


def main():
    rows = []
    for scale in SCALES:
        server = subprocess.Popen([sys.executable, os.path.join(HERE, "serve.py")],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        port = int(server.stdout.readline())
        url = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory() as tmp:
            t = time.time()
            subprocess.run([sys.executable, os.path.join(HERE, "seed.py"), url, os.path.join(tmp, "m.json"),
                            "--scale", str(scale)], check=True)
            seed_s = time.time() - t
            for partition, regions in PARTITIONS.items():
                out = os.path.join(tmp, f"{partition}.json")
                args = [AUDIT, "collect", "--endpoint-url", url, "--partition", partition, "--out", out]
                for r in regions:
                    args += ["--region", r]
                env = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                           AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/nonexistent",
                           AWS_SHARED_CREDENTIALS_FILE="/nonexistent")
                t = time.time()
                proc = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
                _, status, usage = os.wait4(proc.pid, 0)
                wall = time.time() - t
                summary = proc.stderr.read().strip().splitlines()[0]
                if os.waitstatus_to_exitcode(status) != 0:
                    sys.exit(f"collect failed: {summary}")
                snap = json.load(open(out))
                cpu = usage.ru_utime + usage.ru_stime
                rows.append({
                    "scale": scale, "partition": partition, "resources": len(snap["resources"]),
                    "gaps": len(snap["gaps"]), "wall_s": round(wall, 2), "cpu_s": round(cpu, 3),
                    "cpu_share": round(cpu / wall, 3), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
                    "summary": summary, "seed_s": round(seed_s, 1),
                })
                print(json.dumps(rows[-1]), flush=True)
        server.stdin.close()
        server.wait()
    print()
    print("| scale | partition | resources | wall | audit CPU | CPU / wall | peak RSS |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['scale']}× | {r['partition']} | {r['resources']} | {r['wall_s']} s | {r['cpu_s']} s "
              f"| {r['cpu_share'] * 100:.1f} % | {r['peak_rss_mib']} MiB |")


if __name__ == "__main__":
    main()
