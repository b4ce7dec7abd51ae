#!/usr/bin/env python3
"""gpu-torch backend of flydel-measure: the same plan in, the same measurement CSV out, on a CUDA GPU with PyTorch.

  measure_gpu_torch.py --plan PLAN.csv -o MEASUREMENTS.csv [--device cuda:0] [--min-time 0.2]
                       [--energy-window 2.0] [--idle-seconds 3] [--deadline SECONDS] [--dry-run]

Each plan row (docs/formats.md) becomes one PyTorch op on NCHW f32 tensors (conv2d with groups, max_pool2d,
matmul, add, NHWC->NCHW copy), TF32 off, cudnn.benchmark on (a framework's choice of algorithm). Latency: warm-up,
then samples of batched launches timed with CUDA events until --min-time of measured time; median of the samples
within median +- max(3 * 1.4826 * MAD, 5 %), IQR and MAD in % of the median (the columns flydel-measure writes).
For ops shorter than their launch, the time between events is the launch rate: what eager PyTorch delivers.
Energy: NVML's total-energy counter (nvmlDeviceGetTotalEnergyConsumption, mJ) over at least --energy-window seconds
of back-to-back launches, minus the idle power measured over --idle-seconds before the first layer, per call (kept
as measured, even slightly negative for ops far below the idle power's noise; flydel-identify leaves those out);
windows of a few hundred ms are far too noisy for per-op energy on an H200 (../shared/notes). Energy asked for on a
GPU without pynvml or the counter is an error; on the CPU energy_j stays empty and the header says why.
Output is rewritten atomically after every layer; a re-run skips measured rows (measuring energy: rows with a
reading). A layer that fails (out of memory, a shape the library refuses) is reported and left unmeasured, the
others are measured, and the exit status is 1. A table is resumed only on the device that began it.

--energy-window 0 measures latency only (energy_j empty, the header says why). --deadline stops before the next
layer once that many seconds have passed (a lent GPU's time is counted): what is written is complete, and a re-run
resumes. --device cpu runs the same code path on the CPU (wall-clock timing, no energy): how the script is tested
on machines without a GPU (scripts/gpu-campaign.sh QUICK=1), not a CPU backend worth modelling.
--dry-run checks the plan and prints what would be measured without importing torch (no GPU needed).
NOTE: written without access to a GPU machine; it has not been run on a GPU (only with --device cpu).
"""
import argparse
import csv
import datetime
import os
import platform
import statistics
import sys
import time

LAYER_COLUMNS = ["op", "batch", "in_h", "in_w", "c_in", "c_out", "kernel_h", "kernel_w", "stride_h", "stride_w",
                 "pad_h", "pad_w", "dilation", "groups", "dtype"]
# The schema of flydel-measure's output; this script makes one pass (passes 1, no retest median).
RESULT_COLUMNS = ["latency_ms", "latency_iqr_pct", "latency_mad_pct", "samples", "outliers", "energy_j", "passes",
                  "latency_retest_ms"]
DEFAULTS = {"batch": 1, "kernel_h": 1, "kernel_w": 1, "stride_h": 1, "stride_w": 1, "pad_h": 0, "pad_w": 0,
            "dilation": 1, "groups": 1, "dtype": "f32", "op": "conv2d"}
OPS = ("conv2d", "pool2d", "matmul", "elementwise", "data_movement")


def fail(message):
    sys.exit("measure_gpu_torch.py: error: " + message)


