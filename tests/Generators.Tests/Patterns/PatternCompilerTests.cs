using Channels.Generators.Patterns;

namespace Channels.Generators.Tests.Patterns;

public class PatternCompilerTests
{
    [Theory]
    [InlineData("room", nameof(PatternStrategy.Contains))]
    [InlineData("room\\.lobby", nameof(PatternStrategy.Contains))]
    [InlineData("a\\-b\\/c", nameof(PatternStrategy.Contains))]
    [InlineData("", nameof(PatternStrategy.Contains))]
    [InlineData("^room-", nameof(PatternStrategy.Prefix))]
    [InlineData("\\Aroom-", nameof(PatternStrategy.Prefix))]
    [InlineData("-admin$", nameof(PatternStrategy.Suffix))]
    [InlineData("-admin\\z", nameof(PatternStrategy.Suffix))]
    [InlineData("-admin\\Z", nameof(PatternStrategy.Suffix))]
    [InlineData("^lobby$", nameof(PatternStrategy.Exact))]
    [InlineData("^lobby\\z", nameof(PatternStrategy.Exact))]
    [InlineData("^room[.]1$", nameof(PatternStrategy.Exact))]
    [InlineData("^(a|b)$", nameof(PatternStrategy.LiteralAlternation))]
    [InlineData("^(lobby|news)$", nameof(PatternStrategy.LiteralAlternation))]
    [InlineData("^(?:a|b)", nameof(PatternStrategy.LiteralAlternation))]
    [InlineData("foo|bar", nameof(PatternStrategy.LiteralAlternation))]
    [InlineData("^a$|^b", nameof(PatternStrategy.LiteralAlternation))]
    [InlineData("^room-(1|2)-(x|y)$", nameof(PatternStrategy.LiteralAlternation))]
    [InlineData("^room-\\d+$", nameof(PatternStrategy.Automaton))]
    [InlineData("^[a-z0-9_-]+$", nameof(PatternStrategy.Automaton))]
    [InlineData("(?i)^room-", nameof(PatternStrategy.Automaton))]
    [InlineData("\\bchat\\b", nameof(PatternStrategy.Fallback))]
    [InlineData("^\\p{Lu}\\w*", nameof(PatternStrategy.Automaton))]
    [InlineData("a^b", nameof(PatternStrategy.Automaton))]
    [InlineData("(a)\\1", nameof(PatternStrategy.Fallback))]
    [InlineData("(?=a)", nameof(PatternStrategy.Fallback))]
    [InlineData("[a-", nameof(PatternStrategy.Invalid))]
    [InlineData("a{2,1}", nameof(PatternStrategy.Invalid))]
    [InlineData("*a", nameof(PatternStrategy.Invalid))]
    public void Each_form_gets_its_strategy(string pattern, string expected)
    {
        Assert.Equal(expected, PatternCompiler.Compile(pattern).Strategy.ToString());
    }

    [Theory]
    [InlineData("(a)\\1", "backreference \\1")]
    [InlineData("(?<n>a)\\k<n>", "backreference \\k<name>")]
    [InlineData("(?=a)", "lookahead (?=")]
    [InlineData("(?!a)b", "negative lookahead (?!")]
    [InlineData("(?<=a)b", "lookbehind (?<=")]
    [InlineData("(?<!a)b", "negative lookbehind (?<!")]
    [InlineData("(?>a+)b", "atomic group (?>")]
    [InlineData("(?(a)b|c)", "conditional (?(")]
    [InlineData("\\Ga", "\\G anchor")]
    [InlineData("\\bchat\\b", "word boundary \\b")]
    [InlineData("a\\B", "word boundary \\B")]
    [InlineData("a(?m)^b", "inline option (?m)")]
    [InlineData("\\p{IsGreek}", "Unicode block or property \\p{IsGreek}")]
    [InlineData("(?i)^file", "case-insensitive 'i' (depends on the current culture)")]
    [InlineData("(?i)café", "non-ASCII character under (?i)")]
    [InlineData("a{1000}", "too many automaton states")]
    public void Constructs_outside_the_subset_fall_back_with_a_reason(string pattern, string reason)
    {
        var compiled = PatternCompiler.Compile(pattern);

        Assert.Equal(PatternStrategy.Fallback, compiled.Strategy);
        Assert.Equal(reason, compiled.FallbackReason);
        Assert.Null(compiled.Error);
    }

    [Theory]
    [InlineData("[a-", "Unterminated [] set", 0)]
    [InlineData("room-[0-9", "Unterminated [] set", 5)]
    [InlineData("a{2,1}", "Illegal {x,y} with x > y", 1)]
    [InlineData("*a", "Quantifier '*' following nothing", 0)]
    [InlineData("a|+", "Quantifier '+' following nothing", 2)]
    [InlineData("{2}", "Quantifier '{' following nothing", 0)]
    [InlineData("a**", "Nested quantifier '*'", 2)]
    [InlineData("(ab", "Not enough )'s", 0)]
    [InlineData("x(a(b)", "Not enough )'s", 1)]
    [InlineData("ab)", "Too many )'s", 2)]
    [InlineData("ab\\", "Illegal \\ at end of pattern", 2)]
    [InlineData("a\\qb", "Unrecognized escape sequence \\q", 1)]
    [InlineData("\\x4", "Insufficient hex digits", 0)]
    [InlineData("[z-a]", "[x-y] range in reverse order", 1)]
    [InlineData("[a-\\d]", "Cannot include class \\d in character range", 3)]
    [InlineData("(a)\\2", "Reference to undefined group number 2", 3)]
    [InlineData("(?<=a", "Not enough )'s", 0)]
    [InlineData("(?z)", "Unrecognized grouping construct", 0)]
    public void Invalid_patterns_report_the_reason_and_the_offending_offset(string pattern, string error, int offset)
    {
        var compiled = PatternCompiler.Compile(pattern);

        Assert.Equal(PatternStrategy.Invalid, compiled.Strategy);
        Assert.Equal(error, compiled.Error);
        Assert.Equal(offset, compiled.ErrorOffset);
    }

