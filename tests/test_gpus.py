"""GPU assignment: exclusive device ids across processes, released when the holder dies."""

import subprocess
import sys
import textwrap

from compute_backends.gpus import discover_gpus, try_acquire


def test_configured_devices_win_over_discovery():
    assert discover_gpus(["0", " 1 ", ""]) == ["0", "1"]


def test_leases_are_exclusive_and_released(tmp_path):
    first = try_acquire(["0", "1", "2"], 2, tmp_path)
    second = try_acquire(["0", "1", "2"], 2, tmp_path)
    third = try_acquire(["0", "1", "2"], 1, tmp_path)
    assert first is not None and first.devices == ["0", "1"]
    assert second is None
    assert third is not None and third.devices == ["2"]
    first.release()
    again = try_acquire(["0", "1", "2"], 2, tmp_path)
    assert again is not None and again.devices == ["0", "1"]


def test_another_process_cannot_take_a_held_device_until_the_holder_dies(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, time
            from compute_backends.gpus import try_acquire
            lease = try_acquire(["0"], 1, __import__("pathlib").Path({str(tmp_path)!r}))
            print("held" if lease else "none", flush=True)
            time.sleep(60)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        assert try_acquire(["0"], 1, tmp_path) is None
    finally:
        holder.kill()
        holder.wait()
    assert try_acquire(["0"], 1, tmp_path) is not None


def test_a_gpu_node_gets_its_devices_through_cuda_visible_devices(tmp_path):
    from compute_backends.base import LaunchSpec
    from compute_backends.local import LocalCompute

    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "main.py").write_text("import os; print('visible=' + os.environ['CUDA_VISIBLE_DEVICES'])")
    backend = LocalCompute(["3", "5"], tmp_path / "locks")
    spec = LaunchSpec(bundle, "n", tmp_path, tmp_path / "job.json", resources={"gpus": 2})
    execution = backend.launch(spec)
    while execution.exit_code() is None:
        pass
    lines = execution.read_lines()
    execution.release()
    assert "[pipewright] assigned GPU(s) 3,5" in lines
    assert "visible=3,5" in lines
    assert execution.gpus == ["3", "5"]  # recorded on the node run, shown in its panel