def read_plan(path):
    """(header, rows, layers); layers are dicts of ints (plus op/dtype), validated with line numbers."""
    try:
        with open(path, newline="") as f:
            lines = f.read().splitlines()
    except OSError as e:
        fail("%s: %s" % (path, e.strerror))
    numbered = [(i + 1, l) for i, l in enumerate(lines) if l.strip() and not l.startswith("#")]
    if not numbered:
        fail("%s: no header" % path)
    header = next(csv.reader([numbered[0][1]]))
    header = [h.strip() for h in header]
    aliases = {"in_hw": ("in_h", "in_w"), "kernel": ("kernel_h", "kernel_w"), "stride": ("stride_h", "stride_w"),
               "pad": ("pad_h", "pad_w")}
    have = set(header) | {x for a, pair in aliases.items() if a in header for x in pair}
    for need in ("in_h", "c_in", "c_out"):
        if need not in have:
            fail("%s:%d: the header must name in_hw (or in_h/in_w), c_in and c_out" % (path, numbered[0][0]))
    rows, layers = [], []
    for line_no, text in numbered[1:]:
        cells = [c.strip() for c in next(csv.reader([text]))]
        if len(cells) != len(header):
            fail("%s:%d: expected %d fields, found %d" % (path, line_no, len(header), len(cells)))
        row = dict(zip(header, cells))
        layer = dict(DEFAULTS)
        for col, value in row.items():
            targets = aliases.get(col, (col,))
            if targets[0] not in LAYER_COLUMNS:
                continue
            if col in ("op", "dtype"):
                layer[col] = value
                continue
            try:
                number = int(value)
            except ValueError:
                fail("%s:%d:%d: column '%s': '%s' is not an integer" % (path, line_no, header.index(col) + 1, col,
                                                                       value))
            for t in targets:
                layer[t] = number
        if "in_w" not in layer:
            layer["in_w"] = layer["in_h"]
        if layer["op"] not in OPS:
            fail("%s:%d: unknown op kind '%s'" % (path, line_no, layer["op"]))
        if layer["dtype"] != "f32":
            fail("%s:%d: gpu-torch measures f32 only, not %s" % (path, line_no, layer["dtype"]))
        if layer["op"] == "conv2d" and (layer["c_in"] % layer["groups"] or layer["c_out"] % layer["groups"]):
            fail("%s:%d: channels not divisible by the groups" % (path, line_no))
        rows.append(row)
        layers.append(layer)
    return header, rows, layers


def key(layer):
    return ",".join(str(layer[c]) for c in LAYER_COLUMNS)


def summarize(samples):
    s = sorted(samples)
    med = statistics.median(s)
    mad = statistics.median(abs(x - med) for x in s)
    kept = [x for x in s if abs(x - med) <= max(3 * 1.4826 * mad, 0.05 * med)]
    q = statistics.quantiles(kept, n=4, method="inclusive") if len(kept) > 1 else [kept[0]] * 3
    m = statistics.median(kept)
    return m, 100 * (q[2] - q[0]) / m, 100 * mad / med, len(s), len(s) - len(kept)


