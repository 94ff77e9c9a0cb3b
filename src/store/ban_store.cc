// The operations of fail2ban's Fail2BanDb on portcullis' connection: the same SQL, one
// transaction per call, statements prepared once.

#include "portcullis/store/ban_store.h"

#include <cmath>

#include "portcullis/store/ticket_data.h"
#include "store/impl.h"

namespace portcullis::store {
StoredBanCopy StoredBanCopy::Of(const StoredBan& ban) {
  return {std::string(ban.ip), std::string(ban.jail), ban.time_of_ban, ban.bantime, ban.bancount,
          std::string(ban.data)};
}

BanStore::BanStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
BanStore::BanStore(BanStore&&) noexcept = default;
BanStore& BanStore::operator=(BanStore&&) noexcept = default;
BanStore::~BanStore() = default;

const std::string& BanStore::path() const { return impl_->db.path(); }
const OpenReport& BanStore::open_report() const { return impl_->report; }
void BanStore::set_max_matches(int max_matches) { impl_->max_matches = max_matches; }
int BanStore::max_matches() const { return impl_->max_matches; }
void BanStore::set_purge_age(double seconds) { impl_->purge_age = seconds; }
double BanStore::purge_age() const { return impl_->purge_age; }

Result<void> BanStore::AddJail(std::string_view jail) {
  Guard lock(impl_->mutex);
  auto& db = impl_->db;
  std::string what = "cannot add jail " + Quoted(jail);
  return Write(db, what, [&]() -> Result<void> {
    auto insert = db.Prepare("INSERT OR IGNORE INTO jails(name, enabled) VALUES(?, 1)", what);
    if (!insert) return Failed(insert.error());
    if (auto done = Run(db, (*insert)->Bind(1, jail), what); !done) return done;
    if (db.changes() > 0) return {};
    auto enable = db.Prepare("UPDATE jails SET enabled = 1 WHERE name = ? AND enabled != 1", what);
    if (!enable) return Failed(enable.error());
    return Run(db, (*enable)->Bind(1, jail), what);
  });
}

Result<void> BanStore::DisableJail(std::string_view jail) {
  Guard lock(impl_->mutex);
  auto& db = impl_->db;
  std::string what = "cannot disable jail " + Quoted(jail);
  return Write(db, what, [&]() -> Result<void> {
    auto update = db.Prepare("UPDATE jails SET enabled=0 WHERE name=?", what);
    if (!update) return Failed(update.error());
    return Run(db, (*update)->Bind(1, jail), what);
  });
}

Result<void> BanStore::DisableAllJails() {
  Guard lock(impl_->mutex);
  return impl_->db.Exec("UPDATE jails SET enabled=0", "cannot disable the jails");
}

Result<std::vector<std::string>> BanStore::JailNames(std::optional<bool> enabled) {
  Guard lock(impl_->mutex);
  auto& db = impl_->db;
  const char* what = "cannot read the jails";
  auto stmt = db.Prepare(enabled ? "SELECT name FROM jails WHERE enabled=? ORDER BY name"
                                 : "SELECT name FROM jails ORDER BY name",
                         what);
  if (!stmt) return Failed(stmt.error());
  if (enabled) (*stmt)->Bind(1, int64_t{*enabled ? 1 : 0});
  std::vector<std::string> names;
  auto rows = Query(db, **stmt, what, [&](const sql::Statement& s) { names.emplace_back(s.Text(0)); });
  if (!rows) return Failed(rows.error());
  return names;
}

namespace {

Result<std::optional<LogPosition>> ReadLog(sql::Connection& db, std::string_view jail, std::string_view path) {
  std::string what = "cannot read the position of " + std::string(path);
  auto stmt = db.Prepare("SELECT firstlinemd5, lastfilepos FROM logs WHERE jail=? AND path=?", what);
  if (!stmt) return Failed(stmt.error());
  (*stmt)->Bind(1, jail).Bind(2, path);
  std::optional<LogPosition> found;
  auto rows = Query(db, **stmt, what, [&](const sql::Statement& s) {
    found.emplace();
    if (!s.IsNull(0)) found->first_line_hash = std::string(s.Text(0));
    found->position = s.Int(1);
  });
  if (!rows) return Failed(rows.error());
  return found;
}

}  // namespace

Result<std::optional<LogPosition>> BanStore::GetLog(std::string_view jail, std::string_view path) {
  Guard lock(impl_->mutex);
  return ReadLog(impl_->db, jail, path);
}

namespace {

Result<void> StoreLog(sql::Connection& db, std::string_view jail, std::string_view path,
                      std::optional<std::string_view> hash, int64_t position, std::string_view what) {
  auto stmt = db.Prepare("INSERT OR REPLACE INTO logs(jail, path, firstlinemd5, lastfilepos) VALUES(?, ?, ?, ?)",
                         what);
  if (!stmt) return Failed(stmt.error());
  (*stmt)->Bind(1, jail).Bind(2, path).Bind(4, position);
  if (hash) (*stmt)->Bind(3, *hash);
  return Run(db, **stmt, what);
}

}  // namespace

Result<std::optional<int64_t>> BanStore::AddLog(std::string_view jail, std::string_view path,
                                                std::optional<std::string_view> first_line_hash,
                                                int64_t position) {
  Guard lock(impl_->mutex);
  auto stored = ReadLog(impl_->db, jail, path);
  if (!stored) return Failed(stored.error());
  std::optional<std::string> stored_hash = *stored ? (*stored)->first_line_hash : std::nullopt;
  std::optional<int64_t> last = *stored ? std::optional((*stored)->position) : std::nullopt;
  if (!stored_hash && (position != 0 || first_line_hash)) {
    auto& db = impl_->db;
    std::string what = "cannot add log " + std::string(path) + " of jail " + Quoted(jail);
    auto added = Write(db, what, [&] { return StoreLog(db, jail, path, first_line_hash, position, what); });
    if (!added) return Failed(added.error());
  }
  if (first_line_hash && first_line_hash != stored_hash) last.reset();
  return last;
}

Result<void> BanStore::UpdateLog(std::string_view jail, std::string_view path,
                                 std::optional<std::string_view> first_line_hash, int64_t position) {
  Guard lock(impl_->mutex);
  auto& db = impl_->db;
  std::string what = "cannot update the position of " + std::string(path);
  return Write(db, what, [&]() -> Result<void> {
    auto update = db.Prepare("UPDATE logs SET firstlinemd5=?, lastfilepos=? WHERE jail=? AND path=?", what);
    if (!update) return Failed(update.error());
    (*update)->Bind(2, position).Bind(3, jail).Bind(4, path);
    if (first_line_hash) (*update)->Bind(1, *first_line_hash);
    if (auto done = Run(db, **update, what); !done) return done;
    if (db.changes() > 0) return {};
    return StoreLog(db, jail, path, first_line_hash, position, what);
  });
}

Result<std::vector<std::string>> BanStore::LogPaths(std::optional<std::string_view> jail) {
  Guard lock(impl_->mutex);
  auto& db = impl_->db;
  const char* what = "cannot read the log paths";
  auto stmt = db.Prepare(jail ? "SELECT path FROM logs WHERE jail=? ORDER BY path"
                              : "SELECT DISTINCT path FROM logs ORDER BY path",
                         what);
  if (!stmt) return Failed(stmt.error());
  if (jail) (*stmt)->Bind(1, *jail);
  std::vector<std::string> paths;
  auto rows = Query(db, **stmt, what, [&](const sql::Statement& s) { paths.emplace_back(s.Text(0)); });
  if (!rows) return Failed(rows.error());
  return paths;
}

}  // namespace portcullis::store
