// flydel_window_engine: one streaming sliding-window layer (FINN-style folding), int8 in, int8 out.
/* verilator lint_off WIDTH */
//
//   MODE 0 conv2d     PE output channels x SIMD input channels of MACs per cycle, adder tree per PE lane
//   MODE 1 depthwise  PE channels per cycle (one MAC each); SIMD must equal PE
//   MODE 2 max pool   PE channels per cycle; SIMD must equal PE; padding never wins
//   MODE 3 avg pool   PE channels per cycle; SIMD must equal PE; padding counts as 0, divisor via MULT/SHIFT
//
// Streams are NHWC: an input beat carries SIMD consecutive channels of one pixel, an output beat PE consecutive
// channels; channel c of a beat sits in bits [8*lane +: 8]. valid/ready handshakes on both sides.
//
// Requantisation (modes 0, 1, 3; MULT in 1..65535, SHIFT >= 1): y = clamp(((acc + bias) * MULT + 2^(SHIFT-1)) >>> SHIFT, LO, HI); mode 2: clamp(acc).
// The accumulator is wide enough for K*K*CIN (conv) or K*K (others) products of two int8 values plus the bias.
//
// Schedule: the line buffer holds K input rows; the engine loads the rows output row oy needs, then computes that
// row (one window position x fold per cycle), then loads again. Loading and computing do not overlap: this keeps
// the buffer at K rows and the latency an exact, simple function of the parameters (see docs/fpga.md).
module flydel_window_engine #(
  parameter int MODE = 0,
  parameter int H = 8, parameter int W = 8,
  parameter int CIN = 8, parameter int COUT = 8,
  parameter int K = 3, parameter int S = 1, parameter int P = 1,
  parameter int PE = 2, parameter int SIMD = 2,
  parameter int MULT = 1, parameter int SHIFT = 1,
  parameter int LO = -128, parameter int HI = 127,
  parameter WFILE = "", parameter BFILE = ""
) (
  input  logic clk, input logic rst,
  input  logic in_valid, output logic in_ready, input logic [8*SIMD-1:0] in_data,
  output logic out_valid, input logic out_ready, output logic [8*PE-1:0] out_data
);
  localparam bit CW = MODE != 0;                      // channel-wise: lane p reads input channel nf*PE+p
  localparam int OH = (H + 2 * P - K) / S + 1;
  localparam int OW = (W + 2 * P - K) / S + 1;
  localparam int IF = CIN / SIMD;                     // input beats per pixel
  localparam int NF = COUT / PE;                      // output beats per pixel
  localparam int SF = CW ? 1 : IF;                    // reduction folds per window position
  localparam int RED = CW ? K * K : K * K * CIN;      // products summed per output
  localparam int ACCW = 17 + $clog2(RED + 1);         // int8*int8 (16 bits) summed RED times, plus the bias
  localparam int WB = W > 1 ? $clog2(W) : 1;
  localparam int FB = IF > 1 ? $clog2(IF) : 1;
  localparam int KB = K > 1 ? $clog2(K) : 1;
  localparam int LBDEPTH = K << (WB + FB);            // row pitch padded to a power of two: addresses concatenate
  localparam int WLANES = CW ? PE : PE * SIMD;
  localparam int WDEPTH = NF * K * K * SF;
  localparam int CB = 16;                             // counter width (layers up to 32767 pixels per side)

  // ---- memories: line buffer (K rows), weight ROM, bias ROM -------------------------------------------------
  // The mapping is pinned, not left to the synthesizer's size heuristic: with it, a small memory flipped between
  // BRAM and LUTRAM from one layer to the next, so BRAM counts (0 or not) and LUT counts jumped in ways no model of
  // the layer can follow. Line buffer and weight ROM (synchronous reads) always take block RAM: the count is a
  // step function of their width and depth. The bias ROM is read combinationally, so it stays logic.
  (* ram_style = "block" *) logic [8*SIMD-1:0] lb [LBDEPTH];
  (* rom_style = "block" *) logic [8*WLANES-1:0] wrom [WDEPTH > 0 ? WDEPTH : 1];
  (* rom_style = "logic" *) logic [32*PE-1:0] brom [NF];
  // Weights and biases come from generated files (flydel-fpga gen); pooling engines have none.
  if (MODE <= 1) begin : g_rom
    initial begin
      $readmemh(WFILE, wrom);
      $readmemh(BFILE, brom);
    end
  end

  // ---- loader ------------------------------------------------------------------------------------------------
  typedef enum logic [1:0] {LOAD, COMP} state_t;
  state_t state;
  logic signed [CB-1:0] rows_in;                      // complete rows received
  logic [CB-1:0] in_x, in_f;
  logic [KB-1:0] in_slot;                             // line-buffer slot of the row being received
  wire in_fire = in_valid && in_ready;
  always_ff @(posedge clk) if (in_fire) lb[{in_slot, in_x[WB-1:0], in_f[FB-1:0]}] <= in_data;

  // ---- compute counters (loop order ox, nf, ky, kx, sf; innermost last) ----------------------------------------
  logic signed [CB-1:0] oy, top, left;                // top = oy*S-P, left = ox*S-P
  logic [CB-1:0] ox, nf, ky, kx, sf, wa;
  logic [KB-1:0] base;                                // slot of row `top`
  wire en;                                            // pipeline advances unless the output is stalled
  wire signed [CB-1:0] need = oy == OH ? CB'(H - 1) : ((top + K - 1 < H - 1) ? top + CB'(K - 1) : CB'(H - 1));
  wire last_sf = sf == SF - 1, last_kx = kx == K - 1, last_ky = ky == K - 1, last_nf = nf == NF - 1;
  wire last_ox = ox == OW - 1;
  wire issue = state == COMP && en;
  // Only the rows the next output row needs: one beat more would overwrite a row it still reads.
  assign in_ready = state == LOAD && rows_in <= need;

  always_ff @(posedge clk) begin
    if (rst) begin
      state <= LOAD; rows_in <= 0; in_x <= 0; in_f <= 0; in_slot <= 0;
      oy <= 0; top <= -CB'(P); left <= -CB'(P); base <= KB'(P == 0 ? 0 : K - P);
      ox <= 0; nf <= 0; ky <= 0; kx <= 0; sf <= 0; wa <= 0;
    end else begin
      if (in_fire) begin
        if (in_f == IF - 1) begin
          in_f <= 0;
          if (in_x == W - 1) begin
            in_x <= 0; rows_in <= rows_in + 1; in_slot <= in_slot == K - 1 ? 0 : in_slot + 1;
          end else in_x <= in_x + 1;
        end else in_f <= in_f + 1;
      end
      if (state == LOAD && rows_in > need) begin
        if (oy == OH) begin                           // image done and fully received: start the next one
          rows_in <= 0; in_slot <= 0; oy <= 0; top <= -CB'(P); base <= KB'(P == 0 ? 0 : K - P);
        end else state <= COMP;
      end
      if (issue) begin
        sf <= last_sf ? 0 : sf + 1;
        if (last_sf) begin
          kx <= last_kx ? 0 : kx + 1;
          if (last_kx) begin
            ky <= last_ky ? 0 : ky + 1;
            if (last_ky) begin
              nf <= last_nf ? 0 : nf + 1;
              if (last_nf) begin
                ox <= last_ox ? 0 : ox + 1;
                left <= last_ox ? -CB'(P) : left + CB'(S);
              end
            end
          end
        end
        wa <= (last_sf && last_kx && last_ky && last_nf) ? 0 : wa + 1;
        if (last_sf && last_kx && last_ky && last_nf && last_ox) begin
          state <= LOAD; oy <= oy + 1; top <= top + CB'(S);
          base <= (base + S >= K) ? KB'(base + S - K) : KB'(base + S);
        end
      end
    end
  end

  // ---- stage B: memory reads --------------------------------------------------------------------------------
  wire signed [CB-1:0] iy = top + $signed({1'b0, ky}), ix = left + $signed({1'b0, kx});
  wire pad = iy < 0 || iy >= H || ix < 0 || ix >= W;
  wire [KB:0] slot_sum = base + ky[KB-1:0];
  wire [KB-1:0] slot = slot_sum >= K ? KB'(slot_sum - K) : KB'(slot_sum);
  wire [CB-1:0] fsel = CW ? nf : sf;
  logic [8*SIMD-1:0] x_b; logic [8*WLANES-1:0] w_b;
  logic v_b, pad_b, first_b, last_b; logic [CB-1:0] nf_b;
  always_ff @(posedge clk) begin
    if (rst) v_b <= 0;
    else if (en) begin
      v_b <= issue;
      x_b <= lb[{slot, ix[WB-1:0], fsel[FB-1:0]}];
      w_b <= wrom[wa];
      pad_b <= pad;
      first_b <= sf == 0 && kx == 0 && ky == 0;
      last_b <= last_sf && last_kx && last_ky;
      nf_b <= nf;
    end
  end

  // ---- stage C: MACs (adder tree per lane) or pooling, accumulate -------------------------------------------------
  localparam int NT = 1 << $clog2(SIMD);              // tree leaves, padded to a power of two
  logic signed [ACCW-1:0] term [PE];
  always_comb begin
    for (int p = 0; p < PE; p++) begin
      logic signed [ACCW-1:0] t [NT];
      for (int i = 0; i < NT; i++) t[i] = '0;
      if (!CW) begin
        for (int s = 0; s < SIMD; s++)
          t[s] = ACCW'($signed(x_b[8*s +: 8]) * $signed(w_b[8*(p*SIMD+s) +: 8]));
        // balanced binary tree: level l adds pairs l apart
        for (int l = 1; l < NT; l *= 2)
          for (int i = 0; i + l < NT; i += 2 * l) t[i] = t[i] + t[i + l];
      end else if (MODE == 1) t[0] = ACCW'($signed(x_b[8*p +: 8]) * $signed(w_b[8*p +: 8]));
      else t[0] = ACCW'($signed(x_b[8*p +: 8]));
      term[p] = pad_b && MODE != 2 ? '0 : t[0];
    end
  end
  logic signed [ACCW-1:0] acc [PE];
  logic fin; logic [CB-1:0] nf_c;
  always_ff @(posedge clk) begin
    if (rst) fin <= 0;
    else if (en) begin
      fin <= v_b && last_b;
      if (v_b) begin
        nf_c <= nf_b;
        for (int p = 0; p < PE; p++)
          if (MODE == 2) begin
            if (first_b) acc[p] <= pad_b ? ACCW'(-128) : term[p];
            else if (!pad_b && term[p] > acc[p]) acc[p] <= term[p];
          end else acc[p] <= (first_b ? '0 : acc[p]) + term[p];
      end
    end
  end

  // ---- stage D: bias, requantisation, activation (clamp) ------------------------------------------------------
  localparam int RW = (ACCW > 32 ? ACCW : 32) + 18;     // (acc + bias) * MULT, MULT <= 16 bits unsigned
  function automatic logic [7:0] requant(input logic signed [ACCW-1:0] a, input logic signed [31:0] b);
    logic signed [RW-1:0] v;
    if (MODE == 2) v = RW'(a);
    else v = ((RW'(a) + RW'(b)) * RW'(MULT) + (RW'(1) <<< (SHIFT - 1))) >>> SHIFT;
    if (v < LO) v = RW'(LO);
    if (v > HI) v = RW'(HI);
    requant = v[7:0];
  endfunction
  assign en = !out_valid || out_ready;
  always_ff @(posedge clk) begin
    if (rst) out_valid <= 0;
    else if (en) begin
      out_valid <= fin;
      if (fin)
        for (int p = 0; p < PE; p++)
          out_data[8*p +: 8] <= requant(acc[p], MODE <= 1 ? brom[nf_c][32*p +: 32] : 32'sd0);
    end
  end
endmodule
