//===- PartitionTest.cpp - partition graphs: checks, generation, reference, simulation ===//
#include "flydel/Fpga/Partition.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <unistd.h>

using namespace flydel::fpga;

namespace {

EngineConfig window(EngineKind kind, int h, int cin, int cout, int k, int s, int p, int pe, int simd) {
  EngineConfig c;
  c.kind = kind;
  c.h = c.w = h;
  c.cin = cin;
  c.cout = cout;
  c.k = k, c.s = s, c.p = p;
  c.pe = pe, c.simd = simd;
  chooseQuantisation(c);
  return c;
}

PartitionNode node(const std::string &name, EngineConfig c, std::vector<StreamRef> operands, uint64_t seed) {
  PartitionNode n;
  n.name = name;
  n.config = c;
  EngineData d = randomData(c, seed);
  n.weights = d.weights;
  n.bias = d.bias;
  n.operands = std::move(operands);
  return n;
}

// conv 3x3 (pe 4, simd 2) -> relu-clamped maxpool 2x2 (pe 2): lanes differ between them.
Partition chain() {
  Partition p;
  p.name = "chain";
  p.inputs.push_back({"x", 6, 6, 4, 2});
  EngineConfig conv = window(EngineKind::Conv, 6, 4, 8, 3, 1, 1, 4, 2);
  conv.lo = 0;
  p.nodes.push_back(node("conv", conv, {StreamRef::ofInput(0)}, 1));
  p.nodes.push_back(node("pool", window(EngineKind::MaxPool, 6, 8, 8, 2, 2, 0, 2, 2), {StreamRef::ofNode(0)}, 2));
  p.outputs.push_back(StreamRef::ofNode(1));
  return p;
}

// x -> conv 3x3 pad 1 -> conv 3x3 pad 1 -> add(x, .): a residual join.
Partition residual(int h, int c) {
  Partition p;
  p.name = "res";
  p.inputs.push_back({"x", h, h, c, 2});
  p.nodes.push_back(node("c1", window(EngineKind::Conv, h, c, c, 3, 1, 1, 2, 2), {StreamRef::ofInput(0)}, 3));
  p.nodes.push_back(node("c2", window(EngineKind::Conv, h, c, c, 3, 1, 1, 4, 2), {StreamRef::ofNode(0)}, 4));
  EngineConfig add;
  add.kind = EngineKind::Add;
  add.h = add.w = h;
  add.cin = add.cout = c;
  add.k = 1, add.s = 1, add.p = 0;
  add.pe = add.simd = 2;
  chooseQuantisation(add);
  p.nodes.push_back(node("add", add, {StreamRef::ofInput(0), StreamRef::ofNode(1)}, 5));
  p.outputs.push_back(StreamRef::ofNode(2));
  return p;
}

int count(const std::string &text, const std::string &what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

TEST(Partition, WellFormedGraphsPassTheCheck) {
  EXPECT_EQ(checkPartition(chain()), "");
  EXPECT_EQ(checkPartition(residual(6, 4)), "");
}

TEST(Partition, CheckNamesTheNodeAtFault) {
  Partition p = chain();
  p.nodes[1].config.pe = 3; // does not divide 8 channels
  EXPECT_NE(checkPartition(p).find("node 1 (pool)"), std::string::npos) << checkPartition(p);
  EXPECT_NE(checkPartition(p).find("pe must divide"), std::string::npos);

  p = chain();
  p.nodes[1].config.cin = p.nodes[1].config.cout = 4; // shape differs from the conv's output
  EXPECT_NE(checkPartition(p).find("operand shape 6x6x8"), std::string::npos) << checkPartition(p);

  p = chain();
  p.nodes[0].operands = {StreamRef::ofNode(1)}; // a later node: not a topological order
  EXPECT_NE(checkPartition(p).find("node 0 (conv)"), std::string::npos);

  p = chain();
  p.nodes[0].weights.pop_back();
  EXPECT_NE(checkPartition(p).find("wrong size"), std::string::npos);

  p = chain();
  p.name = "join"; // a SystemVerilog keyword
  EXPECT_NE(checkPartition(p).find("keyword"), std::string::npos);
  EXPECT_TRUE(isReservedModuleName("top"));
  EXPECT_TRUE(isReservedModuleName("flydel_stream_fifo"));
  EXPECT_TRUE(isReservedModuleName("always_ff"));
  EXPECT_FALSE(isReservedModuleName("joined"));

  p = chain();
  p.name = "1bad-name";
  EXPECT_NE(checkPartition(p).find("not a Verilog identifier"), std::string::npos);
  EXPECT_FALSE(generatePartition(p).ok());
}

TEST(Partition, GeneratesEnginesConvertersAndRoms) {
  Partition p = chain();
  auto g = generatePartition(p);
  ASSERT_TRUE(g.ok()) << g.error();
  const std::string &v = g->verilog;
  EXPECT_NE(v.find("module chain ("), std::string::npos);
  EXPECT_NE(v.find("input logic [15:0] in0_data"), std::string::npos);  // 2 lanes
  EXPECT_NE(v.find("output logic [15:0] out0_data"), std::string::npos); // the pool's pe 2
  EXPECT_NE(v.find("flydel_window_engine #(.MODE(0), .H(6), .W(6), .CIN(4), .COUT(8), .K(3), .S(1), .P(1), "
                   ".PE(4), .SIMD(2),"),
            std::string::npos)
      << v;
  EXPECT_NE(v.find(".LO(0), .HI(127), .WFILE(\"chain_n0_w.mem\"), .BFILE(\"chain_n0_b.mem\")"), std::string::npos);
  EXPECT_NE(v.find("flydel_window_engine #(.MODE(2), .H(6), .W(6), .CIN(8), .COUT(8), .K(2), .S(2), .P(0)"),
            std::string::npos);
  // conv emits 4 lanes, the pool takes 2: one converter, no fork, no FIFO.
  EXPECT_EQ(count(v, "flydel_stream_dwc #(.C(8), .IN(4), .OUT(2))"), 1);
  EXPECT_EQ(count(v, "flydel_stream_fork"), 0);
  EXPECT_EQ(count(v, "flydel_stream_fifo"), 0);
  // ROM files: the conv's only, in the engine's read order.
  ASSERT_EQ(g->files.size(), 2u);
  EngineData d;
  d.weights = p.nodes[0].weights;
  d.bias = p.nodes[0].bias;
  RomImages roms = romImages(p.nodes[0].config, d);
  EXPECT_EQ(g->files.at("chain_n0_w.mem"), roms.weights);
  EXPECT_EQ(g->files.at("chain_n0_b.mem"), roms.bias);
  EXPECT_EQ(count(roms.weights, "\n"), 8 / 4 * 3 * 3 * 4 / 2); // NF x K x K x CIN/SIMD words
}

TEST(Partition, ReferenceComposesTheEngines) {
  Partition p = chain();
  std::vector<int8_t> x(6 * 6 * 4);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<int8_t>(i * 37 + 11);
  EngineData d0;
  d0.weights = p.nodes[0].weights;
  d0.bias = p.nodes[0].bias;
  d0.input = x;
  EngineData d1;
  d1.input = reference(p.nodes[0].config, d0);
  std::vector<int8_t> expected = reference(p.nodes[1].config, d1);
  auto outs = evaluatePartition(p, {x});
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0], expected);
  EXPECT_EQ(outs[0].size(), 3u * 3 * 8);
}

