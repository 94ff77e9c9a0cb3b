// Bans: recording (addBan), unbanning by command (delBan), restoring
// (getCurrentBans), counting for bantime.increment (getBan), history (_getBans) and
// the hourly purge, with database.py's SQL.

#include <cmath>

#include "portcullis/store/ban_store.h"
#include "portcullis/store/ticket_data.h"
#include "store/impl.h"

namespace portcullis::store {
namespace {

constexpr double kOutDatedFactor = 3;  // Fail2BanDb's outDatedFactor

std::string BanWhat(const NewBan& ban) {
  return "cannot add ban of " + std::string(ban.ip) + " in jail " + Quoted(ban.jail);
}

// Binds one ban to the two inserts and runs them. `json` is a buffer kept across bans.
Result<void> InsertBan(sql::Connection& db, sql::Statement& bans, sql::Statement& bips, const NewBan& ban,
                       int max_matches, std::string& json) {
  json.clear();
  if (ban.data_json) json = *ban.data_json;
  else if (ban.data) AppendTicketJson(*ban.data, max_matches, json);
  else json = "{}";
  // int(round(time)): Python rounds halves to even, as nearbyint does by default.
  auto time = static_cast<int64_t>(std::nearbyint(ban.time));
  bans.Reset().Bind(1, ban.jail).Bind(2, ban.ip).Bind(3, time).Bind(4, ban.bantime).Bind(5, ban.bancount);
  bans.BindBlob(6, json);
  int rc = bans.Step();
  if (rc != SQLITE_DONE) return Failed(db.Fail(BanWhat(ban), rc));
  bips.Reset().Bind(1, ban.ip).Bind(2, ban.jail).Bind(3, time).Bind(4, ban.bantime).Bind(5, ban.bancount);
  bips.BindBlob(6, json);
  rc = bips.Step();
  if (rc != SQLITE_DONE) return Failed(db.Fail(BanWhat(ban), rc));
  return {};
}

StoredBan BipsRow(const sql::Statement& s) {
  // ip, timeofban, bantime, bancount, data, jail
  return StoredBan{s.Text(0), s.Text(5), s.Double(1), s.Double(2), s.Int(3), DataOf(s, 4)};
}

}  // namespace

Result<void> BanStore::AddBan(const NewBan& ban) { return AddBans(std::span(&ban, 1)); }

Result<void> BanStore::AddBans(std::span<const NewBan> bans) {
  if (bans.empty()) return {};
  Guard lock(impl_->mutex);
  auto& db = impl_->db;
  std::string what = bans.size() == 1 ? BanWhat(bans[0]) : "cannot add " + std::to_string(bans.size()) + " bans";
  return Write(db, what, [&]() -> Result<void> {
    auto to_bans = db.Prepare("INSERT INTO bans(jail, ip, timeofban, bantime, bancount, data) VALUES(?, ?, ?, ?, ?, ?)",
                              what);
    if (!to_bans) return Failed(to_bans.error());
    auto to_bips = db.Prepare(
        "INSERT OR REPLACE INTO bips(ip, jail, timeofban, bantime, bancount, data) VALUES(?, ?, ?, ?, ?, ?)", what);
    if (!to_bips) return Failed(to_bips.error());
    for (const NewBan& ban : bans) {
      auto added = InsertBan(db, **to_bans, **to_bips, ban, impl_->max_matches, impl_->json);
      if (!added) return added;
    }
    return {};
  });
}

Result<int64_t> BanStore::DeleteBans(std::string_view jail, std::span<const std::string_view> ips) {
  if (ips.empty()) return DeleteAllBans(jail);
  Guard lock(impl_->mutex);
  auto& db = impl_->db;
  std::string what = "cannot delete bans in jail " + Quoted(jail);
  return Write(db, what, [&]() -> Result<int64_t> {
    auto from_bips = db.Prepare("DELETE FROM bips WHERE jail = ? AND ip = ?", what);
    if (!from_bips) return Failed(from_bips.error());
    auto from_bans = db.Prepare("DELETE FROM bans WHERE jail = ? AND ip = ?", what);
    if (!from_bans) return Failed(from_bans.error());
    int64_t removed = 0;
    for (std::string_view ip : ips) {
      if (auto done = Run(db, (*from_bips)->Reset().Bind(1, jail).Bind(2, ip), what); !done) return Failed(done.error());
      removed += db.changes();
      if (auto done = Run(db, (*from_bans)->Reset().Bind(1, jail).Bind(2, ip), what); !done) return Failed(done.error());
    }
    return removed;
  });
}

Result<int64_t> BanStore::DeleteAllBans(std::string_view jail) {
  Guard lock(impl_->mutex);
  auto& db = impl_->db;
  std::string what = "cannot delete bans in jail " + Quoted(jail);
  return Write(db, what, [&]() -> Result<int64_t> {
    auto from_bips = db.Prepare("DELETE FROM bips WHERE jail = ?", what);
    if (!from_bips) return Failed(from_bips.error());
    if (auto done = Run(db, (*from_bips)->Bind(1, jail), what); !done) return Failed(done.error());
    int64_t removed = db.changes();
    auto from_bans = db.Prepare("DELETE FROM bans WHERE jail = ?", what);
    if (!from_bans) return Failed(from_bans.error());
    if (auto done = Run(db, (*from_bans)->Bind(1, jail), what); !done) return Failed(done.error());
    return removed;
  });
}

Result<int64_t> BanStore::ForEachCurrentBan(const CurrentBansQuery& query,
                                            const std::function<void(const StoredBan&)>& row) {
  Guard lock(impl_->mutex);
  auto& db = impl_->db;
  double fromtime = query.fromtime.value_or(impl_->clock->Now());
  bool since = query.forbantime && *query.forbantime != -1;
  // Without a jail, the latest ban of each ip: SQLite takes the other columns from the
  // row that holds max(timeofban).
  std::string sql = query.jail ? "SELECT ip, timeofban, bantime, bancount, data, jail FROM bips WHERE jail=?"
                               : "SELECT ip, max(timeofban), bantime, bancount, data, jail FROM bips WHERE 1";
  if (query.ip) sql += " AND ip=?";
  sql += " AND (timeofban + bantime > ? OR bantime <= -1)";
  if (since) sql += " AND timeofban > ?";
  // One jail has one bips row per ip (its primary key): no grouping to do, and the
  // primary key's index gives the ip order without sorting 300,000 rows.
  if (query.ip) sql += " ORDER BY timeofban DESC LIMIT 1";
  else sql += query.jail ? " ORDER BY ip" : " GROUP BY ip ORDER BY ip, timeofban DESC";
  const char* what = "cannot read the current bans";
  auto stmt = db.Prepare(sql, what);
  if (!stmt) return Failed(stmt.error());
  int i = 1;
  if (query.jail) (*stmt)->Bind(i++, *query.jail);
  if (query.ip) (*stmt)->Bind(i++, *query.ip);
  (*stmt)->Bind(i++, fromtime);
  if (since) (*stmt)->Bind(i++, fromtime - *query.forbantime);
  return Query(db, **stmt, what, [&](const sql::Statement& s) { row(BipsRow(s)); });
}

Result<std::vector<StoredBanCopy>> BanStore::CurrentBans(const CurrentBansQuery& query) {
  std::vector<StoredBanCopy> bans;
  auto rows = ForEachCurrentBan(query, [&](const StoredBan& ban) { bans.push_back(StoredBanCopy::Of(ban)); });
  if (!rows) return Failed(rows.error());
  return bans;
}

Result<std::optional<BanCount>> BanStore::GetBanCount(const BanCountQuery& query) {
  Guard lock(impl_->mutex);
  auto& db = impl_->db;
  std::string sql = query.overalljails ? "SELECT sum(bancount), max(timeofban), sum(bantime) FROM bips"
                                       : "SELECT bancount, timeofban, bantime FROM bips";
  sql += " WHERE ip = ?";
  bool by_jail = !query.overalljails && query.jail;
  if (by_jail) sql += " AND jail=?";
  if (query.forbantime) sql += " AND timeofban > ?";
  if (query.fromtime) sql += " AND timeofban > ?";
  if (!by_jail) sql += " GROUP BY ip ORDER BY timeofban DESC LIMIT 1";
  std::string what = "cannot read the bans of " + std::string(query.ip);
  auto stmt = db.Prepare(sql, what);
  if (!stmt) return Failed(stmt.error());
  int i = 1;
  (*stmt)->Bind(i++, query.ip);
  if (by_jail) (*stmt)->Bind(i++, *query.jail);
  if (query.forbantime) (*stmt)->Bind(i++, impl_->clock->Now() - *query.forbantime);
  if (query.fromtime) (*stmt)->Bind(i++, *query.fromtime);
  std::optional<BanCount> found;
  auto rows = Query(db, **stmt, what, [&](const sql::Statement& s) {
    if (!found) found = BanCount{s.Int(0), s.Double(1), s.Double(2)};
  });
  if (!rows) return Failed(rows.error());
  return found;
}

Result<int64_t> BanStore::ForEachBanInHistory(const BanHistoryQuery& query,
                                              const std::function<void(const StoredBan&)>& row) {
  Guard lock(impl_->mutex);
  auto& db = impl_->db;
  bool since = query.bantime && *query.bantime >= 0;
  std::string sql = "SELECT ip, timeofban, data, jail FROM bans WHERE 1";
  if (query.jail) sql += " AND jail=?";
  if (since) sql += " AND timeofban > ?";
  if (query.ip) sql += " AND ip=?";
  sql += " ORDER BY ip, timeofban desc";
  const char* what = "cannot read the ban history";
  auto stmt = db.Prepare(sql, what);
  if (!stmt) return Failed(stmt.error());
  int i = 1;
  if (query.jail) (*stmt)->Bind(i++, *query.jail);
  if (since) (*stmt)->Bind(i++, impl_->clock->Now() - *query.bantime);
  if (query.ip) (*stmt)->Bind(i++, *query.ip);
  return Query(db, **stmt, what, [&](const sql::Statement& s) {
    row(StoredBan{s.Text(0), s.Text(3), s.Double(1), 0, 1, DataOf(s, 2)});
  });
}

Result<PurgeCounts> BanStore::Purge() {
  Guard lock(impl_->mutex);
  auto& db = impl_->db;
  double now = impl_->clock->Now();
  double age = impl_->purge_age;
  const char* what = "cannot purge the database";
  return Write(db, what, [&]() -> Result<PurgeCounts> {
    PurgeCounts counts;
    auto bans = db.Prepare("DELETE FROM bans WHERE timeofban < ?", what);
    if (!bans) return Failed(bans.error());
    if (auto done = Run(db, (*bans)->Bind(1, now - age), what); !done) return Failed(done.error());
    counts.bans = db.changes();
    // Permanent bans stay; others once several ban times past the purge age.
    auto bips = db.Prepare(
        "DELETE FROM bips WHERE timeofban < ? and bantime != -1 and (timeofban + (bantime * ?)) < ?", what);
    if (!bips) return Failed(bips.error());
    double before = std::trunc(now) - age;
    if (auto done = Run(db, (*bips)->Bind(1, before).Bind(2, kOutDatedFactor).Bind(3, before), what); !done) {
      return Failed(done.error());
    }
    counts.bips = db.changes();
    auto jails = db.Prepare(
        "DELETE FROM jails WHERE enabled = 0 "
        "AND NOT EXISTS(SELECT * FROM bans WHERE jail = jails.name) "
        "AND NOT EXISTS(SELECT * FROM bips WHERE jail = jails.name)",
        what);
    if (!jails) return Failed(jails.error());
    if (auto done = Run(db, **jails, what); !done) return Failed(done.error());
    counts.jails = db.changes();
    return counts;
  });
}

}  // namespace portcullis::store
