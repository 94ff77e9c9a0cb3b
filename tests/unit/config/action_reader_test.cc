#include "portcullis/config/action_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "temp_config.h"

namespace portcullis::config {
namespace {

const std::string kStock = std::string(PORTCULLIS_CORPUS_DIR) + "/config";

ActionRequest Request(std::string name, OptionMap options = {}) {
  ActionRequest request;
  request.basedir = kStock;
  request.name = std::move(name);
  request.jail = "sshd";
  request.options = std::move(options);
  return request;
}

std::string Keys(const OptionMap& map) {
  std::string out;
  for (const auto& [key, value] : map) out += (out.empty() ? "" : " ") + key;
  return out;
}

// Expected values are those fail2ban 1.0.2's ActionReader.convert() sends.
TEST(ActionReaderTest, SubstitutesCommandsAndKeepsConditionalAndDynamicTags) {
  auto spec = ReadAction(Request("iptables"));
  ASSERT_TRUE(spec) << spec.error().ToString();
  EXPECT_EQ(spec->actname, "iptables");
  EXPECT_EQ(Keys(spec->definition), "actionstart actionstop actionflush actioncheck actionban actionunban");
  EXPECT_EQ(*spec->definition.Find("actionban"), "<iptables> -I f2b-sshd 1 -s <ip> -j <blocktype>");
  EXPECT_EQ(*spec->definition.Find("actionflush"), "<iptables> -F f2b-sshd");
  EXPECT_EQ(Keys(spec->init),
            "name actname chain port protocol blocktype returntype lockingopt iptables "
            "blocktype?family=inet6 iptables?family=inet6");
  EXPECT_EQ(*spec->init.Find("iptables"), "iptables <lockingopt>");
  EXPECT_EQ(*spec->init.Find("iptables?family=inet6"), "ip6tables <lockingopt>");
  EXPECT_EQ(*spec->combined.Find("known/iptables"), "iptables -w");
  EXPECT_EQ(spec->dynamic_tags, (std::vector<std::string>{"bantime", "blocktype", "ipjailmatches",
                                                          "ipmatches", "iptables", "matches", "timeout"}));
  EXPECT_EQ(spec->files, (std::vector<std::string>{kStock + "/action.d/iptables.conf"}));
}

TEST(ActionReaderTest, MakesTheActionNameUniqueForTheJail) {
  const std::pair<const char*, const char*> rows[] = {
      {"SSH", "iptables-SSH"}, {"sshd-x", "iptables-x"}, {"sshd", "iptables"}};
  for (const auto& [name, actname] : rows) {
    OptionMap options;
    options.Set("name", name);
    auto spec = ReadAction(Request("iptables", options));
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->actname, actname);
  }
  OptionMap given;
  given.Set("actname", "mine");
  auto spec = ReadAction(Request("iptables", given));
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->actname, "mine");
}

TEST(ActionReaderTest, UsesActionOptionsInCommands) {
  OptionMap options;
  options.Set("name", "SSH");
  options.Set("port", "22");
  auto spec = ReadAction(Request("iptables", options));
  ASSERT_TRUE(spec);
  EXPECT_EQ(*spec->definition.Find("actionstop"),
            "for proto in $(echo 'tcp' | sed 's/,/ /g'); do\n<iptables> -D INPUT -p $proto --dport 22 -j f2b-SSH\n"
            "done\n<iptables> -F f2b-SSH\n<iptables> -X f2b-SSH");
}

TEST(ActionReaderTest, ConvertsTheBooleanOptions) {
  auto mail = ReadAction(Request("mail"));
  auto map = ReadAction(Request("nginx-block-map"));
  ASSERT_TRUE(mail && map);
  EXPECT_EQ(mail->norestored, true);
  EXPECT_EQ(mail->actionstart_on_demand, std::nullopt);
  EXPECT_EQ(map->actionstart_on_demand, false);
  EXPECT_EQ(Keys(mail->init), "name actname dest");
  EXPECT_EQ(*mail->definition.Find("actioncheck"), "");
}

TEST(ActionReaderTest, RecognisesPythonActionsWithoutLoadingThem) {
  OptionMap options;
  options.Set("host", "localhost");
  auto spec = ReadAction(Request("smtp.py", options));
  ASSERT_TRUE(spec);
  EXPECT_TRUE(spec->python);
  EXPECT_EQ(spec->actname, "smtp");
  EXPECT_EQ(spec->path, kStock + "/action.d/smtp.py");
  EXPECT_EQ(spec->init.Repr(), "{'host': 'localhost'}");
}

TEST(ActionReaderTest, ReadsAndSubstitutesTheBatchCommands) {
  testing::TempConfig tmp;
  tmp.Write("action.d/set.conf",
            "[Definition]\n"
            "actionban = <cmd> add <set> <ip>\n"
            "actionban_batch = <cmd> add <set> { <ipbatch> }\n"
            "actionunban_batch = %(actionban_batch)s -d\n"
            "other = x\n"
            "[Init]\n"
            "cmd = tool\n"
            "set = s-<name>\n");
  ActionRequest request = Request("set");
  request.basedir = tmp.dir();
  auto spec = ReadAction(request);
  ASSERT_TRUE(spec) << spec.error().ToString();
  EXPECT_EQ(Keys(spec->definition), "actionban actionban_batch actionunban_batch");
  EXPECT_EQ(*spec->definition.Find("actionban_batch"), "tool add s-sshd { <ipbatch> }");
  EXPECT_EQ(*spec->definition.Find("actionunban_batch"), "tool add s-sshd { <ipbatch> } -d");
  EXPECT_EQ(Keys(spec->init), "name actname cmd set");
}

TEST(ActionReaderTest, ReportsAMissingActionAndBadDefinitions) {
  auto missing = ReadAction(Request("nope"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().ToString(), "Found no accessible config files for 'action.d/nope' under " + kStock);
  testing::TempConfig tmp;
  std::string path = tmp.Write("action.d/loop.conf", "[Definition]\nactionban = <x>\n[Init]\nx = <x>\n");
  ActionRequest request = Request("loop");
  request.basedir = tmp.dir();
  auto loop = ReadAction(request);
  ASSERT_FALSE(loop);
  EXPECT_EQ(loop.error().ToString(),
            path + ":2: properties contain self referencing definitions and cannot be resolved, "
                   "fail tag: actionban, found: x: <x>");
}

}  // namespace
}  // namespace portcullis::config
