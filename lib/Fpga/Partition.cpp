//===- Partition.cpp - partition graphs of engines: check, generate, reference ===//
#include "flydel/Fpga/Partition.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <sstream>
#include <sys/stat.h>

namespace flydel::fpga {

namespace {

bool hasRoms(EngineKind kind) { return kind == EngineKind::Conv || kind == EngineKind::Depthwise; }

std::string nodeLabel(const Partition &p, int n) {
  return "node " + std::to_string(n) + " (" + p.nodes[n].name + ")";
}

// Consumers of every stream, in a fixed order: node operands in node order, then partition outputs.
struct Consumer {
  int node;    // -1: partition output
  int operand; // operand index, or output index
};

int streamIndex(const Partition &p, StreamRef r) {
  return r.input >= 0 ? r.input : static_cast<int>(p.inputs.size()) + r.node;
}

std::vector<std::vector<Consumer>> consumers(const Partition &p) {
  std::vector<std::vector<Consumer>> c(p.inputs.size() + p.nodes.size());
  for (int n = 0; n < static_cast<int>(p.nodes.size()); ++n)
    for (int o = 0; o < static_cast<int>(p.nodes[n].operands.size()); ++o)
      c[streamIndex(p, p.nodes[n].operands[o])].push_back({n, o});
  for (int o = 0; o < static_cast<int>(p.outputs.size()); ++o)
    c[streamIndex(p, p.outputs[o])].push_back({-1, o});
  return c;
}

bool validRef(const Partition &p, StreamRef r, int before) {
  if ((r.node >= 0) == (r.input >= 0))
    return false;
  if (r.input >= 0)
    return r.input < static_cast<int>(p.inputs.size());
  return r.node < before;
}

std::string sanitizeComment(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}

// Rows of its input a window engine has loaded once it may compute output row `row` (row == outH: all of them).
long rowsLoaded(const EngineConfig &c, long row) {
  return std::min<long>(row * c.s - c.p + c.k, c.h);
}

// mkdir -p.
void makeDirs(const std::string &dir) {
  for (size_t at = dir.find('/', 1); at != std::string::npos; at = dir.find('/', at + 1))
    ::mkdir(dir.substr(0, at).c_str(), 0777);
  ::mkdir(dir.c_str(), 0777);
}

bool writeText(const std::string &path, const std::string &text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out);
}

// IEEE 1800-2017 reserved keywords, sorted.
const char *const kKeywords[] = {
    "accept_on", "alias", "always", "always_comb", "always_ff", "always_latch", "and", "assert", "assign",
    "assume", "automatic", "before", "begin", "bind", "bins", "binsof", "bit", "break", "buf", "bufif0",
    "bufif1", "byte", "case", "casex", "casez", "cell", "chandle", "checker", "class", "clocking", "cmos",
    "config", "const", "constraint", "context", "continue", "cover", "covergroup", "coverpoint", "cross",
    "deassign", "default", "defparam", "design", "disable", "dist", "do", "edge", "else", "end", "endcase",
    "endchecker", "endclass", "endclocking", "endconfig", "endfunction", "endgenerate", "endgroup",
    "endinterface", "endmodule", "endpackage", "endprimitive", "endprogram", "endproperty", "endsequence",
    "endspecify", "endtable", "endtask", "enum", "event", "eventually", "expect", "export", "extends",
    "extern", "final", "first_match", "for", "force", "foreach", "forever", "fork", "forkjoin", "function",
    "generate", "genvar", "global", "highz0", "highz1", "if", "iff", "ifnone", "ignore_bins", "illegal_bins",
    "implements", "implies", "import", "incdir", "include", "initial", "inout", "input", "inside", "instance",
    "int", "integer", "interconnect", "interface", "intersect", "join", "join_any", "join_none", "large",
    "let", "liblist", "library", "local", "localparam", "logic", "longint", "macromodule", "matches", "medium",
    "modport", "module", "nand", "negedge", "nettype", "new", "nexttime", "nmos", "nor", "noshowcancelled",
    "not", "notif0", "notif1", "null", "or", "output", "package", "packed", "parameter", "pmos", "posedge",
    "primitive", "priority", "program", "property", "protected", "pull0", "pull1", "pulldown", "pullup",
    "pulsestyle_ondetect", "pulsestyle_onevent", "pure", "rand", "randc", "randcase", "randsequence", "rcmos",
    "real", "realtime", "ref", "reg", "reject_on", "release", "repeat", "restrict", "return", "rnmos", "rpmos",
    "rtran", "rtranif0", "rtranif1", "s_always", "s_eventually", "s_nexttime", "s_until", "s_until_with",
    "scalared", "sequence", "shortint", "shortreal", "showcancelled", "signed", "small", "soft", "solve",
    "specify", "specparam", "static", "string", "strong", "strong0", "strong1", "struct", "super", "supply0",
    "supply1", "sync_accept_on", "sync_reject_on", "table", "tagged", "task", "this", "throughout", "time",
    "timeprecision", "timeunit", "tran", "tranif0", "tranif1", "tri", "tri0", "tri1", "triand", "trior",
    "trireg", "type", "typedef", "union", "unique", "unique0", "unsigned", "until", "until_with", "untyped",
    "use", "uwire", "var", "vectored", "virtual", "void", "wait", "wait_order", "wand", "weak", "weak0",
    "weak1", "while", "wildcard", "wire", "with", "within", "wor", "xnor", "xor",
};

} // namespace

