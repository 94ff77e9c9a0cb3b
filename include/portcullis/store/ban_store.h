#pragma once
// The ban database: fail2ban's SQLite file (server/database.py, schema version 4), read
// and written so that fail2ban and portcullis can each open the other's file.
//
//   auto store = BanStore::Open("/var/lib/fail2ban/fail2ban.sqlite3", clock);
//   if (!store) log(store.error().ToString());    // "<file>: <what failed>: <why>"
//   for (auto& m : store->open_report().messages) log(m);   // "New database created. Version '4'"
//   store->AddJail("sshd");                        // every jail is disabled at open
//   store->AddBans(bans);                          // one transaction for the batch
//   store->ForEachCurrentBan({.jail = "sshd", .forbantime = 600}, restore);
//
// The file:
//   fail2banDb(version) = 4; jails(name, enabled); logs(jail, path, firstlinemd5,
//   lastfilepos); bans (every ban ever, the history) and bips (the last ban of each
//   ip in each jail, what a restart restores and bantime.increment counts), with the
//   column definitions and indexes of database.py, so `sqlite3 file .schema` prints
//   the same text for both programs.
//
// Opening: a missing or empty file gets the schema ("New database created. Version
// '4'"); versions 1 to 3 are migrated as database.py does after a copy is kept as
// `<file>.<YYYYmmdd-HHMMSS>` (UTC); a file that is no SQLite database, fails SQLite's
// quick_check or lacks a column portcullis needs is moved aside to that name and a new
// database is created. fail2ban's `dbfile = None` means no database at all: the caller
// then creates no BanStore.
//
// Journal: fail2ban runs with `synchronous=OFF, journal_mode=MEMORY`, which a crash in
// the middle of a write can leave corrupt (hence its repair code). By default a BanStore
// uses `journal_mode=WAL, synchronous=NORMAL`: a crash or power cut loses at most the
// last transactions and never corrupts the file, commits do not wait for the disk, and
// readers do not block the writer. It stays fail2ban's file: SQLite >= 3.7 (fail2ban's
// Python) opens WAL files, and fail2ban's own `journal_mode=MEMORY` turns the file back
// into a rollback-journal file when it opens it. While a BanStore is open, recent
// commits may sit in `<file>-wal`; closing the store folds them into the file. Set
// `OpenOptions::fail2ban_journal` for fail2ban's exact settings.
//
// Every write runs in one transaction (BEGIN IMMEDIATE ... COMMIT): on an error the
// whole call is undone and nothing committed before is touched. A database locked by
// another process is waited for up to `busy_timeout_ms`, then reported as an error.
// Statements are prepared once and reused. A BanStore may be shared between threads;
// calls are serialized, and a callback must not call back into the same store.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/clock.h"
#include "portcullis/base/error.h"
#include "portcullis/base/json.h"

