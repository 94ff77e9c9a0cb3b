#include "store/schema.h"

#include <charconv>
#include <string>

#include "portcullis/store/ban_store.h"

namespace portcullis::store::schema {
namespace {

// The statements are database.py's texts character for character: SQLite keeps them in
// sqlite_master, and `.schema` of our file should read as fail2ban's.
constexpr std::string_view kFail2banDb = "CREATE TABLE IF NOT EXISTS fail2banDb(version INTEGER);";

constexpr std::string_view kJails =
    "CREATE TABLE IF NOT EXISTS jails("
    "name TEXT NOT NULL UNIQUE, "
    "enabled INTEGER NOT NULL DEFAULT 1"
    ");"
    "CREATE INDEX IF NOT EXISTS jails_name ON jails(name);";

constexpr std::string_view kLogs =
    "CREATE TABLE IF NOT EXISTS logs("
    "jail TEXT NOT NULL, "
    "path TEXT, "
    "firstlinemd5 TEXT, "
    "lastfilepos INTEGER DEFAULT 0, "
    "FOREIGN KEY(jail) REFERENCES jails(name) ON DELETE CASCADE, "
    "UNIQUE(jail, path),"
    "UNIQUE(jail, path, firstlinemd5)"
    ");"
    "CREATE INDEX IF NOT EXISTS logs_path ON logs(path);"
    "CREATE INDEX IF NOT EXISTS logs_jail_path ON logs(jail, path);";

constexpr std::string_view kBans =
    "CREATE TABLE IF NOT EXISTS bans("
    "jail TEXT NOT NULL, "
    "ip TEXT, "
    "timeofban INTEGER NOT NULL, "
    "bantime INTEGER NOT NULL, "
    "bancount INTEGER NOT NULL default 1, "
    "data JSON, "
    "FOREIGN KEY(jail) REFERENCES jails(name) "
    ");"
    "CREATE INDEX IF NOT EXISTS bans_jail_timeofban_ip ON bans(jail, timeofban);"
    "CREATE INDEX IF NOT EXISTS bans_jail_ip ON bans(jail, ip);"
    "CREATE INDEX IF NOT EXISTS bans_ip ON bans(ip);";

constexpr std::string_view kBips =
    "CREATE TABLE IF NOT EXISTS bips("
    "ip TEXT NOT NULL, "
    "jail TEXT NOT NULL, "
    "timeofban INTEGER NOT NULL, "
    "bantime INTEGER NOT NULL, "
    "bancount INTEGER NOT NULL default 1, "
    "data JSON, "
    "PRIMARY KEY(ip, jail), "
    "FOREIGN KEY(jail) REFERENCES jails(name) "
    ");"
    "CREATE INDEX IF NOT EXISTS bips_timeofban ON bips(timeofban);"
    "CREATE INDEX IF NOT EXISTS bips_ip ON bips(ip);";

struct TableColumns {
  const char* table;
  std::initializer_list<const char*> columns;
};

const TableColumns kNeeded[] = {
    {"fail2banDb", {"version"}},
    {"jails", {"name", "enabled"}},
    {"logs", {"jail", "path", "firstlinemd5", "lastfilepos"}},
    {"bans", {"jail", "ip", "timeofban", "bantime", "bancount", "data"}},
    {"bips", {"ip", "jail", "timeofban", "bantime", "bancount", "data"}},
};

Result<bool> TableExists(sql::Connection& db, const char* table) {
  auto found = db.QueryText(
      std::string("SELECT 1 FROM sqlite_master WHERE type='table' AND name='") + table + "'",
      "cannot read the schema");
  if (!found) return std::unexpected(found.error());
  return found->has_value();
}

}  // namespace

Result<int> Create(sql::Connection& db) {
  sql::Transaction transaction(db);
  const char* what = "cannot create the database";
  if (auto begun = transaction.Begin(what); !begun) return std::unexpected(begun.error());
  for (std::string_view script : {kFail2banDb, kJails, kLogs, kBans, kBips}) {
    if (auto done = db.Exec(script, what); !done) return std::unexpected(done.error());
  }
  auto set = db.Exec("INSERT INTO fail2banDb(version) SELECT " + std::to_string(kSchemaVersion) +
                         " WHERE NOT EXISTS (SELECT 1 FROM fail2banDb LIMIT 1)", what);
  if (!set) return std::unexpected(set.error());
  auto version = db.QueryText("SELECT version FROM fail2banDb LIMIT 1", what);
  if (!version) return std::unexpected(version.error());
  if (auto committed = transaction.Commit(what); !committed) return std::unexpected(committed.error());
  int recorded = 0;
  std::string text = version->value_or("");
  std::from_chars(text.data(), text.data() + text.size(), recorded);
  return recorded;
}

Result<void> Migrate(sql::Connection& db, int version) {
  const char* what = "cannot upgrade the database";
  sql::Transaction transaction(db);
  if (auto begun = transaction.Begin(what); !begun) return begun;
  auto logs = TableExists(db, "logs");
  auto bans = TableExists(db, "bans");
  auto bips = TableExists(db, "bips");
  if (!logs || !bans || !bips) return std::unexpected(!logs ? logs.error() : !bans ? bans.error() : bips.error());
  std::string script;
  if (version < 2 && *logs) {  // version 2 added UNIQUE(jail, path, firstlinemd5)
    script += "CREATE TEMPORARY TABLE logs_temp AS SELECT * FROM logs;DROP TABLE logs;";
    script += std::string(kLogs) + "INSERT INTO logs SELECT * from logs_temp;DROP TABLE logs_temp;";
  }
  if (version < 3 && *bans) {  // version 3 added bantime (-2: unknown) and bancount
    script += "CREATE TEMPORARY TABLE bans_temp AS SELECT jail, ip, timeofban, -2 as bantime, "
              "1 as bancount, data FROM bans;DROP TABLE bans;";
    script += std::string(kBans) + "INSERT INTO bans SELECT * from bans_temp;DROP TABLE bans_temp;";
  }
  if (version < 4 && !*bips) {  // version 4 added bips, filled from the history
    script += kBips;
    // fail2ban copies every row; a NULL ip (possible in bans) would fail bips' NOT NULL
    // and with it the whole upgrade, so such rows stay in the history only.
    if (*bans) {
      script += "INSERT OR REPLACE INTO bips(ip, jail, timeofban, bantime, bancount, data)"
                "  SELECT ip, jail, timeofban, bantime, bancount, data FROM bans"
                " WHERE ip IS NOT NULL order by timeofban;";
    }
  }
  script += "UPDATE fail2banDb SET version = " + std::to_string(kSchemaVersion) + ";";
  if (auto done = db.Exec(script, what); !done) return done;
  return transaction.Commit(what);
}

Result<std::string> Check(sql::Connection& db) {
  for (const auto& [table, columns] : kNeeded) {
    auto exists = TableExists(db, table);
    if (!exists) return std::unexpected(exists.error());
    if (!*exists) continue;  // Create adds it
    for (const char* column : columns) {
      auto found = db.QueryText(std::string("SELECT 1 FROM pragma_table_info('") + table +
                                    "') WHERE name='" + column + "'",
                                "cannot read the schema");
      if (!found) return std::unexpected(found.error());
      if (!found->has_value()) {
        return std::string("table ") + table + " has no column " + column;
      }
    }
  }
  return std::string();
}

}  // namespace portcullis::store::schema
