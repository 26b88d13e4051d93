using System.Text.RegularExpressions;
using Channels.Generators.Patterns;
using CsCheck;
using Xunit.Abstractions;

namespace Channels.Generators.Tests.Patterns;

/// <summary>
/// Every compiled capture extractor is compiled, loaded and run against <c>Regex.Match(s).Groups[name].Value</c>
/// on generated inputs the pattern matches: the generated code must capture what Regex captures.
/// </summary>
public class CaptureDifferentialTests(ITestOutputHelper output)
{
    /// <summary>Patterns with named groups, and whether their groups are extracted without a Regex.</summary>
    public static readonly TheoryData<string, bool> Patterns = new()
    {
        { @"^room-(?<roomId>\d+)$", true },
        { @"^user:(?<user>[^:]+):inbox$", true },
        { @"^user:(?<user>[^:]+):(?<box>[a-z]+)\z", true },
        { @"^big-(?<id>-?\d+)-(?<key>[0-9a-f-]+)$", true },
        { @"^(?<a>[a-z]{2})(?<b>\d*)$", true },
        { @"^(?<a>[a-z]{2})-(?<b>\d*)$", true },
        { @"^x(?<all>.+)$", true },
        { @"^x(?<all>[^\n]*)$", true },
        { @"^(?<lang>[a-z]{2})/(?<n>\d{1,4})\.json$", true },
        { @"^doc-(?<id>[0-9]+)", false },
        { @"^(?:a|b)-(?<n>\d+)$", false },
        { @"room-(?<n>\d+)$", false },
        { @"^(?<x>a+)(?<y>a+)$", false },
        { @"^(?<id>\w+):(?<rest>.*)$", true },
    };

    private static readonly string[] Interesting = ["0", "7", "42", "-", ":", "a", "z", "x", "\n", "é", "/", ".", "k", "aa"];

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Captures_agree_with_Regex(string pattern, bool compiled)
    {
        var result = PatternCompiler.Compile(pattern);
        Assert.Equal(compiled, result.ExtractorFallbackReason is null);
        var extract = MatcherAssembly.CompileExtractors([result])[0];
        var matched = Inputs(pattern, 3000, seed: pattern.Length).Count(input => Check(pattern, result, extract, input));
        output.WriteLine($"{pattern}: {matched} matching inputs");
        Assert.True(matched > 20, $"only {matched} generated inputs matched {pattern}");
    }

    [Fact]
    public void Random_patterns_of_the_common_shape_capture_what_Regex_captures()
    {
        var compiledCount = 0;
        RandomPattern.Array[40].Sample(
            patterns =>
            {
                var results = patterns.Select(PatternCompiler.Compile).Where(r => r.Extractor is not null && r.ExtractorFallbackReason is null).ToList();
                compiledCount += results.Count;
                var extractors = MatcherAssembly.CompileExtractors(results);
                for (var i = 0; i < results.Count; i++)
                {
                    var (pattern, extract) = (results[i].Pattern, extractors[i]);
                    foreach (var input in Inputs(pattern, 300, seed: i))
                    {
                        Check(pattern, results[i], extract, input);
                    }
                }
            },
            iter: 10);
        output.WriteLine($"{compiledCount} compiled extractors checked");
        Assert.True(compiledCount > 50, $"{compiledCount}");
    }

    private static bool Check(string pattern, CompiledPattern result, Func<string, string[]?> extract, string input)
    {
        var match = Regex.Match(input, pattern);
        if (!match.Success)
        {
            return false;
        }

        var values = extract(input);
        Assert.True(values is not null, $"{pattern} on {Show(input)}: Regex matches, the extractor does not");
        for (var g = 0; g < result.Groups.Count; g++)
        {
            var expected = match.Groups[result.Groups[g].Name].Value;
            Assert.True(expected == values![g], $"{pattern} on {Show(input)}: group '{result.Groups[g].Name}' is {Show(values[g])}, Regex says {Show(expected)}");
        }

        return true;
    }

    /// <summary>
    /// Inputs sampled from the pattern's own tree (so most match), a third of them mutated by one character, and
    /// for a pattern outside the parsed subset, strings of its literal pieces. A fixed seed: reproducible.
    /// </summary>
    private static IEnumerable<string> Inputs(string pattern, int count, int seed)
    {
        var random = new Random(seed);
        var root = RegexParser.Parse(pattern).Root;
        var pieces = Regex.Split(pattern, @"\\[a-zA-Z]|\?<\w+>|\(\?:|[\\\[\]()^$|*+?{}<>]")
            .Where(p => p.Length > 0)
            .Concat(Interesting)
            .Distinct()
            .ToArray();
        for (var n = 0; n < count; n++)
        {
            var text = root is null
                ? string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => pieces[random.Next(pieces.Length)]))
                : Sample(root, random);
            if (random.Next(3) == 0)
            {
                var at = random.Next(text.Length + 1);
                var c = Alphabet[random.Next(Alphabet.Length)];
                text = random.Next(3) switch
                {
                    0 => text.Insert(at, c.ToString()),
                    1 when at < text.Length => text.Remove(at, 1),
                    _ when at < text.Length => text.Remove(at, 1).Insert(at, c.ToString()),
                    _ => text + c,
                };
            }

            yield return text;
        }
    }

    private static readonly char[] Alphabet = "0179aAbzZkK-:/._ \néx\u0663\u212A".ToCharArray();

    private static string Sample(RegexNode node, Random random) => node switch
    {
        CharNode c => c.Value.ToString(),
        SetNode s => Pick(s.Set, random),
        ConcatNode c => string.Concat(c.Items.Select(item => Sample(item, random))),
        AlternationNode a => Sample(a.Branches[random.Next(a.Branches.Count)], random),
        RepeatNode r => string.Concat(Enumerable.Range(0, random.Next(r.Min, (r.Max < 0 ? r.Min + 4 : Math.Min(r.Max, r.Min + 4)) + 1)).Select(_ => Sample(r.Child, random))),
        AnchorNode { Kind: AnchorKind.EndOrFinalNewline } when random.Next(8) == 0 => "\n",
        _ => "",
    };

    private static string Pick(CharSet set, Random random)
    {
        var candidates = Alphabet.Concat(Enumerable.Range(32, 95).Select(i => (char)i)).Where(c => PatternShape.Contains(set, c)).ToArray();
        return candidates.Length == 0 ? "" : candidates[random.Next(candidates.Length)].ToString();
    }

    /// <summary>Literals with groups of one class and a quantifier between them, anchored at the start.</summary>
    private static Gen<string> RandomPattern =>
        Gen.Select(
            Gen.Select(Gen.OneOf("", "a", ":", "-", "room-", "x:", "/"), Group).Array[1, 3],
            Gen.OneOf("", "a", ":", "-", "/"),
            Gen.OneOf("$", @"\z", ""),
            (parts, tail, end) => "^" + string.Concat(parts.Select((p, i) => p.Item1 + p.Item2.Replace("NAME", "g" + i, StringComparison.Ordinal))) + tail + end);

    private static Gen<string> Group =>
        Gen.Select(
            Gen.OneOf(@"\d", "[^:]", "[a-z]", @"\w", "[0-9a-f-]", ".", "[^/]", "a", @"[\s\S]"),
            Gen.OneOf("+", "*", "{2}", "{1,3}", "+?", "?", ""),
            Gen.Bool,
            (cls, quantifier, sign) => "(?<NAME>" + (sign ? "-?" : "") + cls + quantifier + ")");

    private static string Show(string text) => "\"" + text.Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
