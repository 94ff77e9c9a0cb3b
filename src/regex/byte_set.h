#pragma once
// A set of byte values, for the regex module's matcher and prefilter.

#include <cstdint>

namespace portcullis::regex::internal {

// 256 bits, one per byte value.
struct ByteSet {
  uint64_t w[4] = {0, 0, 0, 0};
  static ByteSet All() { return ByteSet{{~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}}}; }
  bool Has(uint8_t c) const { return (w[c >> 6] >> (c & 63)) & 1; }
  void Add(uint8_t c) { w[c >> 6] |= uint64_t{1} << (c & 63); }
  void AddRange(unsigned lo, unsigned hi) {
    for (unsigned c = lo; c <= hi; ++c) Add(static_cast<uint8_t>(c));
  }
  void Merge(const ByteSet& o) {
    for (int i = 0; i < 4; ++i) w[i] |= o.w[i];
  }
  void Keep(const ByteSet& o) {
    for (int i = 0; i < 4; ++i) w[i] &= o.w[i];
  }
  void Drop(const ByteSet& o) {
    for (int i = 0; i < 4; ++i) w[i] &= ~o.w[i];
  }
  void Invert() {
    for (auto& x : w) x = ~x;
  }
  int Count() const {
    int n = 0;
    for (auto x : w) n += __builtin_popcountll(x);
    return n;
  }
};

}  // namespace portcullis::regex::internal
