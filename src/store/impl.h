#pragma once
// BanStore's state, shared by ban_store.cc (the operations) and open.cc (opening,
// migrating, recreating). Private to src/store.

#include <cstdint>
#include <expected>
#include <mutex>
#include <string>

#include "portcullis/store/ban_store.h"
#include "store/sqlite.h"

namespace portcullis::store {

struct BanStore::Impl {
  Impl(sql::Connection connection, const Clock& clock_, OpenReport report_)
      : db(std::move(connection)), clock(&clock_), report(std::move(report_)) {}

  sql::Connection db;
  const Clock* clock;
  OpenReport report;
  int max_matches = 10;       // fail2ban's dbmaxmatches default
  double purge_age = 86400;   // dbpurgeage default: 1d
  std::mutex mutex;           // fail2ban's RLock: one call at a time
  std::string json;           // serialized ticket data, reused from ban to ban
};

// Helpers of the operations (ban_store.cc, bans.cc).

using Guard = std::lock_guard<std::mutex>;

inline std::unexpected<Error> Failed(const Error& error) { return std::unexpected(error); }

// Steps a statement that returns no rows.
inline Result<void> Run(sql::Connection& db, sql::Statement& stmt, std::string_view what) {
  int rc = stmt.Step();
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Failed(db.Fail(what, rc));
  return {};
}

// Runs `body` in one write transaction; any error rolls all of it back.
template <class Body>
auto Write(sql::Connection& db, std::string_view what, Body body) -> decltype(body()) {
  sql::Transaction transaction(db);
  if (auto begun = transaction.Begin(what); !begun) return Failed(begun.error());
  auto result = body();
  if (!result) return result;
  if (auto committed = transaction.Commit(what); !committed) return Failed(committed.error());
  return result;
}

// Steps a query, calling `row` for each row; the statement is reset afterwards so it
// holds no read lock. Returns the number of rows.
template <class Row>
Result<int64_t> Query(sql::Connection& db, sql::Statement& stmt, std::string_view what, Row row) {
  struct ResetOnExit {
    sql::Statement& stmt;
    ~ResetOnExit() { stmt.Reset(); }
  } reset{stmt};
  int64_t count = 0;
  int rc;
  while ((rc = stmt.Step()) == SQLITE_ROW) {
    row(stmt);
    ++count;
  }
  if (rc != SQLITE_DONE) return Failed(db.Fail(what, rc));
  return count;
}

inline std::string_view DataOf(const sql::Statement& stmt, int col) {
  return stmt.IsNull(col) ? std::string_view("{}") : stmt.Text(col);
}

inline std::string Quoted(std::string_view name) { return "'" + std::string(name) + "'"; }

}  // namespace portcullis::store