    [Fact]
    public void Invalid_patterns_our_parser_accepts_still_come_out_invalid_with_Regex_message()
    {
        // Our parser stops at the option group; Regex still rejects the pattern.
        var compiled = PatternCompiler.Compile("(?m)a{3,2}");

        Assert.Equal(PatternStrategy.Invalid, compiled.Strategy);
        Assert.Contains("x > y", compiled.Error);
    }

    [Fact]
    public void An_invalid_pattern_has_no_matcher()
    {
        Assert.Null(PatternCompiler.Compile("(").Matcher);
    }

    [Theory]
    [InlineData("[^\\s\\S]")]
    [InlineData("a^b")]
    [InlineData("a\\zb")]
    [InlineData("$a")]
    [InlineData("[^\\w\\W]+x")]
    public void Patterns_no_input_can_match_are_flagged(string pattern)
    {
        var compiled = PatternCompiler.Compile(pattern);

        Assert.Equal(PatternStrategy.Automaton, compiled.Strategy);
        Assert.True(compiled.NeverMatches);
        Assert.Contains("=> false;", compiled.Matcher);
    }

    [Theory]
    [InlineData("^room-\\d+$")]
    [InlineData("a$\\n")]
    [InlineData("^$")]
    [InlineData("room")]
    public void Matchable_patterns_are_not_flagged(string pattern)
    {
        Assert.False(PatternCompiler.Compile(pattern).NeverMatches);
    }

    [Fact]
    public void Compiled_patterns_are_equal_by_value()
    {
        Assert.Equal(PatternCompiler.Compile("^room-\\d+$"), PatternCompiler.Compile("^room-\\d+$"));
        Assert.NotEqual(PatternCompiler.Compile("^room-\\d+$"), PatternCompiler.Compile("^room-\\d*$"));
    }

    [Fact]
    public void Literal_matchers_are_ordinal_string_calls()
    {
        Assert.Contains(
            "s.StartsWith(\"room-\", global::System.StringComparison.Ordinal)",
            PatternCompiler.Compile("^room-").Matcher);
        Assert.Contains(
            "s == \"lobby\" || s == \"lobby\\n\"",
            PatternCompiler.Compile("^lobby$").Matcher);
        Assert.Contains(
            "s.EndsWith(\"-admin\", global::System.StringComparison.Ordinal) || s.EndsWith(\"-admin\\n\", global::System.StringComparison.Ordinal)",
            PatternCompiler.Compile("-admin$").Matcher);
    }

    [Fact]
    public void Automaton_matcher_quotes_the_pattern_and_reads_as_a_state_switch()
    {
        var text = PatternCompiler.Compile("^room-\\d+$").Matcher;

        Assert.StartsWith("// Pattern: ^room-\\d+$\n", text);
        Assert.Contains("internal static bool IsMatch(string s)", text);
        Assert.Contains("switch (state)", text);
        Assert.Contains("global::System.Globalization.UnicodeCategory.DecimalDigitNumber", text);
    }

    [Fact]
    public void Backtracking_fallback_declares_a_Regex_field_with_a_timeout_and_catches_everything()
    {
        var text = PatternCompiler.Compile("(a)\\1").Matcher;

        Assert.Contains("private static readonly global::System.Text.RegularExpressions.Regex Regex =", text);
        Assert.Contains("new global::System.Text.RegularExpressions.Regex(\"(a)\\\\1\", global::System.Text.RegularExpressions.RegexOptions.None, global::System.TimeSpan.FromMilliseconds(100));", text);
        Assert.Contains("return Regex.IsMatch(s);", text);
        Assert.Contains("catch (global::System.Exception)", text);
    }

    [Fact]
    public void Fallback_of_a_pattern_NonBacktracking_supports_uses_it_without_a_timeout()
    {
        var text = PatternCompiler.Compile("(?m)^a$").Matcher;

        Assert.Contains("new global::System.Text.RegularExpressions.Regex(\"(?m)^a$\", global::System.Text.RegularExpressions.RegexOptions.NonBacktracking);", text);
        Assert.Contains("catch (global::System.Exception)", text);
    }

    [Fact]
    public void Pattern_in_the_comment_cannot_break_out_of_it()
    {
        var text = PatternCompiler.Compile("a\nb\u2028c").Matcher;

        Assert.StartsWith("// Pattern: a\\u000Ab\\u2028c\n", text);
    }
}
