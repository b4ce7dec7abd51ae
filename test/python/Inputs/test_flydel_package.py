"""The flydel package returns what the tools return on the same inputs (run by test/python/flydel-package.test).

Environment: FLYDEL_BIN (the tools), FLYDEL_SRC (the checkout), FLYDEL_REF_DIR (reference outputs the lit test
made with the tools), FLYDEL_SHARED (../shared: the real-model tests skip without it, except under CI=true).
"""
import json
import math
import os
import re
import subprocess
import tempfile
import unittest

import numpy as np

import flydel

BIN = os.environ["FLYDEL_BIN"]
SRC = os.environ["FLYDEL_SRC"]
REF = os.environ["FLYDEL_REF_DIR"]
SHARED = os.environ.get("FLYDEL_SHARED", "")
CI = os.environ.get("CI", "").lower() == "true"

# Layers that cover the cases the report distinguishes: in domain, extrapolated, over an FPGA capacity (does not
# fit), a depthwise and a grouped convolution, a global and a windowed pool, a matmul, an elementwise op.
LAYERS = [
    {"op": "conv2d", "in_hw": 28, "c_in": 64, "c_out": 128, "kernel": 3, "stride": 1},
    {"op": "conv2d", "in_hw": 14, "c_in": 16, "c_out": 16, "kernel": 3, "pad": 1},
    {"op": "conv2d", "in_hw": 512, "c_in": 3, "c_out": 2048, "kernel": 7, "stride": 2, "pad": 3},
    {"op": "conv2d", "in_hw": 56, "c_in": 32, "c_out": 32, "kernel": 3, "pad": 1, "groups": 32},
    {"op": "conv2d", "in_hw": 28, "c_in": 64, "c_out": 64, "kernel": 3, "pad": 1, "groups": 4},
    {"op": "pool2d", "in_hw": 7, "c_in": 512, "c_out": 512, "kernel": 7},
    {"op": "pool2d", "in_hw": 112, "c_in": 64, "c_out": 64, "kernel": 3, "stride": 2, "pad": 1},
    {"op": "matmul", "c_in": 512, "c_out": 1000},
    {"op": "elementwise", "in_hw": 56, "c_in": 64, "c_out": 64},
    {"op": "conv2d", "in_h": 32, "in_w": 16, "c_in": 8, "c_out": 24, "kernel_h": 3, "kernel_w": 1,
     "stride_h": 2, "stride_w": 1, "dtype": "f16"},
]


def spec(layer):
    return ",".join(f"{k}={v}" for k, v in layer.items())


def identify_predict(device, layers, library="tx2-c10gx"):
    cmd = [os.path.join(BIN, "flydel-identify"), "--predict", "--library", library, "--device", device]
    for layer in layers:
        cmd += ["--layer", spec(layer)]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def close(a, b):
    if a is None or b is None:
        return a is b
    return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


class PlatformTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.platform = flydel.Platform.load("tx2-c10gx")
        cls.reference = {d: identify_predict(d, LAYERS) for d in ("cpu", "gpu", "fpga")}

    def test_library(self):
        p = self.platform
        self.assertEqual(p.name, "tx2-c10gx")
        self.assertEqual(p.device_names, ["cpu", "gpu", "fpga"])
        self.assertIn("tx2-c10gx", flydel.embedded_platforms())
        with open(os.path.join(SRC, "platforms", "tx2-c10gx.json")) as f:
            library = json.load(f)
        self.assertEqual(len(p.models), len(library["models"]))
        self.assertEqual(len(p.links), len(library["links"]))
        fpga = next(d for d in p.devices if d["name"] == "fpga")
        self.assertEqual(fpga["kind"], "fpga")
        self.assertEqual(fpga["capacities"], library["devices"][2]["capacities"])
        for model in p.models:
            self.assertGreater(model["parameters"], 0)
            self.assertIn("mape", model["cv"])
        self.assertTrue(p.domains("cpu", "conv2d", "latency_ms"))
        # The same library from its file.
        from_file = flydel.Platform.load(os.path.join(SRC, "platforms", "tx2-c10gx.json"))
        self.assertEqual(from_file.models, p.models)

    def test_single_layer_equals_identify(self):
        for i, layer in enumerate(LAYERS):
            ours = self.platform.predict(layer)
            for device, results in self.reference.items():
                ref = results[i]
                with self.subTest(layer=i, device=device):
                    got = ours[device]
                    self.assertEqual(got["op"], ref["op"])
                    self.assertTrue(close(got["macs"], ref["macs"]))
                    self.assertEqual(list(got["predictions"]), list(ref["predictions"]))
                    for kpi, entry in ref["predictions"].items():
                        mine = got["predictions"][kpi]
                        self.assertEqual(set(mine), set(entry), kpi)
                        self.assertTrue(close(mine["value"], entry["value"]), (kpi, mine, entry))
                        for key in ("unit", "extrapolated", "domain", "status"):
                            self.assertEqual(mine.get(key), entry.get(key), (kpi, key))
                        if "capacity" in entry:
                            self.assertEqual(mine["capacity"], entry["capacity"])
                    for key in ("does_not_fit", "over_capacity"):
                        self.assertEqual(got.get(key), ref.get(key))
        # The cases the layers were chosen for are there.
        statuses = {e.get("status") for r in self.reference["fpga"] for e in r["predictions"].values()}
        self.assertTrue({"exceeds_capacity", "does_not_fit"} <= statuses)
        self.assertTrue(any(e["extrapolated"] for r in self.reference["cpu"] for e in r["predictions"].values()))

    def check_batch(self, batch):
        self.assertEqual(batch.n, len(LAYERS))
        self.assertEqual(batch.devices, ["cpu", "gpu", "fpga"])
        for device, results in self.reference.items():
            for i, ref in enumerate(results):
                with self.subTest(layer=i, device=device):
                    rec = batch.record(i)[device]
                    self.assertEqual(list(rec["predictions"]), sorted(ref["predictions"],
                                     key=batch.kpis(device).index))
                    for kpi, entry in ref["predictions"].items():
                        mine = rec["predictions"][kpi]
                        self.assertTrue(close(mine["value"], entry["value"]), (kpi, mine, entry))
                        self.assertEqual(mine.get("status"), entry.get("status"))
                        self.assertEqual(mine.get("domain"), entry.get("domain"))
                        self.assertEqual(mine["unit"], entry["unit"])
                    self.assertEqual(rec["fits"], "does_not_fit" not in ref)
                    self.assertEqual(rec["excess"], ref.get("does_not_fit", ref.get("over_capacity")))

    def test_batch_of_dicts_equals_identify(self):
        self.check_batch(self.platform.predict(LAYERS))

    def test_structured_array_equals_identify(self):
        fields = ["op", "in_h", "in_w", "c_in", "c_out", "kernel_h", "kernel_w", "stride_h", "stride_w", "pad_h",
                  "pad_w", "groups", "dtype"]
        rows = []
        for layer in LAYERS:
            full = {"in_h": 1, "in_w": 1, "kernel_h": 1, "kernel_w": 1, "stride_h": 1, "stride_w": 1, "pad_h": 0,
                    "pad_w": 0, "groups": 1, "dtype": "f32"}
            for key, value in layer.items():
                for member in {"in_hw": ["in_h", "in_w"], "kernel": ["kernel_h", "kernel_w"],
                               "stride": ["stride_h", "stride_w"], "pad": ["pad_h", "pad_w"]}.get(key, [key]):
                    full[member] = value
            rows.append(tuple(full[f] for f in fields))
        dtype = [(f, "U12" if f in ("op", "dtype") else np.int64) for f in fields]
        batch = self.platform.predict(np.array(rows, dtype=dtype))
        self.check_batch(batch)
        gpu = batch.value("gpu", "latency_ms")
        self.assertEqual(gpu.dtype, np.float64)
        self.assertEqual(gpu.shape, (len(LAYERS),))
        self.assertTrue(np.isnan(batch.value("fpga", "latency_ms")[2]))  # the layer that does not fit
        self.assertEqual(flydel.STATUSES[batch.status("fpga", "latency_ms")[2]], "does_not_fit")

    def test_device_subset(self):
        one = self.platform.predict(LAYERS[0], devices=["gpu"])
        self.assertEqual(list(one), ["gpu"])
        self.assertEqual(self.platform.predict(LAYERS, devices=["fpga", "cpu"]).devices, ["fpga", "cpu"])

    def test_bad_input_raises(self):
        p = self.platform
        cases = [
            (lambda: flydel.Platform.load("nosuch"), "nosuch"),
            (lambda: flydel.Platform.load("/nonexistent/lib.json"), "/nonexistent/lib.json"),
            (lambda: p.predict({"op": "conv3d"}), "unknown op kind 'conv3d'"),
            (lambda: p.predict({"op": "conv2d", "c_inn": 3}), "unknown layer field 'c_inn'"),
            (lambda: p.predict({"op": "conv2d", "c_in": 0}), "invalid layer"),
            (lambda: p.predict({"op": "conv2d", "c_in": 2.5}), "c_in"),
            (lambda: p.predict(LAYERS[0], devices=["npu"]), "no device 'npu'"),
            (lambda: p.predict([LAYERS[0], {"op": "pool2d", "kernel": -1}]), "layer 1"),
            (lambda: p.predict(np.array([("conv3d", 3)], dtype=[("op", "U8"), ("c_in", int)])), "conv3d"),
            (lambda: p.predict(np.array([(1.5,)], dtype=[("c_in", float)])), "c_in"),
            (lambda: flydel.annotate("/nonexistent/model.onnx"), "/nonexistent/model.onnx: cannot open"),
            (lambda: flydel.annotate(os.path.join(SRC, "README.md")), "unknown model format"),
            (lambda: flydel.annotate(os.path.join(SRC, "examples", "small-resnet.txtpb"), platform="nosuch"),
             "nosuch"),
            (lambda: flydel.assign(os.path.join(SRC, "examples", "small-resnet.txtpb"), objective="speed"),
             "speed"),
            (lambda: flydel.identify([{"op": "conv2d", "c_in": 3}], kpi="latency_ms"), "the header must name"),
            (lambda: flydel.identify("/nonexistent.csv", kpi="latency_ms"), "/nonexistent.csv: cannot read"),
            (lambda: flydel.identify(os.path.join(SRC, "platforms", "host-intel", "excitation",
                                                  "cpu-onednn-elementwise.csv"), kpi="energy_j"), "energy_j"),
        ]
        for call, message in cases:
            with self.subTest(message=message):
                with self.assertRaises(flydel.Error) as caught:
                    call()
                self.assertIn(message, str(caught.exception))
        self.assertTrue(issubclass(flydel.Error, Exception))