bool isReservedModuleName(const std::string &name) {
  if (name == "top" || name.rfind("flydel_", 0) == 0) // the testbench wrapper; the engines of hw/
    return true;
  return std::binary_search(std::begin(kKeywords), std::end(kKeywords), name,
                            [](const std::string &a, const std::string &b) { return a < b; });
}

StreamShape streamShape(const Partition &p, StreamRef r) {
  if (r.input >= 0) {
    const PartitionInput &in = p.inputs[r.input];
    return {in.h, in.w, in.c, in.lanes};
  }
  const EngineConfig &c = p.nodes[r.node].config;
  return {c.outH(), c.outW(), c.cout, c.pe};
}

std::string checkPartition(const Partition &p) {
  if (p.name.empty() || !(std::isalpha(static_cast<unsigned char>(p.name[0])) || p.name[0] == '_') ||
      !std::all_of(p.name.begin(), p.name.end(),
                   [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; }))
    return "partition name '" + p.name + "' is not a Verilog identifier";
  if (isReservedModuleName(p.name))
    return "partition name '" + p.name + "' is a SystemVerilog keyword or a name flydel's hw/ modules use";
  if (p.outputs.empty())
    return p.name + ": the partition has no output";
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    const PartitionInput &in = p.inputs[i];
    if (in.h < 1 || in.w < 1 || in.c < 1 || in.lanes < 1 || in.c % in.lanes)
      return p.name + ": input " + std::to_string(i) + " (" + in.name + "): sizes must be positive and lanes must "
             "divide the channels";
  }
  for (int n = 0; n < static_cast<int>(p.nodes.size()); ++n) {
    const PartitionNode &node = p.nodes[n];
    const EngineConfig &c = node.config;
    std::string label = p.name + ": " + nodeLabel(p, n);
    if (std::string why = c.check(); !why.empty())
      return label + ": " + engineKindName(c.kind) + " engine: " + why;
    size_t arity = c.kind == EngineKind::Add ? 2 : 1;
    if (node.operands.size() != arity)
      return label + ": expected " + std::to_string(arity) + " operand(s)";
    for (StreamRef r : node.operands) {
      if (!validRef(p, r, n))
        return label + ": an operand is neither an earlier node nor an input";
      StreamShape s = streamShape(p, r);
      if (s.h != c.h || s.w != c.w || s.c != c.cin)
        return label + ": operand shape " + std::to_string(s.h) + "x" + std::to_string(s.w) + "x" +
               std::to_string(s.c) + " differs from the engine's input " + std::to_string(c.h) + "x" +
               std::to_string(c.w) + "x" + std::to_string(c.cin);
    }
    if (hasRoms(c.kind)) {
      size_t perFilter = static_cast<size_t>(c.k) * c.k * (c.kind == EngineKind::Conv ? c.cin : 1);
      if (node.weights.size() != perFilter * c.cout || node.bias.size() != static_cast<size_t>(c.cout))
        return label + ": weights or biases have the wrong size";
    }
  }
  for (StreamRef r : p.outputs)
    if (!validRef(p, r, static_cast<int>(p.nodes.size())))
      return p.name + ": an output is neither a node nor an input";
  return "";
}