TEST(Partition, ResidualJoinGetsAForkAndABoundedFifo) {
  Partition p = residual(16, 4);
  StreamRef x = StreamRef::ofInput(0);
  long whole = 16L * 16 * 4 / 2;
  // Skip edge (add operand 0): a 3x3 pad-1 conv has loaded up to 2 rows beyond its output row, 3 with the next
  // row's look-ahead; two of them 6 rows, plus 2 rows of slack.
  long skip = fifoDepth(p, x, 2, 0);
  EXPECT_EQ(skip, (3 + 3 + 2) * 16 * 4 / 2);
  EXPECT_LT(skip, whole);
  EXPECT_EQ(fifoDepth(p, x, 0, 0), 0); // the chain's own edge
  auto g = generatePartition(p);
  ASSERT_TRUE(g.ok()) << g.error();
  EXPECT_EQ(count(g->verilog, "flydel_stream_fork #(.N(2), .WIDTH(16))"), 1);
  EXPECT_EQ(count(g->verilog, "flydel_stream_fifo #(.DEPTH(" + std::to_string(skip) + "), .WIDTH(16))"), 1);
  EXPECT_EQ(count(g->verilog, "flydel_stream_fifo"), 1);
  EXPECT_EQ(count(g->verilog, "flydel_add_engine #(.PE(2)"), 1);
  // c2 emits 4 lanes, the add takes 2.
  EXPECT_EQ(count(g->verilog, "flydel_stream_dwc #(.C(4), .IN(4), .OUT(2))"), 1);

  // A fork that is not a residual join (the conv's output also leaves the partition) buffers a whole tensor.
  Partition q = chain();
  q.outputs.push_back(StreamRef::ofNode(0));
  EXPECT_EQ(fifoDepth(q, StreamRef::ofNode(0), 1, 0), 6L * 6 * 8 / 4);
  EXPECT_EQ(fifoDepth(q, StreamRef::ofNode(0), -1, 1), 6L * 6 * 8 / 4);
}

