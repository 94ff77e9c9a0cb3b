#include "portcullis/base/sha1.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace portcullis {
namespace {

struct Sha1Case {
  std::string text;
  const char* hex;
};

void PrintTo(const Sha1Case& c, std::ostream* os) { *os << c.text.size() << " bytes"; }

class HashesLikeSha1sum : public ::testing::TestWithParam<Sha1Case> {};

TEST_P(HashesLikeSha1sum, InOnePiece) { EXPECT_EQ(Sha1Hex(GetParam().text), GetParam().hex); }

TEST_P(HashesLikeSha1sum, InPiecesOfSevenBytes) {
  Sha1 sha;
  const std::string& text = GetParam().text;
  for (size_t i = 0; i < text.size(); i += 7) sha.Update(std::string_view(text).substr(i, 7));
  std::string hex;
  for (uint8_t byte : sha.Digest()) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[byte >> 4];
    hex += kHex[byte & 15];
  }
  EXPECT_EQ(hex, GetParam().hex);
}

// Expected values from `printf '...' | sha1sum` and Python's hashlib.sha1; the lengths
// around 56 and 64 bytes exercise the padding spilling into a second block.
INSTANTIATE_TEST_SUITE_P(
    Sha1Test, HashesLikeSha1sum,
    ::testing::Values(
        Sha1Case{"line\n", "6bfa09d82ce3e898ad4641ae13dd4fdb9cf0d76b"},
        Sha1Case{"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        Sha1Case{"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
        Sha1Case{"Jan 23 21:59:59 [sshd] error: PAM: Authentication failure\n",
                 "0df636351b91a68c71d7fc473003a6c91a11a774"},
        Sha1Case{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                 "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
        Sha1Case{std::string(55, 'x'), "cef734ba81a024479e09eb5a75b6ddae62e6abf1"},
        Sha1Case{std::string(56, 'x'), "901305367c259952f4e7af8323f480d59f81335b"},
        Sha1Case{std::string(63, 'x'), "0ddc4e0cccd9a12850deb5abb0853a4425559fec"},
        Sha1Case{std::string(64, 'x'), "bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163"},
        Sha1Case{std::string(65, 'x'), "78c741ddc482e4cdf8c474a0876347a0905b6233"},
        Sha1Case{std::string(119, 'x'), "4300320394f7ee239bcdce7d3b8bcee173a0cd5c"},
        Sha1Case{std::string(120, 'x'), "ceb2821639c4b6dcb10bce0e522ca2e608ce056d"},
        Sha1Case{std::string(1000000, 'a'), "34aa973cd4c4daa4f61eeb2bdbad27316534016f"}));

}  // namespace
}  // namespace portcullis