namespace portcullis::store {

// fail2ban's Fail2BanDb.__version__.
inline constexpr int kSchemaVersion = 4;

struct OpenOptions {
  // true: fail2ban's `synchronous=OFF, journal_mode=MEMORY`; false: WAL (see above).
  bool fail2ban_journal = false;
  // How long a write waits for a lock held by another connection.
  int busy_timeout_ms = 5000;
  // Run SQLite's quick_check on an existing file (about a second per GB).
  bool quick_check = true;
};

// What opening did, for the log.
struct OpenReport {
  enum class Outcome {
    kOpened,     // a version 4 database
    kCreated,    // a new (or empty) file got the schema
    kMigrated,   // an older version was brought to 4
    kRecreated,  // an unusable file was moved aside and a new database created
  };
  Outcome outcome = Outcome::kOpened;
  int old_version = kSchemaVersion;  // the version found (migration)
  std::string backup;                // the copy kept aside, empty when none
  // fail2ban's log lines, in order: "New database created. Version '4'", "Database
  // updated from '2' to '4'", "Database backup created: <file>", "Error opening fail2ban
  // persistent database '<file>': file is not a database", ...
  std::vector<std::string> messages;
};

// One ban to record: fail2ban's addBan of a ticket.
struct NewBan {
  std::string_view jail;
  std::string_view ip;          // the ticket's id as text
  double time = 0;              // the ticket's time; stored as int(round(time)), halves to even
  double bantime = 0;           // the effective ban time; -1 permanent
  int64_t bancount = 1;
  // The ticket data, an object: "matches" (lines, oldest first; trimmed to the last
  // max_matches), "failures", then the captured groups. nullptr stores {}. Written as
  // Python's json.dumps writes it; see ticket_data.h for sets such as "users".
  const json::Value* data = nullptr;
  // The same already written (AppendTicketJson with max_matches applied); when set it
  // is stored as it is and `data` is not read. Lets a queue hold bans compactly.
  std::optional<std::string_view> data_json;
};

// A row of bips (or bans) as read back. Views are valid during the callback only.
struct StoredBan {
  std::string_view ip;
  std::string_view jail;
  double time_of_ban = 0;    // an integer, except in files written by fail2ban 0.9 (v1)
  double bantime = 0;        // -1 permanent, -2 unknown (migrated from before version 3)
  int64_t bancount = 1;
  std::string_view data;     // the JSON text as stored ("{}" when NULL)
};

// The same with its own strings.
struct StoredBanCopy {
  std::string ip;
  std::string jail;
  double time_of_ban = 0;
  double bantime = 0;
  int64_t bancount = 1;
  std::string data;

  static StoredBanCopy Of(const StoredBan& ban);
};

// Which bips rows a restart restores (database.py getCurrentBans' query):
// `timeofban + bantime > fromtime OR bantime <= -1`, plus `timeofban > fromtime -
// forbantime` when forbantime is given and not -1. fail2ban's Jail.restoreCurrentBans
// passes forbantime = the jail's bantime without bantime.increment and none with it.
// Clamping the restored ban time (ban::RestoredBanTime) is the caller's business.
struct CurrentBansQuery {
  std::optional<std::string_view> jail;  // none: every jail, the latest ban of each ip
  std::optional<std::string_view> ip;    // none: every ip
  std::optional<double> forbantime;
  std::optional<double> fromtime;        // none: the clock's now
};

// A previous ban of an ip, for bantime.increment (database.py getBan).
struct BanCount {
  int64_t bancount = 0;      // overalljails: the sum over the ip's jails
  double time_of_ban = 0;    // overalljails: the latest
  double bantime = 0;        // overalljails: the sum (fail2ban's quirk, -1 included)
};

struct BanCountQuery {
  std::string_view ip;
  std::optional<std::string_view> jail;
  bool overalljails = false;
  std::optional<double> forbantime;  // only bans with timeofban > now - forbantime
  std::optional<double> fromtime;    // only bans with timeofban > fromtime
};

// The ban history (`bans`) of an ip or jail, newest first per ip (database.py _getBans,
// the source of the ipmatches/ipfailures action tags).
struct BanHistoryQuery {
  std::optional<std::string_view> jail;
  std::optional<std::string_view> ip;
  std::optional<double> bantime;  // >= 0: only bans with timeofban > now - bantime
};

// A log file's stored place (table logs).
struct LogPosition {
  std::optional<std::string> first_line_hash;  // hex SHA-1 of the first line with its "\n"
  int64_t position = 0;
};

// Rows removed by Purge.
struct PurgeCounts {
  int64_t bans = 0;
  int64_t bips = 0;
  int64_t jails = 0;
};

class BanStore {
 public:
  // Opens or creates the database at `path` (":memory:" for one in memory), migrating
  // or recreating it as described above, and disables every jail. `clock` must outlive
  // the store. Errors name the file: "cannot open database: unable to open database
  // file", "database version 5 is newer than portcullis knows (4)", and whatever
  // SQLite says when creating, migrating or moving aside failed.
  static Result<BanStore> Open(std::string path, const Clock& clock, OpenOptions options = {});