long fifoDepth(const Partition &p, StreamRef forked, int node, int operand) {
  StreamShape s = streamShape(p, forked);
  long whole = s.beats();
  if (node < 0)
    return whole;
  auto users = consumers(p);
  const PartitionNode &consumer = p.nodes[node];
  if (consumer.config.kind != EngineKind::Add) {
    // The start of a residual chain: follow single consumers to an add whose other operand is the fork itself.
    int cur = node;
    while (true) {
      const auto &us = users[streamIndex(p, StreamRef::ofNode(cur))];
      if (us.size() != 1 || us[0].node < 0)
        return whole;
      const PartitionNode &next = p.nodes[us[0].node];
      if (next.config.kind == EngineKind::Add)
        return next.operands[1 - us[0].operand] == forked ? 0 : whole;
      cur = us[0].node;
    }
  }
  const StreamRef other = consumer.operands[1 - operand];
  if (other == forked)
    return 0; // add(x, x): both operands arrive together
  // The direct edge of add(x, f(x)): walk back from f(x) through single-operand nodes with a single consumer.
  std::vector<int> chain;
  StreamRef cur = other;
  while (cur.node >= 0 && p.nodes[cur.node].operands.size() == 1 && users[streamIndex(p, cur)].size() == 1) {
    chain.push_back(cur.node);
    cur = p.nodes[cur.node].operands[0];
  }
  if (!(cur == forked) || chain.empty())
    return whole;
  // How many rows of x the chain has taken when the add needs its row r: composed engine by engine from the add
  // back to x; an engine may already have loaded the rows of its next output row while the current one drains
  // (hence row + 1 at each step). Two more rows cover the beats held in pipelines and width converters.
  long skew = 0;
  for (long r = 0; r < p.nodes[chain.front()].config.outH(); ++r) {
    long rows = r;
    for (int n : chain)
      rows = rowsLoaded(p.nodes[n].config, rows + 1);
    skew = std::max(skew, rows - r);
  }
  long perRow = static_cast<long>(s.w) * s.c / s.lanes;
  return std::min(whole, (skew + 2) * perRow);
}

