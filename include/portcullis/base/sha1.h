#pragma once
// SHA-1 (FIPS 180-4), for the ban database's `logs.firstlinemd5`: fail2ban stores the
// hex SHA-1 of a log's first line, newline included, to recognise a rotated file.
//
//   Sha1Hex("line\n") == "6bfa09d82ce3e898ad4641ae13dd4fdb9cf0d76b"
//   (what `printf 'line\n' | sha1sum` prints).
//
// Not for anything security-relevant: fail2ban only compares file contents with it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace portcullis {

// An incremental SHA-1: Update with pieces, then Digest once.
class Sha1 {
 public:
  Sha1();
  // Appends `data` to the message.
  void Update(std::string_view data);
  // The 20-byte digest of everything given so far; the object is spent afterwards.
  std::array<uint8_t, 20> Digest();

 private:
  void Block(const uint8_t* block);

  std::array<uint32_t, 5> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;  // message length in bytes
};

// Lower-case hex SHA-1 of `data` (40 characters), as sha1sum and Python's hexdigest print it.
std::string Sha1Hex(std::string_view data);

}  // namespace portcullis
