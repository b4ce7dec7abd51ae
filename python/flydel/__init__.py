"""flydel from Python: platform libraries, KPI predictions, annotation, assignment and identification, in process.

    import flydel
    platform = flydel.Platform.load("tx2-c10gx")          # an embedded platform, or a library JSON path
    platform.predict({"op": "conv2d", "in_hw": 56, "c_in": 64, "c_out": 64, "kernel": 3, "pad": 1})
    batch = platform.predict(layers)                        # a numpy structured array or a list of dicts
    batch.value("gpu", "latency_ms")                        # one float64 per layer
    report = flydel.annotate("model.onnx", input_shapes={"input": (1, 3, 224, 224)})
    report.totals["gpu"]["latency_us"]["value"]
    flydel.assign("model.onnx", objective="edp").placement
    flydel.identify("table.csv", kpi="latency_ms", op="conv2d").cv["mape"]

Every number comes from the functions the tools print from (flydel-identify --predict, flydel-opt --annotate-kpis
--flydel-kpi-report, --assign-devices, flydel-identify DATA.csv): the package returns what they report, including
which values are extrapolated and why, and which layers do not fit a device. Failures raise flydel.Error with the
tools' message. See docs/python.md.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _core

__all__ = ["Error", "Platform", "BatchPrediction", "Annotation", "Assignment", "IdentifiedModel", "annotate",
           "assign", "identify", "embedded_platforms", "DEFAULT_PLATFORM"]

#: Raised for every failure (bad input, unknown platform or device, a model file that does not import, ...), with
#: the message the command-line tools print.
Error = _core.Error

#: The platform the tools use when none is named (the paper's Jetson TX2 + Cyclone 10 GX), embedded in the module.
DEFAULT_PLATFORM = "tx2-c10gx"

#: Codes of BatchPrediction.status, in order.
STATUSES: Tuple[str, ...] = tuple(_core.STATUSES)

PathLike = Union[str, "os.PathLike[str]"]
LayerSpec = Mapping[str, Union[int, str]]


def embedded_platforms() -> List[str]:
    """Names of the platform libraries compiled into flydel."""
    return list(_core.embedded_platforms())


def _layer_matrix(layers: Any):
    """The layers as the int64 matrix _core reads (columns _core.LAYER_COLUMNS, op and dtype as codes)."""
    import numpy as np

    if isinstance(layers, np.ndarray) and layers.dtype.names:
        columns = {name: i for i, name in enumerate(_core.LAYER_COLUMNS)}
        flat = layers.reshape(-1)
        matrix = np.empty((flat.shape[0], len(columns)), dtype=np.int64)
        matrix[:] = np.asarray(_core.DEFAULT_LAYER, dtype=np.int64)
        # In the array's field order, as a --layer spec applies its fields left to right.
        for name in layers.dtype.names:
            column = flat[name]
            if name in ("op", "dtype"):
                names = list(_core.OP_KINDS if name == "op" else _core.DTYPES)
                if column.dtype.kind not in "USO":
                    raise Error(f"field '{name}': expected names ({', '.join(names)}), got numpy dtype {column.dtype}")
                unique, inverse = np.unique(column, return_inverse=True)
                codes = []
                for u in unique:
                    if not isinstance(u, (str, bytes)):
                        raise Error(f"field '{name}': {u!r} is not a name ({', '.join(names)})")
                    text = u.decode() if isinstance(u, bytes) else u
                    if text not in names:
                        what = "op kind" if name == "op" else "data type"
                        raise Error(f"unknown {what} '{text}'")
                    codes.append(names.index(text))
                matrix[:, columns[name]] = np.asarray(codes, dtype=np.int64)[inverse]
            elif name in _core.LAYER_FIELDS:
                if column.dtype.kind not in "iu":
                    raise Error(f"field '{name}': expected integers, got numpy dtype {column.dtype}")
                for member in _core.LAYER_FIELDS[name]:
                    matrix[:, columns[member]] = column
            else:
                raise Error(f"unknown layer field '{name}'")
        return matrix
    if isinstance(layers, Mapping):
        layers = [layers]
    if not isinstance(layers, list):
        layers = list(layers)
    return _core.layer_matrix(layers)


class BatchPrediction:
    """Predictions of a batch of layers on several devices, as columns (one entry per layer).

    For a device and one of its KPI columns (``kpis(device)``, e.g. ``latency_ms``, ``energy_j``, ``alm``):

    - ``value``: float64, in the library's unit (``unit``); NaN where there is no value (no model for the layer's op
      kind, or the layer does not fit the device). For ``exceeds_capacity`` it is the unclipped demand.
    - ``status``: uint8 codes into ``flydel.STATUSES``: no_model, predicted, exceeds_capacity (a resource above the
      device's capacity), does_not_fit (another resource is over capacity: no latency or energy there);
    - ``extrapolated``: bool; ``reason``: object array, the domain text where extrapolated, else None (made on
      first use: formatting every text would cost more than the evaluation);
    - ``capacity``: float64, the device's capacity where the status is exceeds_capacity, else NaN.

    Per device, ``fits`` (bool) and ``excess`` (text naming the resources over capacity, else None; made on
    first use).
    These are the fields flydel-identify --predict prints per layer.
    """

    def __init__(self, columns: Dict[str, Dict[str, Any]], n: int, library: "_core.Library"):
        self._columns = columns
        self._library = library
        #: Number of layers.
        self.n = n

    @property
    def devices(self) -> List[str]:
        """The devices predicted, in the order asked (default: the platform's)."""
        return list(self._columns)

    def kpis(self, device: str) -> List[str]:
        """The KPI columns the device has models for, in the library's order."""
        return list(self._device(device)["kpis"])

    def unit(self, device: str, kpi: str) -> str:
        d = self._device(device)
        return d["units"][self._kpi_index(device, kpi)]

    def _device(self, device: str) -> Dict[str, Any]:
        if device not in self._columns:
            raise Error(f"no predictions for device '{device}' (devices: {', '.join(self._columns)})")
        return self._columns[device]

    def _kpi_index(self, device: str, kpi: str) -> int:
        kpis = self._device(device)["kpis"]
        if kpi not in kpis:
            raise Error(f"device '{device}' has no model for KPI '{kpi}' (KPIs: {', '.join(kpis)})")
        return kpis.index(kpi)

    def _column(self, name: str, device: str, kpi: str):
        return self._device(device)[name][:, self._kpi_index(device, kpi)]

    def value(self, device: str, kpi: str):
        return self._column("value", device, kpi)

    def status(self, device: str, kpi: str):
        return self._column("status", device, kpi)

    def extrapolated(self, device: str, kpi: str):
        return self._column("extrapolated", device, kpi)

    def reason(self, device: str, kpi: str):
        # Made on first use from the numbers the evaluation recorded (the same text function as the tools).
        import numpy as np

        d, k = self._device(device), self._kpi_index(device, kpi)
        cache = d.setdefault("_reason", {})
        if k not in cache:
            rows = np.flatnonzero(d["extrapolated"][:, k])
            out = np.full(self.n, None, dtype=object)
            if len(rows):
                texts = _core.describe_domains(*(d[name][rows, k].tolist() for name in (
                    "domain_feature", "domain_value", "domain_min", "domain_max", "domain_flags")))
                for row, text in zip(rows, texts):
                    out[row] = text
            cache[k] = out
        return cache[k]

    def capacity(self, device: str, kpi: str):
        return self._column("capacity", device, kpi)

    def fits(self, device: str):
        return self._device(device)["fits"]

    def excess(self, device: str):
        # Made on first use from the resources over capacity (the device's capacities are in name order).
        import numpy as np

        d = self._device(device)
        if "_excess" not in d:
            kpis = d["kpis"]
            over = d["status"] == STATUSES.index("exceeds_capacity")
            order = sorted(range(len(kpis)), key=lambda k: kpis[k])
            out = np.full(self.n, None, dtype=object)
            for i in np.flatnonzero(over.any(axis=1)):
                ks = [k for k in order if over[i, k]]
                out[i] = self._library.excess_text(device, [kpis[k] for k in ks],
                                                   [float(d["value"][i, k]) for k in ks])
            d["_excess"] = out
        return d["_excess"]

    def record(self, i: int) -> Dict[str, Dict[str, Any]]:
        """Layer i as Platform.predict returns a single layer's predictions (slow; for inspection)."""
        import math

        out: Dict[str, Dict[str, Any]] = {}
        for device, d in self._columns.items():
            predictions = {}
            for k, kpi in enumerate(d["kpis"]):
                status = STATUSES[int(d["status"][i, k])]
                if status == "no_model":
                    continue
                value = float(d["value"][i, k])
                entry: Dict[str, Any] = {"value": None if math.isnan(value) else value, "unit": d["units"][k],
                                         "extrapolated": bool(d["extrapolated"][i, k])}
                if entry["extrapolated"]:
                    entry["domain"] = self.reason(device, kpi)[i]
                if status != "predicted":
                    entry["status"] = status
                if status == "exceeds_capacity":
                    entry["capacity"] = float(d["capacity"][i, k])
                predictions[kpi] = entry
            out[device] = {"predictions": predictions, "fits": bool(d["fits"][i]), "excess": self.excess(device)[i]}
        return out


class Platform:
    """A platform library: devices, the links between them and the identified KPI models."""

    def __init__(self, library: "_core.Library"):
        self._library = library

    @staticmethod
    def load(spec: PathLike = DEFAULT_PLATFORM) -> "Platform":
        """Loads an embedded platform by name (``tx2-c10gx``) or a library JSON file (docs/formats.md)."""
        return Platform(_core.Library.load(os.fspath(spec)))

    @property
    def name(self) -> str:
        return self._library.name

    @property
    def description(self) -> str:
        return self._library.description

    @property
    def devices(self) -> List[Dict[str, Any]]:
        """Per device: name, kind (cpu, gpu, fpga), description, capacities, dtype (None: the layer's), spills."""
        return self._library.devices

    @property
    def device_names(self) -> List[str]:
        return [d["name"] for d in self.devices]

    @property
    def links(self) -> List[Dict[str, Any]]:
        """Per link: from, to, latency and energy (affine cost: intercept, slope_per_kbit, unit, mape, n; energy
        None when the link has none), source, assumed (the costs are stated assumptions, not a fit)."""
        return self._library.links

    @property
    def models(self) -> List[Dict[str, Any]]:
        """Per model: device, op, variant, kpi, unit, structure, parameters, domain ({feature: (min, max)}), cv
        (mape, median_ape, p90_ape, within_10pct, bias, rmspe, folds, n, seed, nested when computed), source."""
        return self._library.models

    def domains(self, device: str, op: str, kpi: str) -> List[Dict[str, Tuple[float, float]]]:
        """The training domains of the device's models of that op kind and KPI (one per variant)."""
        return [m["domain"] for m in self.models if m["device"] == device and m["op"] == op and m["kpi"] == kpi]

    def predict(self, layers: Union[LayerSpec, Sequence[LayerSpec], Any],
                devices: Optional[Sequence[str]] = None) -> Union[Dict[str, Any], BatchPrediction]:
        """Predicts every KPI the devices have models for, as flydel-identify --predict and --annotate-kpis do.

        ``layers``: one layer as a dict of descriptor fields (op, batch, in_hw or in_h/in_w, c_in, c_out, kernel or
        kernel_h/kernel_w, stride, pad, dilation, groups, dtype, pe, simd: what ``--layer`` takes; unspecified
        fields keep their defaults), a list of such dicts, or a numpy structured array with those field names (op
        and dtype as strings; the fast path). ``devices``: default all of the platform's.

        One dict gives {device: {"op", "macs", "predictions": {kpi: {"value", "unit", "extrapolated", "domain"?,
        "status"?, "capacity"?}}, "does_not_fit"? or "over_capacity"?}} -- flydel-identify --predict's fields.
        A batch gives a BatchPrediction (columns).
        """
        devices = None if devices is None else [str(d) for d in devices]
        if isinstance(layers, Mapping):
            return self._library.predict_one(dict(layers), devices)
        matrix = _layer_matrix(layers)
        return BatchPrediction(self._library.predict_batch(matrix, devices), int(matrix.shape[0]), self._library)

    def time_evaluation(self, layers: Any, devices: Optional[Sequence[str]] = None) -> float:
        """Seconds the C++ evaluation of these layers takes by itself (the reference of the benchmark)."""
        return self._library.time_evaluation(_layer_matrix(layers), None if devices is None else list(devices))

    def add_model(self, model: "IdentifiedModel") -> None:
        """Adds an identified model to this library (in memory; save() writes it). Fails on a duplicate model or
        a device the library does not have."""
        self._library.add_model(model.to_json())

    def save(self, path: PathLike) -> None:
        """Writes the library JSON (atomically)."""
        self._library.save(os.fspath(path))

    def to_json(self) -> str:
        return self._library.to_json()


def _shape_specs(input_shapes: Union[None, Mapping[str, Sequence[int]], Sequence[str]]) -> List[str]:
    """NAME=D0xD1x... strings (flydel-translate --input-shape) from a dict of shapes or such strings."""
    if input_shapes is None:
        return []
    if isinstance(input_shapes, Mapping):
        return [f"{name}=" + "x".join(str(int(d)) for d in dims) for name, dims in input_shapes.items()]
    return [str(s) for s in input_shapes]


@dataclass
class Annotation:
    """The --flydel-kpi-report of an annotated model (the JSON form), with shortcuts.

    ``report``: the report as flydel-opt --flydel-kpi-report=format=json writes it; ``layers``: one record per
    annotated op ({"function", "name", "op", "shape", "kpis": {device: {kpi: {"value", "status", ...}, "note"?}}});
    ``totals``: per device, the totals of the model's function (of the first one when there are several:
    ``totals_by_function`` has them all); ``diagnostics``: (severity, location, message) of annotate-kpis.
    KPIs are latency_us, energy_uj and resource counts, as in the report.
    """
    report: Dict[str, Any]
    layers: List[Dict[str, Any]]
    totals: Dict[str, Any]
    totals_by_function: Dict[str, Dict[str, Any]]
    diagnostics: List[Tuple[str, str, str]] = field(default_factory=list)


def annotate(model: PathLike, platform: PathLike = DEFAULT_PLATFORM, devices: Optional[Sequence[str]] = None,
             input_shapes: Union[None, Mapping[str, Sequence[int]], Sequence[str]] = None,
             kpis: Optional[Sequence[str]] = None) -> Annotation:
    """Imports (.onnx, .txtpb ONNX text) or reads (.mlir) a model, runs --annotate-kpis and returns its report.

    ``platform``: embedded name or library path; ``devices``: a subset of its devices; ``input_shapes``: static
    shapes of ONNX graph inputs, {"input": (1, 3, 224, 224)} or ["input=1x3x224x224"]; ``kpis``: annotate-kpis'
    kpis= filter (latency_us, energy_uj, resources, a resource or library column).
    """
    text, diagnostics = _core.annotate(os.fspath(model), os.fspath(platform), list(devices or []), list(kpis or []),
                                       _shape_specs(input_shapes), "json")
    report = json.loads(text)
    layers = [dict(layer, function=f["name"]) for f in report["functions"] for layer in f["layers"]]
    by_function = {f["name"]: f["totals"] for f in report["functions"] if "totals" in f}
    totals = next(iter(by_function.values()), {})
    return Annotation(report, layers, totals, by_function, [tuple(d) for d in diagnostics])


def report(model: PathLike, platform: PathLike = DEFAULT_PLATFORM, devices: Optional[Sequence[str]] = None,
           input_shapes: Union[None, Mapping[str, Sequence[int]], Sequence[str]] = None,
           kpis: Optional[Sequence[str]] = None, format: str = "text", hide: Optional[Sequence[str]] = None) -> str:
    """The report of annotate() as text, csv or json, byte for byte what --flydel-kpi-report writes; ``hide``:
    its hide= option (layout, no-model: rows left out, totals unchanged)."""
    text, _ = _core.annotate(os.fspath(model), os.fspath(platform), list(devices or []), list(kpis or []),
                             _shape_specs(input_shapes), format, list(hide or []))
    return text


@dataclass
class Assignment:
    """What --assign-devices records for the model's function (the first one; ``functions`` has all).

    ``placement``: layer name -> device; ``ops``: [{"layer", "op", "device"}] in IR order; ``cost``: the chosen
    assignment's predicted {"latency_us", "energy_uj"} (None: no model); ``method``, ``optimal``, ``gap``: how the
    solver ended; ``summary``: the whole flydel.assignment (objective, mode, baselines per single device, ops per
    device, unmodeled_ops, in pipelined mode each stage's load as stage_latency_us, ...); ``diagnostics``: the
    pass's remarks (severity, location, message).
    """
    placement: Dict[str, str]
    ops: List[Dict[str, str]]
    cost: Dict[str, Optional[float]]
    method: str
    optimal: bool
    gap: float
    summary: Dict[str, Any]
    functions: List[Dict[str, Any]]
    diagnostics: List[Tuple[str, str, str]] = field(default_factory=list)


def assign(model: PathLike, platform: PathLike = DEFAULT_PLATFORM, objective: str = "latency",
           devices: Optional[Sequence[str]] = None,
           input_shapes: Union[None, Mapping[str, Sequence[int]], Sequence[str]] = None, weight: float = 0.5,
           mode: str = "sequential", reserve: float = 0.0, pins: Union[None, PathLike, Mapping[str, str]] = None,
           time_limit_ms: float = 10000.0) -> Assignment:
    """Annotates the model and chooses a device per op with --assign-devices.

    ``objective``: latency, energy, edp or weighted (``weight`` x latency_us + (1 - weight) x energy_uj);
    ``mode``: sequential or pipelined; ``reserve``: share of every device capacity kept free (the resource budget
    is capacity x (1 - reserve)); ``pins``: {layer name: device} or a JSON file of that form.
    """
    pins_file = ""
    scratch = None
    if isinstance(pins, Mapping):
        scratch = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(dict(pins), scratch)
        scratch.close()
        pins_file = scratch.name
    elif pins is not None:
        pins_file = os.fspath(pins)
    try:
        text, diagnostics = _core.assign(os.fspath(model), os.fspath(platform), list(devices or []),
                                         _shape_specs(input_shapes), objective, float(weight), mode, float(reserve),
                                         pins_file, float(time_limit_ms))
    finally:
        if scratch is not None:
            os.unlink(scratch.name)
    functions = json.loads(text)["functions"]
    if not functions:
        raise Error(f"{os.fspath(model)}: no function was assigned (no annotated ops)")
    first = functions[0]
    summary = first["assignment"]
    return Assignment(placement={op["layer"]: op["device"] for op in first["ops"]}, ops=first["ops"],
                      cost=summary.get("chosen", {}), method=summary.get("method", ""),
                      optimal=bool(summary.get("optimal", False)), gap=float(summary.get("gap", 0.0)),
                      summary=summary, functions=functions, diagnostics=[tuple(d) for d in diagnostics])


class IdentifiedModel:
    """A KPI model identified from a measurement table, with its cross-validation figures.

    ``cv``: mape, median_ape, p90_ape, within_10pct (percent), bias, rmspe, folds, n, seed (and ``nested`` when
    the nested CV ran); ``parameters``; ``structure``; ``domain``; ``candidates``: the best of every structure
    tried; ``notes``/``duplicates``: rows left out and copied rows dropped. ``save(path)`` writes the standalone
    model JSON (flydel-identify -o); Platform.add_model() puts it into a library.
    """

    def __init__(self, fields: Dict[str, Any]):
        self._json = fields.pop("model_json")
        self.__dict__.update(fields)

    @property
    def mape(self) -> float:
        return self.cv["mape"]

    def to_json(self) -> str:
        return self._json

    def save(self, path: PathLike) -> None:
        """Writes the standalone model JSON through a temporary beside it and a rename (never half a file)."""
        path = os.fspath(path)
        scratch = None
        try:
            fd, scratch = tempfile.mkstemp(prefix=os.path.basename(path) + ".tmp.", dir=os.path.dirname(path) or ".")
            with os.fdopen(fd, "w") as f:
                f.write(self._json)
            os.replace(scratch, path)
        except OSError as e:
            if scratch and os.path.exists(scratch):
                os.unlink(scratch)
            raise Error(f"{path}: cannot write the model: {e.strerror}") from None

    def __repr__(self) -> str:
        return (f"IdentifiedModel({self.device} {self.op} {self.kpi}: {self.chosen}, {self.parameters} params, "
                f"CV MAPE {self.cv['mape']:.2f} %)")


def _table_csv(table: Any) -> Tuple[str, str]:
    """(CSV text, source name) of a table given as a path, a list of row dicts or a numpy structured array."""
    if isinstance(table, (str, os.PathLike)):
        path = os.fspath(table)
        try:
            with open(path) as f:
                return f.read(), path
        except OSError as e:
            raise Error(f"{path}: cannot read the table: {e.strerror}") from None
    try:
        import numpy as np
        if isinstance(table, np.ndarray) and table.dtype.names:
            names = list(table.dtype.names)
            rows = [dict(zip(names, (v.decode() if isinstance(v, bytes) else v for v in row.tolist())))
                    for row in table.reshape(-1)]
            table = rows
    except ImportError:
        pass
    rows = list(table)
    if not rows or not all(isinstance(r, Mapping) for r in rows):
        raise Error("a table is a CSV path, a non-empty list of row dicts or a numpy structured array")
    header: List[str] = []
    for r in rows:
        header += [k for k in r if k not in header]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue(), "<rows>"


def identify(table: Any, kpi: str, op: Optional[str] = None, structure: str = "auto", folds: int = 10,
             seed: int = 1, max_params: int = 16, device: str = "device", unit: Optional[str] = None,
             dtype: str = "f32", nested: bool = True, strict: bool = False, saturate_at: float = 0.0,
             threads: int = 0) -> IdentifiedModel:
    """Identifies one KPI model from a measurement table, as ``flydel-identify DATA.csv --kpi KPI`` does.

    ``table``: a CSV path (docs/formats.md), a list of row dicts or a numpy structured array (layer fields and KPI
    columns); ``structure``: auto, paper, frols or physics; ``nested``: also the nested CV of the selection (about
    ``folds`` times longer); ``unit``: default from the column's suffix; ``dtype``: of rows without a dtype column.
    """
    text, source = _table_csv(table)
    return IdentifiedModel(_core.identify(text, source, kpi, op, structure, int(folds), int(seed), int(max_params),
                                          device, unit or "", dtype, bool(nested), bool(strict), float(saturate_at),
                                          int(threads)))
