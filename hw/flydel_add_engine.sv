// flydel_add_engine: elementwise add of two int8 NHWC streams (PE channels per beat), with explicit rescaling:
/* verilator lint_off WIDTH */
// y = clamp((a * MA + b * MB + 2^(SHIFT-1)) >>> SHIFT, LO, HI). A beat fires when both inputs are valid.
module flydel_add_engine #(
  parameter int PE = 4,
  parameter int MA = 1, parameter int MB = 1, parameter int SHIFT = 1,
  parameter int LO = -128, parameter int HI = 127
) (
  input  logic clk, input logic rst,
  input  logic a_valid, output logic a_ready, input logic [8*PE-1:0] a_data,
  input  logic b_valid, output logic b_ready, input logic [8*PE-1:0] b_data,
  output logic out_valid, input logic out_ready, output logic [8*PE-1:0] out_data
);
  wire en = !out_valid || out_ready;
  wire fire = a_valid && b_valid && en;
  assign a_ready = b_valid && en;
  assign b_ready = a_valid && en;
  always_ff @(posedge clk) begin
    if (rst) out_valid <= 0;
    else if (en) begin
      out_valid <= fire;
      if (fire)
        for (int p = 0; p < PE; p++) begin
          logic signed [47:0] v;
          v = ($signed(a_data[8*p +: 8]) * 48'(MA) + $signed(b_data[8*p +: 8]) * 48'(MB) + (48'sd1 <<< (SHIFT - 1)))
              >>> SHIFT;
          if (v < LO) v = 48'(LO);
          if (v > HI) v = 48'(HI);
          out_data[8*p +: 8] <= v[7:0];
        end
    end
  end
endmodule
