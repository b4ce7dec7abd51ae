//===- Backend.cpp - shared backend helpers -------------------------------===//
#include "Backend.h"
#include "flydel/Model/TextParse.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace flydel::measure {

std::vector<std::string> splitCells(const std::string &line) {
  std::vector<std::string> cells;
  for (llvm::StringRef c : llvm::split(llvm::StringRef(line).rtrim("\r"), ','))
    cells.push_back(c.trim().str());
  return cells;
}

std::string joinCells(const std::vector<std::string> &cells) {
  std::string s;
  for (size_t i = 0; i < cells.size(); ++i)
    s += (i ? "," : "") + cells[i];
  return s;
}

RawCsv parseRawCsv(const std::string &text) {
  RawCsv raw;
  std::istringstream in(std::string(skipUtf8Bom(text)));
  std::string line;
  for (int lineNo = 1; std::getline(in, line); ++lineNo) {
    llvm::StringRef t = llvm::StringRef(line).trim();
    if (t.empty())
      continue;
    if (t.starts_with("#"))
      raw.comments.push_back(line);
    else if (raw.header.empty())
      raw.header = splitCells(line);
    else
      raw.rows[lineNo] = splitCells(line);
  }
  return raw;
}

bool readRawCsv(const std::string &path, RawCsv &csv) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::ostringstream text;
  text << in.rdbuf();
  csv = parseRawCsv(text.str());
  return true;
}

StridedInput stridedInput(const Layer &l) {
  auto fit = [](int64_t in, int64_t pad, int64_t kernel, int64_t stride, int64_t dilation, int64_t &inOut,
                int64_t &padAfter) {
    int64_t rem = (in - 1 + 2 * pad - (kernel - 1) * dilation) % stride;
    padAfter = pad - std::min(rem, pad);
    inOut = in - (rem - (pad - padAfter));
  };
  StridedInput s{};
  fit(l.in_h, l.pad_h, l.kernel_h, l.stride_h, l.dilation_h, s.h, s.padBottom);
  fit(l.in_w, l.pad_w, l.kernel_w, l.stride_w, l.dilation_w, s.w, s.padRight);
  return s;
}

} // namespace flydel::measure
