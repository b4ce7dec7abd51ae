// Stream plumbing between engines of a generated partition (flydel-translate --emit-verilog): a broadcast fork, a
// FIFO, and a lane-width converter. All use the engines' valid/ready handshake; no output valid depends on an
// output ready in the same cycle, so they can be chained with the engines without combinational loops.
/* verilator lint_off WIDTH */

// flydel_stream_fork: one stream to N consumers. Eager: each output takes the beat as soon as it is ready, and
// remembers that it did (done[i]); the input beat retires when every output has taken it.
module flydel_stream_fork #(
  parameter int N = 2, parameter int WIDTH = 8
) (
  input  logic clk, input logic rst,
  input  logic in_valid, output logic in_ready, input logic [WIDTH-1:0] in_data,
  output logic [N-1:0] out_valid, input logic [N-1:0] out_ready, output logic [N*WIDTH-1:0] out_data
);
  logic [N-1:0] done;
  wire [N-1:0] taken = done | (out_valid & out_ready);
  assign in_ready = &taken;
  always_comb
    for (int i = 0; i < N; i++) begin
      out_valid[i] = in_valid && !done[i];
      out_data[i*WIDTH +: WIDTH] = in_data;
    end
  always_ff @(posedge clk) begin
    if (rst) done <= '0;
    else if (in_valid) done <= &taken ? '0 : taken;
  end
endmodule

// flydel_stream_fifo: DEPTH beats in a synchronously read memory (block RAM when large), plus a read stage and an
// output register (capacity DEPTH + 2). in_ready depends on the fill level only.
module flydel_stream_fifo #(
  parameter int DEPTH = 16, parameter int WIDTH = 8
) (
  input  logic clk, input logic rst,
  input  logic in_valid, output logic in_ready, input logic [WIDTH-1:0] in_data,
  output logic out_valid, input logic out_ready, output logic [WIDTH-1:0] out_data
);
  localparam int AB = DEPTH > 1 ? $clog2(DEPTH) : 1;
  logic [WIDTH-1:0] mem [DEPTH];
  logic [AB-1:0] wp, rp;
  logic [AB:0] count;                                 // beats in mem, not yet read
  logic rv;                                           // rdata holds a beat read from mem
  logic [WIDTH-1:0] rdata;
  assign in_ready = count < DEPTH;
  wire in_fire = in_valid && in_ready;
  wire out_fire = out_valid && out_ready;
  wire move = rv && (!out_valid || out_fire);         // read stage -> output register
  wire rd_en = count != 0 && (!rv || move);
  always_ff @(posedge clk) begin
    if (in_fire) mem[wp] <= in_data;
    if (rd_en) rdata <= mem[rp];
    if (move) out_data <= rdata;
  end
  always_ff @(posedge clk) begin
    if (rst) begin
      wp <= 0; rp <= 0; count <= 0; rv <= 0; out_valid <= 0;
    end else begin
      if (in_fire) wp <= wp == DEPTH - 1 ? 0 : wp + 1;
      if (rd_en) rp <= rp == DEPTH - 1 ? 0 : rp + 1;
      count <= count + in_fire - rd_en;
      rv <= rd_en || (rv && !move);
      out_valid <= move || (out_valid && !out_fire);
    end
  end
endmodule

// flydel_stream_dwc: NHWC beats of IN lanes to beats of OUT lanes (both divide C, the channels of a pixel). Two pixel
// buffers: one fills while the other drains, so a pixel takes max(C/IN, C/OUT) cycles once the stream flows.
module flydel_stream_dwc #(
  parameter int C = 8, parameter int IN = 1, parameter int OUT = 1
) (
  input  logic clk, input logic rst,
  input  logic in_valid, output logic in_ready, input logic [8*IN-1:0] in_data,
  output logic out_valid, input logic out_ready, output logic [8*OUT-1:0] out_data
);
  localparam int NI = C / IN, NO = C / OUT;
  localparam int CB = $clog2((NI > NO ? NI : NO) + 1); // beat index width: a fixed width would wrap for wide C
  logic [8*C-1:0] pixel [2];
  logic [1:0] full;
  logic wsel, rsel;                                   // buffer being filled, buffer being drained
  logic [CB-1:0] widx, ridx;                          // beat within the pixel
  assign in_ready = !full[wsel];
  assign out_valid = full[rsel];
  assign out_data = pixel[rsel][8*OUT*ridx +: 8*OUT];
  wire in_fire = in_valid && in_ready, out_fire = out_valid && out_ready;
  wire filled = in_fire && widx == NI - 1, drained = out_fire && ridx == NO - 1;
  always_ff @(posedge clk) if (in_fire) pixel[wsel][8*IN*widx +: 8*IN] <= in_data;
  always_ff @(posedge clk) begin
    if (rst) begin
      full <= '0; wsel <= 0; rsel <= 0; widx <= 0; ridx <= 0;
    end else begin
      if (in_fire) widx <= filled ? 0 : widx + 1;
      if (out_fire) ridx <= drained ? 0 : ridx + 1;
      if (filled) wsel <= !wsel;
      if (drained) rsel <= !rsel;
      // The two buffers differ whenever both events happen in one cycle (one is full, the other is not).
      for (int b = 0; b < 2; b++)
        if (filled && wsel == b) full[b] <= 1;
        else if (drained && rsel == b) full[b] <= 0;
    end
  end
endmodule