def build(torch, layer, device):
    """A callable running the layer once (inputs allocated once)."""
    F = torch.nn.functional
    n, h, w, ci, co = layer["batch"], layer["in_h"], layer["in_w"], layer["c_in"], layer["c_out"]
    rand = lambda *shape: torch.randn(*shape, device=device, dtype=torch.float32)
    op = layer["op"]
    if op == "conv2d":
        x, wt, b = rand(n, ci, h, w), rand(co, ci // layer["groups"], layer["kernel_h"], layer["kernel_w"]), rand(co)
        args = dict(stride=(layer["stride_h"], layer["stride_w"]), padding=(layer["pad_h"], layer["pad_w"]),
                    dilation=layer["dilation"], groups=layer["groups"])
        return lambda: F.conv2d(x, wt, b, **args)
    if op == "pool2d":
        x = rand(n, ci, h, w)
        return lambda: F.max_pool2d(x, (layer["kernel_h"], layer["kernel_w"]), (layer["stride_h"], layer["stride_w"]),
                                    (layer["pad_h"], layer["pad_w"]))
    if op == "matmul":
        a, bm = rand(n * h * w, ci), rand(ci, co)
        return lambda: torch.matmul(a, bm)
    if op == "elementwise":
        a, bm = rand(n, ci, h, w), rand(n, ci, h, w)
        return lambda: torch.add(a, bm)
    x = rand(n, h, w, ci)
    return lambda: x.permute(0, 3, 1, 2).contiguous()


def synchronizer(torch, device):
    """Waits for the device's queued work (nothing to wait for on the CPU)."""
    return torch.cuda.synchronize if device.type == "cuda" else (lambda: None)


def time_layer(torch, fn, args, device):
    """((median, iqr %, mad %, samples, outliers), batch): the calls per sample are the batch."""
    sync = synchronizer(torch, device)
    # The first call pays for cudnn.benchmark's algorithm search and lazy kernel loading (tens to hundreds of ms):
    # left out of the per-call estimate that sizes the batches, or a 50 us kernel would be timed one call at a time.
    fn()
    sync()
    start = time.perf_counter()
    calls = 0
    while calls < 3 or time.perf_counter() - start < args.warmup:
        fn()
        calls += 1
        sync()
    per_call = (time.perf_counter() - start) / calls
    batch = max(2, int(1e-3 / max(per_call, 1e-7)))
    samples, measured = [], 0.0
    if device.type == "cuda":  # device time between two events, the launches queued behind each other
        begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    while len(samples) < args.max_samples and (len(samples) < args.min_samples or measured < args.min_time):
        if device.type == "cuda":
            fn()  # the GPU is busy when `begin` is recorded: no idle gap while the first launch is issued
            begin.record()
            for _ in range(batch):
                fn()
            end.record()
            end.synchronize()
            ms = begin.elapsed_time(end)
        else:
            t0 = time.perf_counter()
            for _ in range(batch):
                fn()
            ms = 1e3 * (time.perf_counter() - t0)
        measured += ms / 1e3
        samples.append(ms / batch)
    return summarize(samples), batch


def energy_per_call(fn, sync, batch, read_energy, idle_w, window_s):
    """Joules per call above idle over at least `window_s` of back-to-back calls (in chunks of `batch`), or None
    when the counter did not move (no reading, never a guess)."""
    sync()
    e0, t0, calls = read_energy(), time.perf_counter(), 0
    while time.perf_counter() - t0 < window_s:
        for _ in range(batch):
            fn()
        calls += batch
        sync()
    joules, seconds = read_energy() - e0, time.perf_counter() - t0
    if joules <= 0:
        return None
    # Above-idle energy can come out slightly negative for ops far below the idle power's noise: kept as measured.
    return (joules - idle_w * seconds) / calls


def open_nvml(torch, device):
    try:
        import pynvml
        pynvml.nvmlInit()
        # NVML numbers GPUs by PCI order, CUDA by CUDA_VISIBLE_DEVICES and speed: the UUID names the same one.
        uuid = getattr(torch.cuda.get_device_properties(device), "uuid", None)
        handle = (pynvml.nvmlDeviceGetHandleByUUID("GPU-%s" % uuid) if uuid is not None else
                  pynvml.nvmlDeviceGetHandleByIndex(device.index or 0))
        pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)
        return lambda: pynvml.nvmlDeviceGetTotalEnergyConsumption(handle) / 1e3, None  # mJ -> J
    except Exception as e:  # no pynvml, no counter (pre-Volta), no permission
        return None, "unavailable (%s)" % (str(e) or type(e).__name__)