Expected<GeneratedPartition> generatePartition(const Partition &p) {
  if (std::string why = checkPartition(p); !why.empty())
    return makeError(why);
  GeneratedPartition g;
  auto users = consumers(p);
  std::ostringstream v, body;
  v << "// Generated by flydel (flydel::fpga::generatePartition): FPGA partition " << p.name << ".\n";
  for (const std::string &line : p.header)
    v << "// " << sanitizeComment(line) << "\n";
  v << "// Engines and stream plumbing: hw/flydel_window_engine.sv, hw/flydel_add_engine.sv, hw/flydel_stream.sv.\n"
    << "// ROM files are read relative to the directory the tool runs in.\n";
  v << "module " << p.name << " (\n  input logic clk, input logic rst";
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    int bits = 8 * p.inputs[i].lanes;
    v << ",\n  // in" << i << ": " << sanitizeComment(p.inputs[i].name) << ", " << p.inputs[i].h << "x"
      << p.inputs[i].w << "x" << p.inputs[i].c << "\n  input logic in" << i << "_valid, output logic in" << i
      << "_ready, input logic [" << bits - 1 << ":0] in" << i << "_data";
  }
  for (size_t o = 0; o < p.outputs.size(); ++o) {
    StreamShape s = streamShape(p, p.outputs[o]);
    v << ",\n  // out" << o << ": " << s.h << "x" << s.w << "x" << s.c << "\n  output logic out" << o
      << "_valid, input logic out" << o << "_ready, output logic [" << 8 * s.lanes - 1 << ":0] out" << o
      << "_data";
  }
  v << "\n);\n";

  auto declare = [&](const std::string &name, int bits) {
    body << "  logic " << name << "_valid, " << name << "_ready;\n  logic [" << bits - 1 << ":0] " << name
         << "_data;\n";
  };
  // Streams: s<k> for input k and node outputs; the wire each consumer reads, per (node, operand) and output.
  std::map<std::pair<int, int>, std::string> operandWire;
  int nIn = static_cast<int>(p.inputs.size());
  for (int k = 0; k < static_cast<int>(users.size()); ++k) {
    StreamRef ref = k < nIn ? StreamRef::ofInput(k) : StreamRef::ofNode(k - nIn);
    StreamShape s = streamShape(p, ref);
    std::string name = "s" + std::to_string(k);
    int bits = 8 * s.lanes;
    declare(name, bits);
    if (ref.input >= 0) {
      std::string port = "in" + std::to_string(ref.input);
      body << "  assign " << name << "_valid = " << port << "_valid;\n  assign " << port << "_ready = " << name
           << "_ready;\n  assign " << name << "_data = " << port << "_data;\n";
    }
    const auto &us = users[k];
    if (us.empty()) {
      body << "  assign " << name << "_ready = 1'b1; // unused\n";
      continue;
    }
    std::vector<std::string> edges;
    if (us.size() == 1) {
      edges.push_back(name);
    } else {
      int n = static_cast<int>(us.size());
      std::string f = "fork" + std::to_string(k);
      body << "  logic [" << n - 1 << ":0] " << f << "_valid, " << f << "_ready;\n  logic [" << n * bits - 1
           << ":0] " << f << "_data;\n"
           << "  flydel_stream_fork #(.N(" << n << "), .WIDTH(" << bits << ")) " << f << " (.clk, .rst, .in_valid("
           << name << "_valid), .in_ready(" << name << "_ready), .in_data(" << name << "_data),\n    .out_valid("
           << f << "_valid), .out_ready(" << f << "_ready), .out_data(" << f << "_data));\n";
      for (int e = 0; e < n; ++e) {
        std::string en = name + "_e" + std::to_string(e);
        declare(en, bits);
        body << "  assign " << en << "_valid = " << f << "_valid[" << e << "];\n  assign " << f << "_ready[" << e
             << "] = " << en << "_ready;\n  assign " << en << "_data = " << f << "_data[" << e * bits << " +: "
             << bits << "];\n";
        long depth = fifoDepth(p, ref, us[e].node, us[e].operand);
        if (depth > std::numeric_limits<int>::max()) // flydel_stream_fifo's DEPTH is an int: it would wrap
          return makeError(p.name + ": a FIFO of " + std::to_string(depth) + " beats on the stream to " +
                           (us[e].node >= 0 ? nodeLabel(p, us[e].node) : "output " + std::to_string(us[e].operand)) +
                           " exceeds the FIFO's 32-bit depth");
        if (depth > 0) {
          std::string q = en + "_q";
          declare(q, bits);
          body << "  flydel_stream_fifo #(.DEPTH(" << depth << "), .WIDTH(" << bits << ")) " << q
               << "_fifo (.clk, .rst, .in_valid(" << en << "_valid), .in_ready(" << en << "_ready), .in_data(" << en
               << "_data),\n    .out_valid(" << q << "_valid), .out_ready(" << q << "_ready), .out_data(" << q
               << "_data));\n";
          en = q;
        }
        edges.push_back(en);
      }
    }
    for (size_t e = 0; e < us.size(); ++e) {
      int want = us[e].node >= 0 ? p.nodes[us[e].node].config.inBeatLanes() : s.lanes;
      std::string wire = edges[e];
      if (want != s.lanes) {
        std::string d = wire + "_w" + std::to_string(want);
        declare(d, 8 * want);
        body << "  flydel_stream_dwc #(.C(" << s.c << "), .IN(" << s.lanes << "), .OUT(" << want << ")) " << d
             << "_dwc (.clk, .rst, .in_valid(" << wire << "_valid), .in_ready(" << wire << "_ready), .in_data("
             << wire << "_data),\n    .out_valid(" << d << "_valid), .out_ready(" << d << "_ready), .out_data(" << d
             << "_data));\n";
        wire = d;
      }
      if (us[e].node >= 0)
        operandWire[{us[e].node, us[e].operand}] = wire;
      else
        body << "  assign out" << us[e].operand << "_valid = " << wire << "_valid;\n  assign " << wire
             << "_ready = out" << us[e].operand << "_ready;\n  assign out" << us[e].operand << "_data = " << wire
             << "_data;\n";
    }
  }

  for (int n = 0; n < static_cast<int>(p.nodes.size()); ++n) {
    const PartitionNode &node = p.nodes[n];
    const EngineConfig &c = node.config;
    std::string out = "s" + std::to_string(nIn + n);
    std::string inst = "n" + std::to_string(n) + "_" + engineKindName(c.kind);
    body << "  // " << inst << ": " << sanitizeComment(node.name) << ": " << c.h << "x" << c.w << "x" << c.cin
         << " -> " << c.outH() << "x" << c.outW() << "x" << c.cout << "\n";
    if (c.kind == EngineKind::Add) {
      const std::string &a = operandWire[{n, 0}], &b = operandWire[{n, 1}];
      body << "  flydel_add_engine #(.PE(" << c.pe << "), .MA(" << c.mult << "), .MB(" << c.multB << "), .SHIFT("
           << c.shift << "), .LO(" << c.lo << "), .HI(" << c.hi << ")) " << inst << " (.clk, .rst,\n    .a_valid("
           << a << "_valid), .a_ready(" << a << "_ready), .a_data(" << a << "_data), .b_valid(" << b
           << "_valid), .b_ready(" << b << "_ready), .b_data(" << b << "_data),\n    .out_valid(" << out
           << "_valid), .out_ready(" << out << "_ready), .out_data(" << out << "_data));\n";
      continue;
    }
    const std::string &in = operandWire[{n, 0}];
    body << "  flydel_window_engine #(.MODE(" << static_cast<int>(c.kind) << "), .H(" << c.h << "), .W(" << c.w
         << "), .CIN(" << c.cin << "), .COUT(" << c.cout << "), .K(" << c.k << "), .S(" << c.s << "), .P(" << c.p
         << "), .PE(" << c.pe << "), .SIMD(" << c.simd << "),\n    .MULT(" << c.mult << "), .SHIFT(" << c.shift
         << "), .LO(" << c.lo << "), .HI(" << c.hi << ")";
    if (hasRoms(c.kind)) {
      std::string stem = p.name + "_n" + std::to_string(n);
      body << ", .WFILE(\"" << stem << "_w.mem\"), .BFILE(\"" << stem << "_b.mem\")";
      EngineData d;
      d.weights = node.weights;
      d.bias = node.bias;
      RomImages roms = romImages(c, d);
      g.files[stem + "_w.mem"] = roms.weights;
      g.files[stem + "_b.mem"] = roms.bias;
    }
    body << ") " << inst << " (.clk, .rst,\n    .in_valid(" << in << "_valid), .in_ready(" << in
         << "_ready), .in_data(" << in << "_data), .out_valid(" << out << "_valid), .out_ready(" << out
         << "_ready), .out_data(" << out << "_data));\n";
  }
  v << body.str() << "endmodule\n";
  g.verilog = v.str();
  return g;
}

