#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "portcullis/store/ban_store.h"
#include "store_fixture.h"

namespace portcullis::store {
namespace {

using testing::Rows;
using testing::StoreTest;
using Outcome = OpenReport::Outcome;

// sqlite_master of a database fail2ban 1.0.2 created (Fail2BanDb("f2b.db"), then
// `SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid`).
const std::vector<std::string> kFail2banSchema = {
    "table|fail2banDb|fail2banDb|CREATE TABLE fail2banDb(version INTEGER)",
    "table|jails|jails|CREATE TABLE jails(name TEXT NOT NULL UNIQUE, enabled INTEGER NOT NULL DEFAULT 1)",
    "index|sqlite_autoindex_jails_1|jails|",
    "index|jails_name|jails|CREATE INDEX jails_name ON jails(name)",
    "table|logs|logs|CREATE TABLE logs(jail TEXT NOT NULL, path TEXT, firstlinemd5 TEXT, lastfilepos INTEGER "
    "DEFAULT 0, FOREIGN KEY(jail) REFERENCES jails(name) ON DELETE CASCADE, UNIQUE(jail, path),UNIQUE(jail, path, "
    "firstlinemd5))",
    "index|sqlite_autoindex_logs_1|logs|",
    "index|sqlite_autoindex_logs_2|logs|",
    "index|logs_path|logs|CREATE INDEX logs_path ON logs(path)",
    "index|logs_jail_path|logs|CREATE INDEX logs_jail_path ON logs(jail, path)",
    "table|bans|bans|CREATE TABLE bans(jail TEXT NOT NULL, ip TEXT, timeofban INTEGER NOT NULL, bantime INTEGER NOT "
    "NULL, bancount INTEGER NOT NULL default 1, data JSON, FOREIGN KEY(jail) REFERENCES jails(name) )",
    "index|bans_jail_timeofban_ip|bans|CREATE INDEX bans_jail_timeofban_ip ON bans(jail, timeofban)",
    "index|bans_jail_ip|bans|CREATE INDEX bans_jail_ip ON bans(jail, ip)",
    "index|bans_ip|bans|CREATE INDEX bans_ip ON bans(ip)",
    "table|bips|bips|CREATE TABLE bips(ip TEXT NOT NULL, jail TEXT NOT NULL, timeofban INTEGER NOT NULL, bantime "
    "INTEGER NOT NULL, bancount INTEGER NOT NULL default 1, data JSON, PRIMARY KEY(ip, jail), FOREIGN KEY(jail) "
    "REFERENCES jails(name) )",
    "index|sqlite_autoindex_bips_1|bips|",
    "index|bips_timeofban|bips|CREATE INDEX bips_timeofban ON bips(timeofban)",
    "index|bips_ip|bips|CREATE INDEX bips_ip ON bips(ip)",
};

const char* kSchemaQuery = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid";

std::vector<std::string> Sorted(std::vector<std::string> rows) {
  std::sort(rows.begin(), rows.end());
  return rows;
}

TEST_F(StoreTest, NewDatabaseHasFail2bansSchemaTextAndVersion4) {
  std::string path = Path("fail2ban.sqlite3");
  {
    BanStore store = OpenStore(path);
    EXPECT_EQ(store.open_report().outcome, Outcome::kCreated);
    EXPECT_EQ(store.open_report().messages, std::vector<std::string>{"New database created. Version '4'"});
  }
  EXPECT_EQ(Rows(path, kSchemaQuery), kFail2banSchema);
  EXPECT_EQ(Rows(path, "SELECT version FROM fail2banDb"), std::vector<std::string>{"4"});
}

TEST_F(StoreTest, UsesWalByDefaultAndFail2bansJournalOnRequest) {
  BanStore wal = OpenStore(Path("wal.db"));
  EXPECT_EQ(Rows(Path("wal.db"), "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
  BanStore memory = OpenStore(Path("f2b.db"), {.fail2ban_journal = true});
  // MEMORY is a property of the connection: the file itself stays a rollback-journal file.
  EXPECT_EQ(Rows(Path("f2b.db"), "PRAGMA journal_mode"), std::vector<std::string>{"delete"});
  EXPECT_EQ(Rows(Path("f2b.db"), kSchemaQuery), kFail2banSchema);
}

TEST_F(StoreTest, ReopeningAVersion4DatabaseKeepsItsBansAndDisablesEveryJail) {
  std::string path = Path("db");
  {
    BanStore store = OpenStore(path);
    ASSERT_TRUE(store.AddJail("sshd"));
    ASSERT_TRUE(store.AddBan({.jail = "sshd", .ip = "192.0.2.1", .time = testing::kTestNow, .bantime = 600}));
    EXPECT_EQ(*store.JailNames(true), std::vector<std::string>{"sshd"});
  }
  BanStore store = OpenStore(path);
  EXPECT_EQ(store.open_report().outcome, Outcome::kOpened);
  EXPECT_TRUE(store.open_report().messages.empty());
  EXPECT_EQ(*store.JailNames(true), std::vector<std::string>{});
  EXPECT_EQ(*store.JailNames(false), std::vector<std::string>{"sshd"});
  EXPECT_EQ(store.CurrentBans({.jail = "sshd"})->size(), 1u);
}

TEST_F(StoreTest, MigratesFail2ban09VersionOneDatabaseWithItsBan) {
  std::string path = CopyCorpus("database_v1.db");
  {
    BanStore store = OpenStore(path);
    const OpenReport& report = store.open_report();
    EXPECT_EQ(report.outcome, Outcome::kMigrated);
    EXPECT_EQ(report.old_version, 1);
    EXPECT_EQ(report.backup, path + ".20050814-100000");
    EXPECT_EQ(report.messages, (std::vector<std::string>{
                                   "Upgrade database: " + path + ".20050814-100000 from version '1'",
                                   "  Database backup created: " + path + ".20050814-100000",
                                   "Database updated from '1' to '4'"}));
    // fail2ban 0.9 stored a fractional time; the migrated ban has an unknown ban time (-2).
    auto bans = store.CurrentBans({.jail = "DummyJail #29162448 with 0 tickets"});
    ASSERT_TRUE(bans);
    ASSERT_EQ(bans->size(), 1u);
    EXPECT_EQ((*bans)[0].ip, "127.0.0.1");
    EXPECT_NEAR((*bans)[0].time_of_ban, 1388009242.25932, 1e-5);
    EXPECT_EQ((*bans)[0].bantime, -2);
    EXPECT_EQ((*bans)[0].bancount, 1);
    EXPECT_EQ((*bans)[0].data, R"({"matches": ["abc\n"], "failures": 0})");
    auto position = store.GetLog("DummyJail #29162448 with 0 tickets", "/var/log/cron");
    ASSERT_TRUE(position && *position);
    EXPECT_EQ((*position)->first_line_hash, "47df75f52bee6d4c9f853c03b54ed10b");
  }
  EXPECT_EQ(Sorted(Rows(path, kSchemaQuery)), Sorted(kFail2banSchema));
  EXPECT_EQ(Rows(path, "SELECT version FROM fail2banDb"), std::vector<std::string>{"4"});
  EXPECT_EQ(Rows(path, "SELECT count(*) FROM logs"), std::vector<std::string>{"3"});
  // The copy is the untouched version 1 file.
  EXPECT_EQ(Rows(path + ".20050814-100000", "SELECT version FROM fail2banDb"), std::vector<std::string>{"1"});
}

TEST_F(StoreTest, MigratesFail2ban09VersionTwoDatabaseWithItsBans) {
  std::string path = CopyCorpus("database_v2.db");
  {
    BanStore store = OpenStore(path);
    EXPECT_EQ(store.open_report().outcome, Outcome::kMigrated);
    EXPECT_EQ(store.open_report().old_version, 2);
    auto bans = store.CurrentBans({.jail = "pam-generic"});
    ASSERT_TRUE(bans);
    ASSERT_EQ(bans->size(), 2u);
    EXPECT_EQ((*bans)[0].ip, "1.2.3.7");
    EXPECT_EQ((*bans)[0].time_of_ban, 1417595494);
    EXPECT_EQ((*bans)[0].bantime, -2);
    EXPECT_EQ((*bans)[1].ip, "1.2.3.8");
    EXPECT_EQ((*bans)[1].time_of_ban, 1417596235);
    EXPECT_NE((*bans)[1].data.find(R"("failures": 3})"), std::string::npos);
    EXPECT_EQ(*store.AddLog("pam-generic", "/var/log/auth.log", "6c187bc8cb287130973fd01e9a2433e7"), 46771);
    // The history came along: two rows in bans.
    int64_t history = *store.ForEachBanInHistory({.jail = "pam-generic"}, [](const StoredBan&) {});
    EXPECT_EQ(history, 2);
  }
  EXPECT_EQ(Sorted(Rows(path, kSchemaQuery)), Sorted(kFail2banSchema));
}

TEST_F(StoreTest, KeepsAFileThatIsNoDatabaseAsideAndStartsAnew) {
  std::string path = Write("fail2ban.sqlite3", std::string(4096, 'x'));
  BanStore store = OpenStore(path);
  const OpenReport& report = store.open_report();
  std::string backup = path + ".20050814-100000";
  EXPECT_EQ(report.outcome, Outcome::kRecreated);
  EXPECT_EQ(report.backup, backup);
  EXPECT_EQ(report.messages, (std::vector<std::string>{
                                 "Error opening fail2ban persistent database '" + path + "': file is not a database",
                                 "Trying to repair database " + path,
                                 "  Database backup created: " + backup,
                                 "New database created. Version '4'"}));
  EXPECT_TRUE(store.AddJail("sshd"));
  std::string kept;
  std::getline(std::ifstream(backup), kept);
  EXPECT_EQ(kept, std::string(4096, 'x'));
}

TEST_F(StoreTest, KeepsADatabaseWithAnIncompatibleTableAsideAndStartsAnew) {
  std::string path = Path("db");
  {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "CREATE TABLE fail2banDb(version INTEGER); INSERT INTO fail2banDb VALUES(4);"
                 "CREATE TABLE bips(ip TEXT, jail TEXT)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  BanStore store = OpenStore(path);
  EXPECT_EQ(store.open_report().outcome, Outcome::kRecreated);
  EXPECT_EQ(store.open_report().messages[0],
            "Error opening fail2ban persistent database '" + path + "': table bips has no column timeofban");
  EXPECT_EQ(Rows(path, kSchemaQuery), kFail2banSchema);
}

TEST_F(StoreTest, KeepsADatabaseThatFailsTheIntegrityCheckAside) {
  std::string path = Path("db");
  {
    BanStore store = OpenStore(path, {.fail2ban_journal = true});
    ASSERT_TRUE(store.AddJail("sshd"));
    for (int i = 0; i < 2000; ++i) {
      std::string ip = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
      ASSERT_TRUE(store.AddBan({.jail = "sshd", .ip = ip, .time = testing::kTestNow, .bantime = 600}));
    }
  }
  {  // overwrite a page in the middle with garbage
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(20 * 4096);
    file << std::string(4096, '\x5a');
  }
  BanStore store = OpenStore(path);
  EXPECT_EQ(store.open_report().outcome, Outcome::kRecreated);
  EXPECT_EQ(store.CurrentBans({.jail = "sshd"})->size(), 0u);
  EXPECT_TRUE(std::filesystem::exists(path + ".20050814-100000"));
}

TEST_F(StoreTest, AnEmptyFileBecomesANewDatabase) {
  std::string path = Write("db", "");
  BanStore store = OpenStore(path);
  EXPECT_EQ(store.open_report().outcome, Outcome::kCreated);
  EXPECT_EQ(Files(), std::vector<std::string>({"db", "db-shm", "db-wal"}));
}

TEST_F(StoreTest, RefusesADatabaseFromAFutureVersionAndLeavesItAlone) {
  std::string path = Path("db");
  {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "CREATE TABLE fail2banDb(version INTEGER); INSERT INTO fail2banDb VALUES(5)", nullptr, nullptr,
                 nullptr);
    sqlite3_close(db);
  }
  auto store = BanStore::Open(path, clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().ToString(), path + ": database version 5 is newer than portcullis knows (4)");
  EXPECT_EQ(Files(), std::vector<std::string>{"db"});
}

TEST_F(StoreTest, ReportsAFolderThatDoesNotExist) {
  auto store = BanStore::Open(Path("missing/db"), clock_);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().ToString(), Path("missing/db") + ": cannot open database: unable to open database file");
}

TEST_F(StoreTest, InMemoryDatabaseWorksWithoutAFile) {
  BanStore store = OpenStore(":memory:");
  EXPECT_EQ(store.open_report().outcome, Outcome::kCreated);
  ASSERT_TRUE(store.AddJail("sshd"));
  ASSERT_TRUE(store.AddBan({.jail = "sshd", .ip = "192.0.2.1", .time = testing::kTestNow, .bantime = 600}));
  EXPECT_EQ(store.CurrentBans({.jail = "sshd"})->size(), 1u);
  EXPECT_TRUE(Files().empty());
}

}  // namespace
}  // namespace portcullis::store
