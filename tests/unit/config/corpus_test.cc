// Every stock filter.d and action.d file of fail2ban 1.0.2 must load unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "portcullis/config/action_reader.h"
#include "portcullis/config/filter_reader.h"

namespace portcullis::config {
namespace {

const std::string kStock = std::string(PORTCULLIS_CORPUS_DIR) + "/config";

std::vector<std::string> Stems(const std::string& dir) {
  std::vector<std::string> stems;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".conf") stems.push_back(entry.path().stem().string());
  }
  std::sort(stems.begin(), stems.end());
  return stems;
}

// Modes a filter documents in its comments, e.g. `# Parameter "mode": normal (default), ddos, ...`.
std::set<std::string> DocumentedModes(const std::string& path) {
  std::ifstream in(path);
  std::set<std::string> modes;
  static const std::regex kModeLine(R"(^#.*\bmode\b.*:.*)", std::regex::icase);
  static const std::regex kWord(R"(\b(normal|ddos|extra|aggressive|more|auth|rbl)\b)");
  for (std::string line; std::getline(in, line);) {
    if (!std::regex_match(line, kModeLine)) continue;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), kWord); it != std::sregex_iterator(); ++it) {
      modes.insert(it->str());
    }
  }
  return modes;
}

// selinux-common.conf is only included by the selinux-* filters: on its own it
// refers to options they define, and fail2ban fails on it too.
const std::set<std::string> kIncludeOnlyFilters = {"selinux-common"};

TEST(StockCorpusTest, FindsTheModesFiltersDocument) {
  EXPECT_EQ(DocumentedModes(kStock + "/filter.d/sshd.conf"),
            (std::set<std::string>{"aggressive", "ddos", "extra", "normal"}));
  EXPECT_EQ(DocumentedModes(kStock + "/filter.d/postfix.conf"),
            (std::set<std::string>{"aggressive", "auth", "ddos", "extra", "more", "normal", "rbl"}));
}

TEST(StockCorpusTest, LoadsEveryFilterInEveryDocumentedMode) {
  FileCache cache;
  std::vector<std::string> filters = Stems(kStock + "/filter.d");
  EXPECT_EQ(filters.size(), 94u);
  size_t loaded = 0;
  for (const std::string& name : filters) {
    if (kIncludeOnlyFilters.contains(name)) continue;
    std::set<std::string> modes = DocumentedModes(kStock + "/filter.d/" + name + ".conf");
    modes.insert("");  // default options
    for (const std::string& mode : modes) {
      FilterRequest request;
      request.basedir = kStock;
      request.name = name;
      request.backend = "auto";
      request.cache = &cache;
      if (!mode.empty()) request.options.Set("mode", mode);
      auto spec = ReadFilter(request);
      EXPECT_TRUE(spec) << name << "[mode=" << mode << "]: " << spec.error().ToString();
    }
    ++loaded;
  }
  EXPECT_EQ(loaded, 93u);
}

TEST(StockCorpusTest, ReportsTheIncludeOnlySelinuxCommonAsFail2banDoes) {
  FilterRequest request;
  request.basedir = kStock;
  request.name = "selinux-common";
  auto spec = ReadFilter(request);
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().ToString(),
            kStock + "/filter.d/selinux-common.conf:17: option 'failregex' in section 'Definition' "
                     "refers to unknown option '_type': %(_type)s");
}

TEST(StockCorpusTest, LoadsEveryAction) {
  FileCache cache;
  std::vector<std::string> actions = Stems(kStock + "/action.d");
  EXPECT_EQ(actions.size(), 63u);
  for (const std::string& name : actions) {
    ActionRequest request;
    request.basedir = kStock;
    request.name = name;
    request.jail = "sshd";
    request.cache = &cache;
    auto spec = ReadAction(request);
    EXPECT_TRUE(spec) << name << ": " << spec.error().ToString();
  }
}

TEST(StockCorpusTest, LoadsFail2bansTestFilters) {
  const std::string tests = std::string(PORTCULLIS_CORPUS_DIR) + "/tests/config";
  for (const std::string& name : Stems(tests + "/filter.d")) {
    FilterRequest request;
    request.basedir = tests;
    request.name = name;
    auto spec = ReadFilter(request);
    EXPECT_TRUE(spec) << name << ": " << spec.error().ToString();
  }
}

}  // namespace
}  // namespace portcullis::config