Expected<bool> writeGenerated(const GeneratedPartition &g, const std::string &dir, const std::string &file) {
  makeDirs(dir);
  bool ok = writeText(dir + "/" + file, g.verilog);
  for (const auto &[name, text] : g.files)
    ok = ok && writeText(dir + "/" + name, text);
  if (!ok)
    return makeError("cannot write " + file + " and its ROM files under " + dir);
  return true;
}

std::vector<std::vector<int8_t>> evaluatePartition(const Partition &p,
                                                   const std::vector<std::vector<int8_t>> &inputs) {
  std::vector<std::vector<int8_t>> values(p.nodes.size());
  auto value = [&](StreamRef r) -> const std::vector<int8_t> & {
    return r.input >= 0 ? inputs[r.input] : values[r.node];
  };
  for (size_t n = 0; n < p.nodes.size(); ++n) {
    const PartitionNode &node = p.nodes[n];
    EngineData d;
    d.weights = node.weights;
    d.bias = node.bias;
    d.input = value(node.operands[0]);
    if (node.operands.size() > 1)
      d.input2 = value(node.operands[1]);
    values[n] = reference(node.config, d);
  }
  std::vector<std::vector<int8_t>> outs;
  for (StreamRef r : p.outputs)
    outs.push_back(value(r));
  return outs;
}

