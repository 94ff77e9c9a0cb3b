#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "portcullis/regex/regex.h"

namespace portcullis::regex {
namespace {

struct TranslationCase {
  const char* python;
  const char* boost;
  bool multiline = false;
};

void PrintTo(const TranslationCase& c, std::ostream* os) { *os << c.python; }

class TranslatesPythonSyntax : public ::testing::TestWithParam<TranslationCase> {};

TEST_P(TranslatesPythonSyntax, ToBoostPerlSyntax) {
  const TranslationCase& c = GetParam();
  auto translated = TranslatePython(c.python, {.multiline = c.multiline});
  ASSERT_TRUE(translated) << translated.error().ToString();
  EXPECT_EQ(*translated, c.boost) << "python: " << c.python;
}

INSTANTIATE_TEST_SUITE_P(
    TranslateTest, TranslatesPythonSyntax,
    ::testing::Values(
        // Named groups, named backreferences and conditionals.
        TranslationCase{R"((?P<user>\w+))", R"((?<user>\w+))"},
        TranslationCase{R"((?P<sep>[-/])\d(?P=sep))", R"((?<sep>[\-/])\d\k<sep>)"},
        TranslationCase{R"((?P<c>x)?(?(c)a|b))", R"((?<c>x)?(?(<c>)a|b))"},
        TranslationCase{R"((x)?(?(1)a|b))", R"((x)?(?(1)a|b))"},
        // {,n} is {0,n}; a brace that is no quantifier is a literal.
        TranslationCase{R"(\(\d{,3}\))", R"(\(\d{0,3}\))"},
        TranslationCase{R"(a{2}b{3,}c{1,4}d{,})", R"(a{2}b{3,}c{1,4}d{0,})"},
        TranslationCase{R"({{(?:\d+,){3}x{y}})", R"(\{\{(?:\d+,){3}x\{y\}\})"},
        TranslationCase{R"(a{})", R"(a\{\})"},
        // Inline flags: a, u and x vanish, i and s stay, m is applied here.
        TranslationCase{"(?iu)abc", "(?i)abc"},
        TranslationCase{"(?u)abc", "abc"},
        TranslationCase{"(?i:a)(?u:b)(?-i:c)", "(?i:a)(?:b)(?-i:c)"},
        TranslationCase{"(?x) a b  # comment\n c", "abc"},
        TranslationCase{"(?x)[ ]\\ x", "[ ] x"},
        TranslationCase{"(?m)^a$", "(?<![^\\n])a(?=\\n|\\z)"},
        TranslationCase{"(?s)a.b", "(?s)a.b"},
        // Anchors, dot, \Z.
        TranslationCase{"^a$", R"(\Aa(?=\n?\z))"},
        TranslationCase{"^a$", R"((?<![^\n])a(?=\n|\z))", true},
        TranslationCase{"a.b", R"(a[^\n]b)"},
        TranslationCase{R"(a\Z)", R"(a\z)"},
        TranslationCase{R"(\Aa\b)", R"(\Aa\b)"},
        TranslationCase{R"(\B)", R"((?!\A\z)(?:(?<=\w)(?=\w)|(?<!\w)(?!\w)))"},
        TranslationCase{R"((?<=^\[)x)", R"((?<=\A\[)x)"},
        // Escapes that mean something else in Boost, or nothing in Python.
        TranslationCase{R"(\<\S+@\S+\>)", R"(\x{3c}\S+@\S+\x{3e})"},
        TranslationCase{R"(\'\`)", R"(\x{27}\x{60})"},
        TranslationCase{R"(\a\f\v\t\n\r)", R"(\x{07}\x{0c}\x{0b}\t\n\r)"},
        TranslationCase{R"(\x41\101\0)", R"(AA\x{00})"},
        TranslationCase{R"(\xe9\u00e9+)", "\xc3\xa9(?:\xc3\xa9)+"},
        TranslationCase{R"((a)(b)\2\1)", R"((a)(b)\g{2}\g{1})"},
        TranslationCase{R"(\-\/\:\ \#)", R"(-/: #)"},
        TranslationCase{R"(\.\*\[\])", R"(\.\*\[\])"},
        TranslationCase{"(?#a comment)x", "x"},
        // A multi-byte character repeats as a whole.
        TranslationCase{"\xc3\xa9+x*", "(?:\xc3\xa9)+x*"},
        TranslationCase{R"(a*?b+?c??d*+)", R"(a*?b+?c??d*+)"},
        // Character classes: items kept, Boost-special characters escaped.
        TranslationCase{R"([\w\-.^_])", R"([\w\-.\^_])"},
        TranslationCase{R"([]a])", R"([\]a])"},
        TranslationCase{R"([^]a])", R"([^\]a])"},
        TranslationCase{R"([[:alpha:]])", R"([\[:alpha:]\])"},
        TranslationCase{R"([a-z0-9-])", R"([a-z0-9\-])"},
        TranslationCase{R"([\b\x00-\x1f\\])", R"([\x{08}\x{00}-\x{1f}\\])"},
        TranslationCase{R"([$.|?*+(){}])", R"([$.|?*+(){}])"},
        TranslationCase{R"([^\n])", R"([^\n])"}));

struct ErrorCase {
  const char* python;
  const char* message;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.python; }

class RejectsWhatPythonRejects : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(RejectsWhatPythonRejects, WithPythonsMessage) {
  const ErrorCase& c = GetParam();
  auto translated = TranslatePython(c.python);
  ASSERT_FALSE(translated) << "python: " << c.python << " -> " << *translated;
  EXPECT_EQ(translated.error().message, c.message);
  EXPECT_EQ(translated.error().fragment, c.python);
}

// Messages as Python 3.11's re module words them.
INSTANTIATE_TEST_SUITE_P(
    TranslateTest, RejectsWhatPythonRejects,
    ::testing::Values(
        ErrorCase{"(abc", "missing ), unterminated subpattern at position 0"},
        ErrorCase{"abc)", "unbalanced parenthesis at position 3"},
        ErrorCase{"[abc", "unterminated character set at position 0"},
        ErrorCase{"(?P<n>a)(?P<n>b)",
                  "redefinition of group name 'n' as group 2; was group 1 at position 12"},
        ErrorCase{"(?P<1n>a)", "bad character in group name '1n' at position 4"},
        ErrorCase{"(?P=x)", "unknown group name 'x' at position 4"},
        ErrorCase{"(?(x)a|b)", "unknown group name 'x' at position 3"},
        ErrorCase{"(a)?(?(1)a|b|c)", "conditional backref with more than two branches at position 12"},
        ErrorCase{"(?<n>a)", "unknown extension ?<n at position 1"},
        ErrorCase{"(?)", "unknown extension ?) at position 1"},
        ErrorCase{"a(?i)b", "global flags not at the start of the expression at position 1"},
        ErrorCase{"(?L)a", "bad inline flags: cannot use 'L' flag with a str pattern at position 3"},
        ErrorCase{"a**", "multiple repeat at position 2"},
        ErrorCase{"a*?+", "multiple repeat at position 3"},
        ErrorCase{"*a", "nothing to repeat at position 0"},
        ErrorCase{"^*", "nothing to repeat at position 1"},
        ErrorCase{"a{2,1}", "min repeat greater than max repeat at position 2"},
        ErrorCase{R"(\e)", R"(bad escape \e at position 0)"},
        ErrorCase{R"(a\z)", R"(bad escape \z at position 1)"},
        ErrorCase{R"(\x4)", R"(incomplete escape \x4 at position 0)"},
        ErrorCase{R"((a)\2)", "invalid group reference 2 at position 4"},
        ErrorCase{R"((a\1))", "cannot refer to an open group at position 2"},
        ErrorCase{R"([\w-.])", R"(bad character range \w-. at position 1)"},
        ErrorCase{R"([z-a])", "bad character range z-a at position 1"},
        ErrorCase{"a\\", "bad escape (end of pattern) at position 1"}));

}  // namespace
}  // namespace portcullis::regex
