#include "store/sqlite.h"

#include <cmath>

namespace portcullis::store::sql {

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return *this;
}

Statement& Statement::Bind(int i, std::string_view text) {
  sqlite3_bind_text64(stmt_, i, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  return *this;
}

Statement& Statement::Bind(int i, int64_t value) {
  sqlite3_bind_int64(stmt_, i, value);
  return *this;
}

Statement& Statement::Bind(int i, double value) {
  // An INTEGER column would turn an integral REAL into an integer anyway; binding it as
  // one keeps comparisons and the stored type alike whatever the column's affinity.
  if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 9.0e15) {
    return Bind(i, static_cast<int64_t>(value));
  }
  sqlite3_bind_double(stmt_, i, value);
  return *this;
}

Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Statement& Statement::BindBlob(int i, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_, i, bytes.data(), bytes.size(), SQLITE_STATIC);
  return *this;
}

int Statement::Step() { return sqlite3_step(stmt_); }

std::string_view Statement::Text(int col) const {
  // Blob first: asking for text of a blob would convert it in place.
  const void* bytes = sqlite3_column_type(stmt_, col) == SQLITE_BLOB
                          ? sqlite3_column_blob(stmt_, col)
                          : static_cast<const void*>(sqlite3_column_text(stmt_, col));
  if (bytes == nullptr) return {};
  return {static_cast<const char*>(bytes), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

Result<Connection> Connection::Open(const std::string& path, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Connection db(raw, path);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) {
    return portcullis::Fail(raw ? "cannot open database: " + std::string(sqlite3_errmsg(raw))
                    : "cannot open database: out of memory",
                path);
  }
  sqlite3_extended_result_codes(raw, 0);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    Close();
    db_ = std::move(other.db_);
    path_ = std::move(other.path_);
    statements_ = std::move(other.statements_);
    last_failure_ = other.last_failure_;
  }
  return *this;
}

Connection::~Connection() { Close(); }

void Connection::Close() {
  statements_.clear();  // statements first: a connection with live statements stays open
  db_.reset();
}

Error Connection::Fail(std::string_view what, int rc) const {
  last_failure_ = rc & 0xff;
  std::string reason = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
  if (db_ && sqlite3_errcode(db_.get()) != rc) reason = sqlite3_errstr(rc);
  return Error{std::string(what) + ": " + reason, path_, 0, {}};
}

Result<void> Connection::Exec(std::string_view sql, std::string_view what) {
  int rc = sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(Fail(what, rc));
  return {};
}

Result<Statement*> Connection::Prepare(const std::string& sql, std::string_view what) {
  auto found = statements_.find(sql);
  if (found != statements_.end()) return &found->second->Reset();
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return std::unexpected(Fail(what, rc));
  }
  auto& slot = statements_[sql];
  slot = std::make_unique<Statement>(stmt);
  return slot.get();
}

Result<std::optional<std::string>> Connection::QueryText(const std::string& sql, std::string_view what) {
  auto stmt = Prepare(sql, what);
  if (!stmt) return std::unexpected(stmt.error());
  int rc = (*stmt)->Step();
  std::optional<std::string> value;
  if (rc == SQLITE_ROW) value = std::string((*stmt)->Text(0));
  else if (rc != SQLITE_DONE) return std::unexpected(Fail(what, rc));
  (*stmt)->Reset();
  return value;
}

Transaction::~Transaction() {
  if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Result<void> Transaction::Begin(std::string_view what) {
  auto begun = db_.Exec("BEGIN IMMEDIATE", what);
  open_ = begun.has_value();
  return begun;
}

Result<void> Transaction::Commit(std::string_view what) {
  auto committed = db_.Exec("COMMIT", what);
  // A failed COMMIT leaves the transaction open; the destructor rolls it back.
  if (committed) open_ = false;
  return committed;
}

}  // namespace portcullis::store::sql
