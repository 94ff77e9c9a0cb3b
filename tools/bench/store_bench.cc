// portcullis-store-bench: the ban database under a ban storm and a restart.
//
//   portcullis-store-bench [--bans N] [--batch N] [--fail2ban-journal] [--file PATH]
//
// Adds N bans (default 300,000) to a fresh database in batches (default 10,000), each
// with one matched line as ticket data, closes it, reopens it (schema checks and
// quick_check included) and restores every ban with ForEachCurrentBan, then looks up
// the ban count of 10,000 ips. Prints the time of each step. --fail2ban-journal uses
// fail2ban's synchronous=OFF + journal_mode=MEMORY instead of WAL + synchronous=NORMAL.

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "portcullis/base/clock.h"
#include "portcullis/store/ban_store.h"

using namespace portcullis;

namespace {

// Process CPU seconds: on a shared machine the wall time also counts other programs.
double Cpu() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string IpOf(int i) {
  return "10." + std::to_string(i >> 16) + "." + std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255);
}

int Report(const Error& error) {
  std::fprintf(stderr, "portcullis-store-bench: %s\n", error.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int bans = 300000, batch_size = 10000;
  store::OpenOptions options;
  std::string path = (std::filesystem::temp_directory_path() / "portcullis-store-bench.sqlite3").string();
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--bans" && i + 1 < argc) bans = std::atoi(argv[++i]);
    else if (arg == "--batch" && i + 1 < argc) batch_size = std::atoi(argv[++i]);
    else if (arg == "--file" && i + 1 < argc) path = argv[++i];
    else if (arg == "--fail2ban-journal") options.fail2ban_journal = true;
    else {
      std::fprintf(stderr, "usage: portcullis-store-bench [--bans N] [--batch N] [--fail2ban-journal] [--file PATH]\n");
      return 2;
    }
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  SystemClock clock;
  double now = clock.Now();
  json::Value data(json::Object{
      {"matches", json::Array{"Aug 14 11:59:59 host sshd[1]: Failed password for root from 10.0.0.1 port 22 ssh2"}},
      {"failures", 3}});

  auto start = std::chrono::steady_clock::now();
  double cpu = Cpu();
  {
    auto store = store::BanStore::Open(path, clock, options);
    if (!store) return Report(store.error());
    if (auto added = store->AddJail("sshd"); !added) return Report(added.error());
    std::vector<std::string> ips;
    std::vector<store::NewBan> batch;
    for (int first = 0; first < bans; first += batch_size) {
      int last = std::min(bans, first + batch_size);
      ips.clear();
      batch.clear();
      for (int i = first; i < last; ++i) ips.push_back(IpOf(i));
      for (int i = first; i < last; ++i) {
        batch.push_back({.jail = "sshd", .ip = ips[i - first], .time = now - i % 500, .bantime = 3600,
                         .bancount = 1, .data = &data});
      }
      if (auto added = store->AddBans(batch); !added) return Report(added.error());
    }
  }
  double write = Since(start), write_cpu = Cpu() - cpu;
  start = std::chrono::steady_clock::now();
  auto store = store::BanStore::Open(path, clock, options);
  if (!store) return Report(store.error());
  double open = Since(start);
  start = std::chrono::steady_clock::now();
  cpu = Cpu();
  int64_t bytes = 0;
  auto restored = store->ForEachCurrentBan({.jail = "sshd", .forbantime = 3600},
                                           [&](const store::StoredBan& ban) { bytes += ban.data.size(); });
  if (!restored) return Report(restored.error());
  double read = Since(start), read_cpu = Cpu() - cpu;
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10000; ++i) {
    std::string ip = IpOf(i * 7 % bans);
    if (auto count = store->GetBanCount({.ip = ip, .jail = "sshd"}); !count) return Report(count.error());
  }
  double lookups = Since(start);
  std::printf("%d bans in batches of %d (%s): written in %.2f s (CPU %.2f s), reopened in %.2f s, %lld restored "
              "in %.2f s (CPU %.2f s), 10000 ban counts in %.2f s; file %.1f MB\n",
              bans, batch_size, options.fail2ban_journal ? "synchronous=OFF, journal MEMORY" : "WAL, synchronous=NORMAL",
              write, write_cpu, open, static_cast<long long>(*restored), read, read_cpu, lookups,
              static_cast<double>(std::filesystem::file_size(path)) / 1e6);
  return 0;
}
