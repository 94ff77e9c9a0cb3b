#pragma once
// A thin RAII layer over the SQLite C API for the store module: a connection that
// names its file in every error, reusable prepared statements and a transaction guard
// that rolls back unless committed. Private to src/store.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "portcullis/base/error.h"

namespace portcullis::store::sql {

// One prepared statement, reset and re-bound for every use.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  // Resets the statement and clears its bindings, ready for new values.
  Statement& Reset();
  // Binds the 1-based parameter `i`.
  Statement& Bind(int i, std::string_view text);
  Statement& Bind(int i, int64_t value);
  Statement& Bind(int i, double value);  // an integral value is bound as an integer
  Statement& BindNull(int i);
  Statement& BindBlob(int i, std::string_view bytes);
  // sqlite3_step: SQLITE_ROW, SQLITE_DONE or an error code.
  int Step();

  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  // Text or blob bytes of column `col`; valid until the next Step or Reset.
  std::string_view Text(int col) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// The connection, with the file name every Error carries.
class Connection {
 public:
  // Opens (creating when missing) `path`; ":memory:" is an in-memory database.
  // Waits up to `busy_timeout_ms` for locks held by other connections.
  static Result<Connection> Open(const std::string& path, int busy_timeout_ms);

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&& other) noexcept;
  ~Connection();
  // Finalizes the statements and closes the file.
  void Close();

  // Runs one or more statements without results. Error: "<what>: <sqlite message>".
  Result<void> Exec(std::string_view sql, std::string_view what);
  // A prepared statement for `sql`, compiled once and kept for the connection's life.
  Result<Statement*> Prepare(const std::string& sql, std::string_view what);
  // Error "<what>: <sqlite message>" for the connection's last failure `rc`.
  Error Fail(std::string_view what, int rc) const;
  // The first column of the first row of `sql` as text, nullopt without a row.
  Result<std::optional<std::string>> QueryText(const std::string& sql, std::string_view what);

  sqlite3* handle() const { return db_.get(); }
  const std::string& path() const { return path_; }
  // The primary result code of the last failure Fail reported.
  int last_failure() const { return last_failure_; }
  int64_t changes() const { return sqlite3_changes64(db_.get()); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
  mutable int last_failure_ = SQLITE_OK;
};

// BEGIN IMMEDIATE on construction (Begin), ROLLBACK on destruction unless committed.
// Taking the write lock up front lets SQLite's busy handler wait for it; a deferred
// transaction that upgrades later can fail with SQLITE_BUSY without waiting.
class Transaction {
 public:
  explicit Transaction(Connection& db) : db_(db) {}
  ~Transaction();
  Result<void> Begin(std::string_view what);
  Result<void> Commit(std::string_view what);

 private:
  Connection& db_;
  bool open_ = false;
};

}  // namespace portcullis::store::sql
