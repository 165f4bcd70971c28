"""Forward: a `kubectl port-forward` started again after it ended keeps its local port (its URL)."""
import sys

from helpers.kube.portforward import Forward

# A stand-in for kubectl: records its port argument, announces a local port (the one asked
# for, else 43210), and exits at once the first time (as kubectl does on a refused connection).
FAKE_KUBECTL = """
import sys, time
log, ports = sys.argv[1], sys.argv[-1]
local, remote = ports.split(":")
first = not open(log).read()
open(log, "a").write(ports + "\\n")
print(f"Forwarding from 127.0.0.1:{local or 43210} -> {remote}", flush=True)
sys.exit(1) if first else time.sleep(60)
"""


def test_a_forward_started_again_listens_on_the_same_local_port(tmp_path):
    log = tmp_path / "calls"
    log.write_text("")
    fake = tmp_path / "kubectl.py"
    fake.write_text(FAKE_KUBECTL)
    forward = Forward([sys.executable, str(fake), str(log)], "ns", "web", 8080, lambda: "pod ns/web")
    try:
        assert forward.url == "http://127.0.0.1:43210"
        forward.process.wait(timeout=10)
        assert forward.ended().startswith("kubectl port-forward exited 1: Forwarding from 127.0.0.1:43210")
        forward.reopen()
        assert forward.ended() is None and forward.url == "http://127.0.0.1:43210"
        assert log.read_text().split() == [":8080", "43210:8080"]
    finally:
        forward.stop()
    assert forward.ended()
