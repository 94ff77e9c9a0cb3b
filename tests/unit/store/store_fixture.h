#pragma once
// A temp folder per test, a fake clock at fail2ban's TEST_NOW, and a raw SQLite
// connection for looking into the files a BanStore writes.

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/clock.h"
#include "portcullis/store/ban_store.h"

namespace portcullis::store::testing {

inline constexpr double kTestNow = 1124013600;  // fail2ban's TEST_NOW, 2005-08-14 10:00 UTC

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() {
    std::string pattern = (std::filesystem::temp_directory_path() / "portcullis-store-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data()) ? pattern : std::string();
  }
  ~StoreTest() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  std::string Path(std::string_view name) const { return dir_ + "/" + std::string(name); }
  std::string Write(std::string_view name, std::string_view bytes) const {
    std::string path = Path(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  // A corpus database copied into the temp folder (the corpus is never written to).
  std::string CopyCorpus(std::string_view name) const {
    std::string path = Path(name);
    std::filesystem::copy_file(std::string(PORTCULLIS_CORPUS_DIR) + "/tests/files/" + std::string(name), path);
    return path;
  }
  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  BanStore OpenStore(const std::string& path, OpenOptions options = {}) {
    auto store = BanStore::Open(path, clock_, options);
    if (!store) ADD_FAILURE() << store.error().ToString();
    return std::move(*store);
  }

  FakeClock clock_{kTestNow};
  std::string dir_;
};

// Rows of `sql` on a separate connection, columns joined with '|' as the sqlite3 CLI
// prints them (NULL as empty).
inline std::vector<std::string> Rows(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> rows;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        std::string row;
        for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
          if (i) row += '|';
          auto text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
          if (text) row.append(text, static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
        }
        rows.push_back(row);
      }
    } else {
      rows.push_back(std::string("SQL error: ") + sqlite3_errmsg(db));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return rows;
}

// A ticket's data object: matches and failures, as the daemon hands them over.
inline json::Value TicketData(std::vector<std::string> matches, int failures) {
  json::Array lines(matches.begin(), matches.end());
  return json::Value(json::Object{{"matches", json::Value(std::move(lines))}, {"failures", failures}});
}

}  // namespace portcullis::store::testing