class Job:
    """One plan and its output table: the rows already measured (a re-run resumes) and the provenance lines."""

    def __init__(self, plan, out, need_energy):
        self.plan, self.out = plan, out
        self.header, self.rows, self.layers = read_plan(plan)
        self.keep = [c for c in self.header if c not in RESULT_COLUMNS]
        self.out_header = self.keep + RESULT_COLUMNS
        done = {}
        self.comments = []
        if os.path.exists(out):
            with open(out, newline="") as f:
                lines = [l for l in f.read().splitlines() if l.strip()]
            self.comments = [l for l in lines if l.startswith("#")]
            data = [l for l in lines if not l.startswith("#")]
            if not data or [c.strip() for c in next(csv.reader([data[0]]))] != self.out_header:
                fail("%s: exists with other columns than this plan gives; choose another -o or remove it" % out)
            for r in csv.DictReader(data[1:], fieldnames=self.out_header):
                # Measuring energy, a row without a reading is measured again (its latency too).
                if r["latency_ms"] and (r["energy_j"] or not need_energy):
                    done.setdefault(self.row_key(r), []).append(",".join(r[c] or "" for c in self.out_header))
        # A plan may list a layer twice: each occurrence takes one measured row.
        self.out_rows, used = [None] * len(self.rows), {}
        for i, r in enumerate(self.rows):
            k = self.row_key(r)
            n = used.get(k, 0)
            if n < len(done.get(k, [])):
                self.out_rows[i] = done[k][n]
                used[k] = n + 1
        self.todo = [i for i in range(len(self.rows)) if self.out_rows[i] is None]

    def device_line(self):
        """The '# gpu: NAME' or '# device: cpu' provenance line of an existing table, up to the host."""
        return next((c.split(";")[0] for c in self.comments if c.startswith(("# gpu:", "# device:"))), None)

    def row_key(self, row):
        return ",".join(row[c] for c in self.keep)

    def write(self):
        """The whole table, atomically: a killed run leaves the previous complete file."""
        tmp = self.out + ".tmp"
        with open(tmp, "w") as f:
            f.write("\n".join(self.comments + [",".join(self.out_header)] + [x for x in self.out_rows if x]) + "\n")
        os.replace(tmp, self.out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plan", required=True, action="append",
                        help="a plan; repeat --plan and -o for several tables in one process (one CUDA start-up)")
    parser.add_argument("-o", required=True, action="append", help="the output of the --plan of the same rank")
    parser.add_argument("--device", default="cuda:0")
    parser.add_argument("--min-time", type=float, default=0.2)
    parser.add_argument("--warmup", type=float, default=0.05)
    parser.add_argument("--min-samples", type=int, default=7)
    parser.add_argument("--max-samples", type=int, default=200)
    parser.add_argument("--energy-window", type=float, default=2.0,
                        help="seconds of launches per energy reading (0: latency only)")
    parser.add_argument("--idle-seconds", type=float, default=3.0, help="idle baseline window")
    parser.add_argument("--deadline", type=float, default=0.0,
                        help="stop before the next layer after this many seconds (0: no deadline); a re-run resumes")
    parser.add_argument("--dry-run", action="store_true", help="check the plan, print the layers, import no torch")
    args = parser.parse_args()
    if args.energy_window < 0 or args.deadline < 0 or args.min_time <= 0:
        fail("--energy-window and --deadline must be >= 0, --min-time > 0")
    if len(args.plan) != len(args.o):
        fail("%d --plan but %d -o: give each plan its output" % (len(args.plan), len(args.o)))
    if len(set(map(os.path.abspath, args.o))) != len(args.o):
        fail("two plans write the same -o file")
    # Energy is read on GPUs only: there a row without a reading is not done.
    need_energy = args.energy_window > 0 and args.device.startswith("cuda")
    jobs = [Job(plan, out, need_energy) for plan, out in zip(args.plan, args.o)]
    if args.dry_run:
        for job in jobs:
            print("plan %s: %d layers, %d to measure on %s (dry run: nothing measured, nothing written)" % (
                job.plan, len(job.rows), len(job.todo), args.device))
            for i in job.todo:
                print("  " + key(job.layers[i]))
        return
    total = sum(len(job.todo) for job in jobs)
    if total == 0:
        print("measure_gpu_torch.py: every layer is measured already (%s)" % ", ".join(args.o), file=sys.stderr)
        return
    started = time.perf_counter()
    try:
        import torch  # only for a real run
    except ImportError:
        fail("PyTorch is not installed for %s" % sys.executable)
    try:
        dev = torch.device(args.device)
    except RuntimeError as e:
        fail("--device %s: %s" % (args.device, e))
    if dev.type == "cuda" and not torch.cuda.is_available():
        fail("no CUDA device visible to PyTorch")
    if dev.type not in ("cuda", "cpu"):
        fail("--device %s: expected cuda[:N] or cpu" % args.device)
    if dev.type == "cuda":
        torch.cuda.set_device(dev)  # CUDA events and synchronize act on the current device
    # Plain f32 (no TF32): PyTorch 2.9 and later spell it fp32_precision, and mixing the two spellings is an error.
    if hasattr(torch.backends.cudnn, "conv") and hasattr(torch.backends.cudnn.conv, "fp32_precision"):
        torch.backends.cudnn.conv.fp32_precision = "ieee"
        torch.backends.cuda.matmul.fp32_precision = "ieee"
    else:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    if args.energy_window == 0:
        read_energy, why = None, "not measured (--energy-window 0)"
    elif dev.type != "cuda":
        read_energy, why = None, "unavailable (NVML reads GPUs; --device %s)" % args.device
    else:
        read_energy, why = open_nvml(torch, dev)
        if not read_energy:  # asked for energy on a GPU: latency alone would spend the time and record nothing
            fail("energy asked for (--energy-window %g) but NVML's energy counter is %s" % (args.energy_window, why))
    sync = synchronizer(torch, dev)
    idle_w = None
    if read_energy:
        sync()
        e0, t0 = read_energy(), time.perf_counter()
        time.sleep(args.idle_seconds)
        idle_w = (read_energy() - e0) / (time.perf_counter() - t0)
    host = "%s, %d cores" % (platform.processor() or platform.machine(), os.cpu_count())
    device_line = ("# gpu: %s" % torch.cuda.get_device_name(dev) if dev.type == "cuda" else
                   "# device: cpu (%d torch threads), not a GPU" % torch.get_num_threads())
    for job in jobs:  # a table resumed on another GPU would mix two devices under its first one's name
        if job.todo and job.device_line() not in (None, device_line):
            fail("%s was measured on another device (%s) than this one (%s); choose another -o" % (
                job.out, job.device_line()[2:], device_line[2:]))
    provenance = [device_line + "; host " + host,
                  "# backend: PyTorch %s, CUDA %s, cuDNN %s, TF32 off, cudnn.benchmark on" % (
                      torch.__version__, torch.version.cuda, torch.backends.cudnn.version()),
                  "# energy: " + ("NVML total energy over >= %.1f s windows minus idle %.1f W" % (
                      args.energy_window, idle_w) if read_energy else why)]
    session = "# session %s: %s, load average %s%s" % (
        datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), device_line[2:],
        " ".join("%.2f" % x for x in os.getloadavg()), ", idle %.1f W" % idle_w if read_energy else "")
    start, t, failed = time.time(), 0, 0
    for job in jobs:
        if not job.todo:
            continue
        if not job.comments:
            job.comments = ["# gpu-torch (python/measure_gpu_torch.py): plan %s" % job.plan] + provenance
        job.comments.append(session)
        for i in job.todo:
            if args.deadline and time.perf_counter() - started > args.deadline:
                print("measure_gpu_torch.py: deadline of %.0f s reached: %d of %d layers left to measure; re-run to "
                      "resume" % (args.deadline, total - t, total), file=sys.stderr)
                return
            t += 1
            began = time.perf_counter()
            try:
                fn = build(torch, job.layers[i], dev)
                (med, iqr, mad, samples, outliers), batch = time_layer(torch, fn, args, dev)
                joules = energy_per_call(fn, sync, batch, read_energy, idle_w, args.energy_window) \
                    if read_energy else None
            except Exception as e:  # out of memory, a shape the library refuses: this layer only, said and skipped
                failed += 1
                print("[%d/%d] %s: not measured: %s: %s" % (t, total, key(job.layers[i]), type(e).__name__,
                                                             str(e).splitlines()[0] if str(e) else ""), file=sys.stderr)
                fn = None
                if dev.type == "cuda":
                    torch.cuda.empty_cache()
                continue
            energy = "%.6g" % joules if joules is not None else ""
            job.out_rows[i] = ",".join([job.rows[i][c] for c in job.keep] + [
                "%.6g" % med, "%.4g" % iqr, "%.4g" % mad, str(samples), str(outliers), energy, "1", ""])
            job.write()
            elapsed = time.time() - start
            print("[%d/%d] %s: %.4g ms%s (%.2f s), ETA %.0f s" % (
                t, total, key(job.layers[i]), med, ", %.4g J" % joules if joules is not None else "",
                time.perf_counter() - began, elapsed / t * (total - t)), file=sys.stderr)
    if failed:
        fail("%d of %d layers not measured (above); a re-run tries them again" % (failed, total))


if __name__ == "__main__":
    main()
