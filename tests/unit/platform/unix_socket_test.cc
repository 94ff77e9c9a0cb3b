#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "portcullis/platform/unix_client.h"
#include "portcullis/platform/unix_server.h"

namespace portcullis::platform {
namespace {

using namespace std::chrono_literals;

class UnixSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "portcullis-socket-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/control.sock";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A server answering "echo:<line>", "bye" (then closing) to "quit".
  UnixServer StartEcho(UnixServerOptions options = {}) {
    auto server = UnixServer::Listen(path_, options);
    EXPECT_TRUE(server) << server.error().ToString();
    auto started = server->Start([this](std::string_view line, bool too_long) {
      ++requests_;
      if (too_long) return LineReply{"too long: " + std::to_string(line.size()), false};
      if (line == "quit") return LineReply{"bye", true};
      return LineReply{"echo:" + std::string(line), false};
    });
    EXPECT_TRUE(started) << started.error().ToString();
    return std::move(*server);
  }

  UnixClient Connect() {
    auto client = UnixClient::Connect(path_, 2s);
    EXPECT_TRUE(client) << client.error().ToString();
    return std::move(*client);
  }

  std::string Ask(UnixClient& client, std::string_view line) {
    auto sent = client.SendLine(line);
    if (!sent) return "send failed: " + sent.error().ToString();
    auto reply = client.ReceiveLine(2s);
    return reply ? *reply : "receive failed: " + reply.error().ToString();
  }

  std::string dir_;
  std::string path_;
  std::atomic<int> requests_{0};
};

TEST_F(UnixSocketTest, CreatesTheSocketForItsOwnerOnly) {
  ::umask(0);  // the mode must not depend on the umask
  UnixServer server = StartEcho();
  ::umask(022);
  struct stat st {};
  ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(UnixSocketTest, AnswersSeveralRequestsOnOneConnectionInOrder) {
  UnixServer server = StartEcho();
  UnixClient client = Connect();
  EXPECT_EQ(Ask(client, "one"), "echo:one");
  EXPECT_EQ(Ask(client, "two\r"), "echo:two");
  // Two requests in one write: two replies, in order.
  ASSERT_TRUE(client.SendLine("three\nfour"));
  EXPECT_EQ(client.ReceiveLine(2s).value_or("?"), "echo:three");
  EXPECT_EQ(client.ReceiveLine(2s).value_or("?"), "echo:four");
}

TEST_F(UnixSocketTest, ClosesAfterAReplyThatAsksForIt) {
  UnixServer server = StartEcho();
  UnixClient client = Connect();
  EXPECT_EQ(Ask(client, "quit"), "bye");
  auto next = client.ReceiveLine(2s);
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().ToString(), path_ + ": connection closed by the server");
}

TEST_F(UnixSocketTest, RepliesToATooLongLineThenCloses) {
  UnixServerOptions options;
  options.max_line = 16;
  UnixServer server = StartEcho(options);
  UnixClient client = Connect();
  EXPECT_EQ(Ask(client, std::string(16, 'x')), "echo:xxxxxxxxxxxxxxxx");
  EXPECT_EQ(Ask(client, std::string(17, 'x')), "too long: 16");
  EXPECT_FALSE(client.ReceiveLine(2s));
  // A line that never ends is cut off too, without waiting for its '\n'.
  UnixClient endless = Connect();
  ASSERT_TRUE(endless.SendLine(std::string(1000, 'y')));
  EXPECT_EQ(endless.ReceiveLine(2s).value_or("?"), "too long: 16");
  // The server itself goes on.
  UnixClient next = Connect();
  EXPECT_EQ(Ask(next, "still there"), "echo:still there");
}

TEST_F(UnixSocketTest, RefusesASocketWhereAServerAnswers) {
  UnixServer first = StartEcho();
  auto second = UnixServer::Listen(path_);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().ToString(), path_ + ": socket already in use: a server answers there");
  UnixClient client = Connect();
  EXPECT_EQ(Ask(client, "ping"), "echo:ping");  // the first server is untouched
}

TEST_F(UnixSocketTest, ReplacesAStaleSocket) {
  {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path_.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ::close(fd);  // bound, never listened, closed: what a crashed server leaves
  }
  ASSERT_TRUE(std::filesystem::exists(path_));
  UnixServer server = StartEcho();
  UnixClient client = Connect();
  EXPECT_EQ(Ask(client, "hello"), "echo:hello");
}

TEST_F(UnixSocketTest, LeavesAnythingButASocketAlone) {
  std::ofstream(path_) << "not a socket\n";
  auto server = UnixServer::Listen(path_);
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().ToString(), path_ + ": not a socket; refusing to replace it");
  EXPECT_TRUE(std::filesystem::is_regular_file(path_));
}

TEST_F(UnixSocketTest, ForceReplacesALiveSocket) {
  UnixServer first = StartEcho();
  UnixServerOptions options;
  options.force = true;
  auto second = UnixServer::Listen(path_, options);
  ASSERT_TRUE(second) << second.error().ToString();
  first.Stop();  // must not remove the second server's socket
  EXPECT_TRUE(std::filesystem::exists(path_));
}

TEST_F(UnixSocketTest, StopRemovesTheSocketFile) {
  UnixServer server = StartEcho();
  UnixClient client = Connect();
  EXPECT_EQ(Ask(client, "x"), "echo:x");
  server.Stop();
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_FALSE(client.ReceiveLine(2s));
  server.Stop();  // twice is harmless
}

TEST_F(UnixSocketTest, AHandlerCanStopTheServerAfterItsReply) {
  auto listening = UnixServer::Listen(path_);
  ASSERT_TRUE(listening);
  UnixServer server = std::move(*listening);
  ASSERT_TRUE(server.Start([&server](std::string_view line, bool) {
    if (line == "stop") server.Stop();
    return LineReply{"done", false};
  }));
  UnixClient client = Connect();
  EXPECT_EQ(Ask(client, "stop"), "done");
  EXPECT_FALSE(client.ReceiveLine(2s));
  server.Stop();
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(UnixSocketTest, ClientNamesThePathWhenNobodyListens) {
  auto client = UnixClient::Connect(path_, 1s);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().ToString(), path_ + ": cannot connect: No such file or directory");
  auto too_long = UnixClient::Connect(std::string(200, 'a'), 1s);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().message, "socket path too long (at most 107 bytes)");
}

TEST_F(UnixSocketTest, ClientTimesOutWaitingForAReply) {
  auto server = UnixServer::Listen(path_);  // listening, but never serving
  ASSERT_TRUE(server);
  UnixClient client = Connect();
  ASSERT_TRUE(client.SendLine("anyone?"));
  auto reply = client.ReceiveLine(50ms);
  ASSERT_FALSE(reply);
  EXPECT_EQ(reply.error().ToString(), path_ + ": timed out waiting for a reply");
}

TEST_F(UnixSocketTest, SendsLargeRepliesWhole) {
  std::string big(3 * 1024 * 1024, 'z');
  auto server = UnixServer::Listen(path_);
  ASSERT_TRUE(server);
  ASSERT_TRUE(server->Start([&big](std::string_view, bool) { return LineReply{big, false}; }));
  UnixClient client = Connect();
  EXPECT_EQ(Ask(client, "big").size(), big.size());
  EXPECT_EQ(Ask(client, "again").size(), big.size());
}

}  // namespace
}  // namespace portcullis::platform