Expected<SimResult> verifyPartition(const Partition &p, const std::string &dir, const std::string &cacheDir,
                                    uint64_t seed, const std::string &verilator) {
  if (p.inputs.empty() || p.inputs.size() > 2 || p.outputs.size() != 1)
    return makeError(p.name + ": the testbench drives one or two inputs and reads one output");
  auto generated = generatePartition(p);
  if (!generated)
    return makeError(generated.error());
  // Random inputs from Engine.h's generator (the input of an engine of that shape without weights), one seed each.
  std::vector<std::vector<int8_t>> inputs;
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    EngineConfig shape;
    shape.kind = EngineKind::MaxPool;
    shape.h = p.inputs[i].h;
    shape.w = p.inputs[i].w;
    shape.cin = shape.cout = p.inputs[i].c;
    inputs.push_back(randomData(shape, seed + i).input);
  }
  std::vector<int8_t> expected = evaluatePartition(p, inputs)[0];
  StreamShape out = streamShape(p, p.outputs[0]);
  std::ostringstream top;
  top << generated->verilog << "\n// Testbench wrapper (hw/tb/flydel_tb.cpp's ports).\n"
      << "module top(input logic clk, input logic rst,\n";
  const char *const ports[] = {"in", "in2"};
  for (size_t i = 0; i < p.inputs.size(); ++i)
    top << "  input logic " << ports[i] << "_valid, output logic " << ports[i] << "_ready, input logic ["
        << 8 * p.inputs[i].lanes - 1 << ":0] " << ports[i] << "_data,\n";
  top << "  output logic out_valid, input logic out_ready, output logic [" << 8 * out.lanes - 1 << ":0] out_data);\n"
      << "  " << p.name << " u (.clk, .rst";
  for (size_t i = 0; i < p.inputs.size(); ++i)
    top << ", .in" << i << "_valid(" << ports[i] << "_valid), .in" << i << "_ready(" << ports[i] << "_ready), .in"
        << i << "_data(" << ports[i] << "_data)";
  top << ",\n    .out0_valid(out_valid), .out0_ready(out_ready), .out0_data(out_data));\nendmodule\n";
  GeneratedPartition files = *generated;
  files.verilog = top.str();
  files.files["in.hex"] = hexBeats(inputs[0], p.inputs[0].lanes);
  files.files["in2.hex"] = p.inputs.size() > 1 ? hexBeats(inputs[1], p.inputs[1].lanes) : "";
  files.files["expected.hex"] = hexBeats(expected, out.lanes);
  auto written = writeGenerated(files, dir, "top.sv");
  if (!written)
    return makeError(written.error());
  return simulate(dir, cacheDir, seed, verilator);
}

} // namespace flydel::fpga