class AnnotateTest(unittest.TestCase):
    def test_small_resnet_equals_flydel_opt(self):
        with open(os.path.join(REF, "small-resnet.report.json")) as f:
            ref = json.load(f)
        for model in (os.path.join(SRC, "examples", "small-resnet.txtpb"), os.path.join(REF, "small-resnet.onnx"),
                      os.path.join(REF, "small-resnet.mlir")):
            with self.subTest(model=model):
                a = flydel.annotate(model)
                self.assertEqual(a.report, ref)
                self.assertEqual(a.totals, ref["functions"][0]["totals"])
                self.assertEqual(len(a.layers), len(ref["functions"][0]["layers"]))
                self.assertTrue(any(d[0] == "warning" for d in a.diagnostics))
        self.assertGreater(a.totals["gpu"]["latency_us"]["value"], 0)
        with open(os.path.join(REF, "small-resnet.report.txt")) as f:
            self.assertEqual(flydel.report(os.path.join(REF, "small-resnet.onnx")), f.read())
        with open(os.path.join(REF, "small-resnet.report-hide.txt")) as f:
            self.assertEqual(flydel.report(os.path.join(REF, "small-resnet.onnx"), hide=["layout", "no-model"]),
                             f.read())

    def test_devices_and_shapes(self):
        model = os.path.join(SRC, "examples", "small-resnet.txtpb")
        a = flydel.annotate(model, devices=["gpu"])
        self.assertEqual(list(a.totals), ["gpu"])
        with self.assertRaises(flydel.Error) as caught:
            flydel.annotate(model, input_shapes={"nosuch": (1, 3, 8, 8)})
        self.assertIn("'nosuch', which is not a graph input", str(caught.exception))

    def test_assign_equals_flydel_opt(self):
        with open(os.path.join(REF, "small-resnet.assigned.mlir")) as f:
            ir = f.read()
        a = flydel.assign(os.path.join(REF, "small-resnet.mlir"), objective="edp")
        summary = re.search(r"flydel\.assignment = \{(.*?)\}\}?\s*[,}]", ir, re.S)
        self.assertIsNotNone(summary)
        method = re.search(r'method = "([^"]*)"', ir).group(1)
        optimal = re.search(r"optimal = (true|false)", ir).group(1) == "true"
        self.assertEqual(a.method, method)
        self.assertEqual(a.optimal, optimal)
        self.assertEqual(a.summary["objective"], "edp")
        # Every op's device as the pass wrote it in the tool's output: loc("name") ... flydel.device = #flydel.device<"gpu"...
        devices = re.findall(r'flydel\.device = #flydel\.device<"(\w+)"', ir)
        self.assertEqual([op["device"] for op in a.ops], devices)
        self.assertEqual(sum(a.summary["ops"].values()), len(a.ops))
        pinned = flydel.assign(os.path.join(REF, "small-resnet.mlir"), pins={a.ops[0]["layer"]: "cpu"})
        self.assertEqual(pinned.placement[a.ops[0]["layer"]], "cpu")
        # Pipelined: every stage's load, the largest being the period; sequential has none.
        self.assertNotIn("stage_latency_us", a.summary)
        piped = flydel.assign(os.path.join(REF, "small-resnet.mlir"), mode="pipelined")
        stages = piped.summary["stage_latency_us"]
        self.assertTrue({"cpu", "gpu", "fpga"} <= set(stages), stages)
        self.assertEqual(max(stages.values()), piped.cost["latency_us"])


