// Opening the database the way fail2ban's Fail2BanDb._connectDB, updateDb and repairDB
// do: create, migrate, or keep an unusable file aside and start again.

#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include "portcullis/store/ban_store.h"
#include "store/impl.h"
#include "store/schema.h"

namespace fs = std::filesystem;

namespace portcullis::store {
namespace {

constexpr std::string_view kMemory = ":memory:";

// fail2ban's backup name: <file>.<YYYYmmdd-HHMMSS> in UTC.
std::string BackupName(const std::string& path, const Clock& clock) {
  std::time_t now = static_cast<std::time_t>(clock.Now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  return path + "." + stamp;
}

bool Unusable(int rc) { return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT; }

// A failure that says nothing about the file (a lock, a full disk, permissions): it
// is reported, and the file is left alone.
bool Transient(int rc) {
  switch (rc) {
    case SQLITE_BUSY: case SQLITE_LOCKED: case SQLITE_IOERR: case SQLITE_FULL:
    case SQLITE_READONLY: case SQLITE_PERM: case SQLITE_CANTOPEN: case SQLITE_NOMEM:
      return true;
    default:
      return false;
  }
}

// What the file holds, read the way _connectDB reads it.
struct Found {
  std::optional<int> version;  // none: no fail2banDb table (or no row in it)
  std::string unusable;        // why the file cannot be used, empty when it can
};

Result<Found> ReadVersion(sql::Connection& db) {
  auto stmt = db.Prepare("SELECT version FROM fail2banDb LIMIT 1", "cannot read the version");
  if (!stmt) {
    if (Unusable(db.last_failure())) return Found{{}, sqlite3_errmsg(db.handle())};
    if (db.last_failure() == SQLITE_ERROR) return Found{};  // no such table
    return std::unexpected(stmt.error());
  }
  int rc = (*stmt)->Step();
  Found found;
  if (rc == SQLITE_ROW) {
    if ((*stmt)->IsNull(0)) {
      found.unusable = "no schema version";
    } else {
      found.version = static_cast<int>((*stmt)->Int(0));
    }
  } else if (Unusable(rc)) {
    found.unusable = sqlite3_errstr(rc);
  } else if (rc != SQLITE_DONE) {
    return std::unexpected(db.Fail("cannot read the version", rc));
  }
  (*stmt)->Reset();
  return found;
}

Result<void> SetPragmas(sql::Connection& db, const OpenOptions& options) {
  // synchronous=OFF is only safe with fail2ban's in-memory journal and its repairs;
  // with WAL, NORMAL syncs at checkpoints only and never leaves a corrupt file. A page
  // cache of 16 MiB (taken as needed) keeps the indexes of a ban storm in memory: with
  // SQLite's 2 MiB, 300,000 bans cost 70 % more CPU in re-reading index pages.
  std::string pragmas = "PRAGMA foreign_keys = ON;PRAGMA temp_store = MEMORY;PRAGMA cache_size = -16384;";
  pragmas += options.fail2ban_journal ? "PRAGMA synchronous = OFF" : "PRAGMA synchronous = NORMAL";
  return db.Exec(pragmas, "cannot set up the database");
}

Result<void> SetJournal(sql::Connection& db, const OpenOptions& options) {
  // The mode SQLite could not switch to (a WAL file on a file system without shared
  // memory, :memory:) is no error: SQLite keeps a mode that works.
  auto mode = db.QueryText(options.fail2ban_journal ? "PRAGMA journal_mode = MEMORY" : "PRAGMA journal_mode = WAL",
                           "cannot set the journal mode");
  if (!mode) return std::unexpected(mode.error());
  return {};
}

// fail2ban copies the file before an upgrade (updateDb), once per name.
Result<void> CopyBeforeUpgrade(const std::string& path, const std::string& backup, OpenReport& report) {
  if (path == kMemory || fs::exists(backup)) return {};
  std::error_code ec;
  fs::copy_file(path, backup, ec);
  if (ec) return Fail("cannot keep a copy before the upgrade as " + backup + ": " + ec.message(), path);
  report.messages.push_back("  Database backup created: " + backup);
  report.backup = backup;
  return {};
}

// repairDB's first step: the unusable file (with its journal files) is moved to the
// backup name; when a backup of that name exists already, the file is removed.
Result<void> KeepAside(const std::string& path, const std::string& backup, OpenReport& report) {
  std::error_code ec;
  bool keep = !fs::exists(backup);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::string from = path + suffix;
    if (!fs::exists(from, ec)) continue;
    if (keep) fs::rename(from, backup + suffix, ec);
    else fs::remove(from, ec);
    if (ec) return Fail("cannot move the unusable database aside: " + ec.message(), path);
  }
  if (keep) {
    report.messages.push_back("  Database backup created: " + backup);
    report.backup = backup;
  }
  return {};
}

// Brings an open connection to a usable version 4 database. Returns "" when done, or
// why the file is unusable (to be kept aside); an Error when something else failed.
Result<std::string> Prepare(sql::Connection& db, const Clock& clock, const OpenOptions& options,
                            OpenReport& report) {
  if (auto set = SetPragmas(db, options); !set) {
    if (Unusable(db.last_failure())) return std::string(sqlite3_errstr(db.last_failure()));
    return std::unexpected(set.error());
  }
  auto found = ReadVersion(db);
  if (!found) return std::unexpected(found.error());
  if (!found->unusable.empty()) return found->unusable;
  if (found->version && *found->version > kSchemaVersion) {
    return Fail("database version " + std::to_string(*found->version) + " is newer than portcullis knows (" +
                    std::to_string(kSchemaVersion) + ")",
                db.path());
  }
  if (found->version && *found->version < kSchemaVersion) {
    std::string backup = BackupName(db.path(), clock);
    report.messages.push_back("Upgrade database: " + backup + " from version '" +
                              std::to_string(*found->version) + "'");
    if (auto copied = CopyBeforeUpgrade(db.path(), backup, report); !copied) return std::unexpected(copied.error());
    if (auto migrated = schema::Migrate(db, *found->version); !migrated) {
      if (Transient(db.last_failure())) return std::unexpected(migrated.error());
      report.messages.push_back("Failed to upgrade database '" + db.path() + "': " + migrated.error().message);
      return migrated.error().message;
    }
    report.outcome = OpenReport::Outcome::kMigrated;
    report.old_version = *found->version;
    report.messages.push_back("Database updated from '" + std::to_string(*found->version) + "' to '" +
                              std::to_string(kSchemaVersion) + "'");
  }
  auto problem = schema::Check(db);
  if (!problem || !problem->empty()) return problem;
  auto version = schema::Create(db);  // adds what is missing, as repairDB's check does
  if (!version && Transient(db.last_failure())) return std::unexpected(version.error());
  if (!version) return version.error().message;
  if (!found->version) {
    report.outcome = OpenReport::Outcome::kCreated;
    report.messages.push_back("New database created. Version '" + std::to_string(*version) + "'");
  }
  if (options.quick_check && found->version) {
    auto check = db.QueryText("PRAGMA quick_check(1)", "cannot check the database");
    if (!check && !Unusable(db.last_failure())) return std::unexpected(check.error());
    if (!check) return check.error().message;
    if (check->value_or("") != "ok") return "integrity check failed: " + check->value_or("");
  }
  if (auto journal = SetJournal(db, options); !journal) return std::unexpected(journal.error());
  if (auto disabled = db.Exec("UPDATE jails SET enabled=0", "cannot disable the jails"); !disabled) {
    return std::unexpected(disabled.error());
  }
  return std::string();
}

}  // namespace

Result<BanStore> BanStore::Open(std::string path, const Clock& clock, OpenOptions options) {
  OpenReport report;
  auto db = sql::Connection::Open(path, options.busy_timeout_ms);
  if (!db) return std::unexpected(db.error());
  auto problem = Prepare(*db, clock, options, report);
  if (!problem) return std::unexpected(problem.error());
  if (!problem->empty()) {
    std::error_code ec;
    report.messages.push_back("Error opening fail2ban persistent database '" + path + "': " + *problem);
    if (path == kMemory || !fs::is_regular_file(path, ec)) return Fail("unusable database: " + *problem, path);
    report.messages.push_back("Trying to repair database " + path);
    db->Close();  // before the file moves
    if (auto kept = KeepAside(path, BackupName(path, clock), report); !kept) return std::unexpected(kept.error());
    db = sql::Connection::Open(path, options.busy_timeout_ms);
    if (!db) return std::unexpected(db.error());
    OpenReport fresh;
    problem = Prepare(*db, clock, options, fresh);
    if (!problem) return std::unexpected(problem.error());
    if (!problem->empty()) return Fail("recreated database is unusable: " + *problem, path);
    report.messages.insert(report.messages.end(), fresh.messages.begin(), fresh.messages.end());
    report.outcome = OpenReport::Outcome::kRecreated;
  }
  return BanStore(std::make_unique<Impl>(std::move(*db), clock, std::move(report)));
}

}  // namespace portcullis::store
