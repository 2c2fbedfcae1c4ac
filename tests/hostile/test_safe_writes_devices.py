"""Writing to /dev/null or another device must not replace the device node."""

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from aiposture.safeio import write_file

ROOT = Path(__file__).resolve().parents[2]


def test_a_named_pipe_is_written_in_place_not_replaced():
    with tempfile.TemporaryDirectory() as d:
        fifo = Path(d) / "pipe"
        os.mkfifo(fifo)
        reader = subprocess.Popen([sys.executable, "-c", f"print(open({str(fifo)!r}).read(), end='')"],
                                  stdout=subprocess.PIPE, text=True)
        write_file(fifo, "report", "JSON report")
        assert reader.communicate(timeout=30)[0] == "report"
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_dev_null_stays_a_device():
    write_file("/dev/null", "x" * 100, "JSON report")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    r = subprocess.run([sys.executable, "-m", "aiposture", "scan", "--inventory", str(ROOT / "examples" / "inventory.json"),
                        "-q", "-f", "json", "-o", "/dev/null"], capture_output=True, text=True, check=False)
    assert r.returncode in (1, 3), r.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