  BanStore(BanStore&&) noexcept;
  BanStore& operator=(BanStore&&) noexcept;
  ~BanStore();

  const std::string& path() const;
  const OpenReport& open_report() const;

  // dbmaxmatches: how many matches a ban keeps (default 10; 0 drops them).
  void set_max_matches(int max_matches);
  int max_matches() const;
  // dbpurgeage in seconds (default 86400).
  void set_purge_age(double seconds);
  double purge_age() const;

  // Jails (fail2ban's addJail/delJail/delAllJails/getJailNames): added or enabled
  // again; disabled (purged later when it has no bans left); all disabled.
  Result<void> AddJail(std::string_view jail);
  Result<void> DisableJail(std::string_view jail);
  Result<void> DisableAllJails();
  // The jails' names, sorted; only enabled (or disabled) ones when `enabled` is given.
  Result<std::vector<std::string>> JailNames(std::optional<bool> enabled = std::nullopt);

  // Log positions. AddLog is fail2ban's addLog: the stored position when the log is
  // known and its stored hash equals `first_line_hash` (or no hash is given), else
  // nullopt; it records `position` and the hash when none is stored yet. The jail must
  // have been added (error "FOREIGN KEY constraint failed").
  Result<std::optional<int64_t>> AddLog(std::string_view jail, std::string_view path,
                                        std::optional<std::string_view> first_line_hash,
                                        int64_t position = 0);
  // Records the hash and position of a log (updateLog).
  Result<void> UpdateLog(std::string_view jail, std::string_view path,
                         std::optional<std::string_view> first_line_hash, int64_t position);
  // The stored row of a log, nullopt when there is none.
  Result<std::optional<LogPosition>> GetLog(std::string_view jail, std::string_view path);
  // The logs' paths, sorted (all jails when `jail` is not given).
  Result<std::vector<std::string>> LogPaths(std::optional<std::string_view> jail = std::nullopt);

  // Records a ban: a row in bans and the ip's row in bips (replaced). The jail must
  // exist. Error: "cannot add ban of <ip> in jail '<jail>': <why>".
  Result<void> AddBan(const NewBan& ban);
  // Records many bans in one transaction; on an error none of them is recorded.
  Result<void> AddBans(std::span<const NewBan> bans);
  // Removes an ip's rows from bans and bips (unban by command); returns the bips rows
  // removed. DeleteBans with no ips removes every ban of the jail.
  Result<int64_t> DeleteBans(std::string_view jail, std::span<const std::string_view> ips);
  Result<int64_t> DeleteAllBans(std::string_view jail);

  // Calls `row` for each ban to restore (see CurrentBansQuery), ordered by ip; no
  // allocation per row. Returns the number of rows.
  Result<int64_t> ForEachCurrentBan(const CurrentBansQuery& query,
                                    const std::function<void(const StoredBan&)>& row);
  Result<std::vector<StoredBanCopy>> CurrentBans(const CurrentBansQuery& query);
  // The ip's previous ban (nullopt when none) for bantime.increment.
  Result<std::optional<BanCount>> GetBanCount(const BanCountQuery& query);
  // Calls `row` for each recorded ban (table bans) matching the query, ordered by ip,
  // newest first. `bantime` and `bancount` of a StoredBan are not read (0, 1).
  Result<int64_t> ForEachBanInHistory(const BanHistoryQuery& query,
                                      const std::function<void(const StoredBan&)>& row);

  // fail2ban's hourly purge: bans older than purge_age; bips that are not permanent
  // and whose timeofban and timeofban + 3 * bantime are both before now - purge_age;
  // disabled jails without bans (and, by cascade, their logs).
  Result<PurgeCounts> Purge();

 private:
  struct Impl;
  explicit BanStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace portcullis::store