class IdentifyTest(unittest.TestCase):
    def test_equals_flydel_identify(self):
        table = os.path.join(SRC, "platforms", "host-intel", "excitation", "cpu-onednn-elementwise.csv")
        with open(os.path.join(REF, "identify.json")) as f:
            ref = json.load(f)
        m = flydel.identify(table, kpi="latency_ms", op="elementwise", structure="physics", folds=5, nested=False)
        self.assertEqual(m.chosen, ref["config"])
        self.assertEqual(m.parameters, ref["parameters"])
        for key in ("mape", "median_ape", "p90_ape", "within_10pct", "bias", "rmspe"):
            self.assertTrue(close(m.cv[key], ref[key]), key)
        self.assertEqual(m.rows, ref["n"])
        with open(os.path.join(REF, "identify.model.json")) as f:
            self.assertEqual(m.to_json(), f.read())
        with tempfile.TemporaryDirectory() as tmp:
            m.save(os.path.join(tmp, "model.json"))
            with open(os.path.join(tmp, "model.json")) as f:
                self.assertEqual(f.read(), m.to_json())
            with self.assertRaises(flydel.Error):
                m.save(os.path.join(tmp, "no", "such", "dir.json"))
        # Savable into a library: refused for a device the library does not have, accepted for its cpu (which
        # has no elementwise model), then a duplicate; the saved library predicts with it.
        platform = flydel.Platform.load("tx2-c10gx")
        with self.assertRaises(flydel.Error) as caught:
            platform.add_model(m)
        self.assertIn("unknown device 'device'", str(caught.exception))
        cpu = flydel.identify(table, kpi="latency_ms", op="elementwise", structure="physics", folds=5,
                              nested=False, device="cpu", unit="ms")
        layer = {"op": "elementwise", "in_hw": 56, "c_in": 64, "c_out": 64}
        self.assertNotIn("latency_ms", platform.predict(layer, devices=["cpu"])["cpu"]["predictions"])
        platform.add_model(cpu)
        with self.assertRaises(flydel.Error) as caught:
            platform.add_model(cpu)
        self.assertIn("duplicate", str(caught.exception))
        with tempfile.TemporaryDirectory() as tmp:
            platform.save(os.path.join(tmp, "lib.json"))
            saved = flydel.Platform.load(os.path.join(tmp, "lib.json"))
            got = saved.predict(layer, devices=["cpu"])["cpu"]["predictions"]["latency_ms"]
            ref = identify_predict("cpu", [layer], library=os.path.join(tmp, "lib.json"))[0]
            self.assertEqual(got["value"], ref["predictions"]["latency_ms"]["value"])
        # From rows: the same numbers as from the file.
        import csv
        with open(table) as f:
            rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
        m2 = flydel.identify(rows, kpi="latency_ms", op="elementwise", structure="physics", folds=5, nested=False)
        self.assertTrue(close(m2.cv["mape"], m.cv["mape"]))


def shared_model(name):
    path = os.path.join(SHARED, "models", "onnx", name)
    if os.path.exists(path):
        return path
    if CI:
        raise AssertionError(f"CI=true but {path} is missing")
    raise unittest.SkipTest(f"{path} not found (../shared absent): skipped")


class SharedModelTest(unittest.TestCase):
    def test_resnet18_totals_equal_flydel_opt(self):
        model = shared_model("torchvision_resnet18_noweights.onnx")
        with open(os.path.join(REF, "resnet18.report.json")) as f:
            ref = json.load(f)
        a = flydel.annotate(model)
        self.assertEqual(a.totals, ref["functions"][0]["totals"])
        self.assertEqual(a.report, ref)


if __name__ == "__main__":
    unittest.main(verbosity=2)
