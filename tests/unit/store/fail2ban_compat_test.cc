// fail2ban itself (Python's Fail2BanDb, when /usr/bin/python3 can import it) reads a
// database portcullis wrote: the migration path back from portcullis to fail2ban.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "portcullis/store/ban_store.h"
#include "portcullis/store/ticket_data.h"
#include "store_fixture.h"

namespace portcullis::store {
namespace {

using testing::kTestNow;
using testing::StoreTest;

constexpr const char* kPython = "/usr/bin/python3";

// Prints what fail2ban makes of the database at argv[1] at TEST_NOW.
constexpr const char* kReader = R"(import sys, json
from fail2ban.server.database import Fail2BanDb
from fail2ban.server.mytime import MyTime
from fail2ban.tests.dummyjail import DummyJail
MyTime.setTime(1124013600)
db = Fail2BanDb(sys.argv[1])
j = DummyJail(name="sshd")
print("jails", sorted(db.getJailNames()))
for t in db.getCurrentBans(jail=j, forbantime=None, correctBanTime=False):
    print("ban", t.getID(), int(t.getTime()), t.getBanTime(), t.getBanCount(), json.dumps(t.getData(), sort_keys=True))
print("count", db.getBan("192.0.2.1", j))
print("merged", json.dumps(db.getBansMerged("192.0.2.1", j).getData(), sort_keys=True))
print("log", db._addLog(db._db.cursor(), j, "/var/log/auth.log", 0, "6bfa09d82ce3e898ad4641ae13dd4fdb9cf0d76b"))
db.close()
)";

// Writes a ban the way fail2ban 1.0.2 does into a new database at argv[1].
constexpr const char* kWriter = R"(import sys
from fail2ban.server.database import Fail2BanDb
from fail2ban.server.ticket import FailTicket
from fail2ban.tests.dummyjail import DummyJail
db = Fail2BanDb(sys.argv[1])
j = DummyJail(name="sshd")
db.addJail(j)
t = FailTicket("192.0.2.1", 1124013600.5, ["line one", "line \"two\"\t\u00e9"])
t.setAttempt(3)
t.setData('users', {'root'})
t.setData('user', 'root')
t.setBanCount(2)
t.setBanTime(1200)
db.addBan(j, t)
db.updateLog(j, type("C", (), {"getFileName": lambda s: "/var/log/auth.log", "getPos": lambda s: 77,
                               "getHash": lambda s: "6bfa09d82ce3e898ad4641ae13dd4fdb9cf0d76b"})())
db.close()
)";

bool Fail2banImportable() {
  std::string command = std::string(kPython) + " -c 'import fail2ban.server.database' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

std::string RunReader(const std::string& script, const std::string& db) {
  std::string command = std::string(kPython) + " " + script + " " + db + " 2>&1";
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    ::pclose(pipe);
  }
  return out;
}

TEST_F(StoreTest, Fail2banReadsTheBansAndPositionsPortcullisWrote) {
  if (!Fail2banImportable()) GTEST_SKIP() << "fail2ban is not importable by " << kPython;
  std::string path = Path("fail2ban.sqlite3");
  {
    BanStore store = OpenStore(path);
    ASSERT_TRUE(store.AddJail("sshd"));
    std::vector<std::string> users = {"root"};
    json::Value data(json::Object{{"matches", json::Array{"line one", "line \"two\""}},
                                  {"failures", 3},
                                  {"users", PythonListRepr(users)}});
    ASSERT_TRUE(store.AddBan({.jail = "sshd", .ip = "192.0.2.1", .time = kTestNow - 100, .bantime = 1200,
                              .bancount = 2, .data = &data}));
    ASSERT_TRUE(store.AddBan({.jail = "sshd", .ip = "192.0.2.2", .time = kTestNow - 100, .bantime = -1}));
    ASSERT_TRUE(store.UpdateLog("sshd", "/var/log/auth.log", "6bfa09d82ce3e898ad4641ae13dd4fdb9cf0d76b", 4242));
  }
  std::string script = Write("reader.py", kReader);
  std::string out = RunReader(script, path);
  EXPECT_EQ(out,
            "jails ['sshd']\n"
            "ban 192.0.2.1 1124013500 1200 2 {\"failures\": 3, \"matches\": [\"line one\", \"line \\\"two\\\"\"], "
            "\"users\": \"['root']\"}\n"
            "ban 192.0.2.2 1124013500 -1 1 {\"failures\": 0, \"matches\": []}\n"  // FailTicket's defaults
            "count [(2, 1124013500, 1200)]\n"
            "merged {\"failures\": 3, \"matches\": [\"line one\", \"line \\\"two\\\"\"], \"users\": \"['root']\"}\n"
            "log 4242\n");
  // And portcullis reads the file again after fail2ban had it.
  BanStore store = OpenStore(path);
  EXPECT_EQ(store.CurrentBans({.jail = "sshd"})->size(), 2u);
}

TEST_F(StoreTest, PortcullisReadsADatabaseFail2banWroteAndWouldWriteTheSameBytes) {
  if (!Fail2banImportable()) GTEST_SKIP() << "fail2ban is not importable by " << kPython;
  std::string path = Path("fail2ban.sqlite3");
  std::string out = RunReader(Write("writer.py", kWriter), path);
  ASSERT_NE(out.find("New database created. Version '4'"), std::string::npos) << out;
  BanStore store = OpenStore(path);
  EXPECT_EQ(store.open_report().outcome, OpenReport::Outcome::kOpened);
  auto bans = store.CurrentBans({.jail = "sshd", .fromtime = kTestNow});
  ASSERT_TRUE(bans);
  ASSERT_EQ(bans->size(), 1u);
  const StoredBanCopy& ban = (*bans)[0];
  EXPECT_EQ(ban.ip, "192.0.2.1");
  EXPECT_EQ(ban.time_of_ban, kTestNow);  // round(x.5) to even
  EXPECT_EQ(ban.bantime, 1200);
  EXPECT_EQ(ban.bancount, 2);
  std::vector<std::string> users = {"root"};
  json::Value data(json::Object{{"matches", json::Array{"line one", "line \"two\"\t\xc3\xa9"}},
                                {"failures", 3},
                                {"users", PythonListRepr(users)},
                                {"user", "root"}});
  std::string ours;
  AppendTicketJson(data, store.max_matches(), ours);
  EXPECT_EQ(ban.data, ours);
  EXPECT_EQ(*store.AddLog("sshd", "/var/log/auth.log", "6bfa09d82ce3e898ad4641ae13dd4fdb9cf0d76b"), 77);
}

}  // namespace
}  // namespace portcullis::store
