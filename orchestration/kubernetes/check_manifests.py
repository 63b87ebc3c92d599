"""Checks the Spectra manifests for what the Kubernetes schemas cannot express:
the worker's release grace fits inside terminationGracePeriodSeconds, preemptions are
ignored by podFailurePolicy, a preempted worker exits non-zero, and the database URL
comes from a Secret. Exits 1 naming the file and the rule.

    python check_manifests.py FILE...
"""
import sys

import yaml  # PyYAML, installed with kubernetes-validate (orchestration/requirements-tools.txt)

# SIGTERM → stop claiming → grace → release round trip → exit; 10 s covers the release
# and a slow database, and is what docs/cluster.md recommends.
RELEASE_MARGIN_SECONDS = 10


def option(args, name):
    if name in args:
        i = args.index(name)
        if i + 1 < len(args):
            return args[i + 1]
    return None


def check_job(path, job):
    problems = []
    name = job["metadata"]["name"]
    pod = job["spec"]["template"]["spec"]
    for container in pod["containers"]:
        env = {e["name"]: e for e in container.get("env", [])}
        url = env.get("DATABASE_URL")
        if url is None or "secretKeyRef" not in url.get("valueFrom", {}):
            problems.append(f"{name}/{container['name']}: DATABASE_URL must come from a Secret (valueFrom.secretKeyRef)")
        args = container.get("args", [])
        grace = option(args, "--grace")
        if grace is None:
            continue  # the coordinator: no worker, no grace
        period = pod.get("terminationGracePeriodSeconds", 30)
        if float(grace) + RELEASE_MARGIN_SECONDS > period:
            problems.append(f"{name}/{container['name']}: --grace {grace} + {RELEASE_MARGIN_SECONDS} s to release "
                            f"exceeds terminationGracePeriodSeconds {period}: the kubelet would SIGKILL mid-release")
        if option(args, "--interrupted-exit-code") in (None, "0"):
            problems.append(f"{name}/{container['name']}: without --interrupted-exit-code a preempted worker exits 0 "
                            "and its index counts as completed")
        if "--drain" not in args:
            problems.append(f"{name}/{container['name']}: an Indexed Job worker needs --drain to ever complete")
        rules = job["spec"].get("podFailurePolicy", {}).get("rules", [])
        ignores = any(r["action"] == "Ignore" and any(c["type"] == "DisruptionTarget" for c in r.get("onPodConditions", []))
                      for r in rules)
        if not ignores:
            problems.append(f"{name}: podFailurePolicy must Ignore DisruptionTarget, or preemptions use up backoffLimit")
        if job["spec"].get("completionMode") != "Indexed":
            problems.append(f"{name}: workers run as an Indexed Job")
        if pod.get("restartPolicy") != "Never":
            problems.append(f"{name}: podFailurePolicy requires restartPolicy Never")
    return [f"{path}: {p}" for p in problems]


def main(paths):
    problems = []
    for path in paths:
        with open(path) as f:
            for doc in yaml.safe_load_all(f):
                if doc and doc.get("kind") == "Job":
                    problems += check_job(path, doc)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