TEST(Partition, FifoBeyondTheDepthParameterIsAnError) {
  // A 32767x32767x4 input (2^32 beats at one lane) to two pools buffers the whole tensor on each branch:
  // more than flydel_stream_fifo's int DEPTH holds.
  Partition p;
  p.name = "huge";
  p.inputs.push_back({"x", 32767, 32767, 4, 1});
  PartitionNode pool; // no data: node() would draw a 4 GiB random input
  pool.config = window(EngineKind::MaxPool, 32767, 4, 4, 1, 1, 0, 1, 1);
  pool.operands = {StreamRef::ofInput(0)};
  pool.name = "a";
  p.nodes.push_back(pool);
  pool.name = "b";
  p.nodes.push_back(pool);
  p.outputs = {StreamRef::ofNode(0), StreamRef::ofNode(1)};
  ASSERT_EQ(checkPartition(p), "");
  auto g = generatePartition(p);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.error().find("exceeds the FIFO's 32-bit depth"), std::string::npos) << g.error();
}

// The generated residual partition in Verilator against the composed reference, with and without stalls.
TEST(Partition, ResidualSimulatesBitExactly) {
  if (!haveProgram("verilator"))
    GTEST_SKIP() << "verilator not installed";
  char dirTemplate[] = "/tmp/flydel-partition-XXXXXX";
  ASSERT_NE(::mkdtemp(dirTemplate), nullptr);
  // 12x12: the skip FIFO (192 beats) is smaller than the tensor (288), so the bound itself is exercised.
  Partition p = residual(12, 4);
  ASSERT_LT(fifoDepth(p, StreamRef::ofInput(0), 2, 0), 12L * 12 * 4 / 2);
  auto r = verifyPartition(p, dirTemplate, FLYDEL_FPGA_CACHE, 3);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->mismatches, 0);
  EXPECT_EQ(r->beats, 2L * 12 * 12 * 4 / 2); // both runs
  EXPECT_GT(r->cycles, 0);
  // The chain with its width converter.
  auto c = verifyPartition(chain(), std::string(dirTemplate) + "/chain", FLYDEL_FPGA_CACHE, 4);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->mismatches, 0);
  EXPECT_EQ(c->beats, 2L * 3 * 3 * 8 / 2);
  std::system(("rm -rf " + std::string(dirTemplate)).c_str());
}

} // namespace
