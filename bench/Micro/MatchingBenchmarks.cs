using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using Channels.Dispatch;
using Channels.Generated;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Bench.Micro;

/// <summary>
/// One channel name tested against one pattern: the generator's compiled matcher beside
/// <c>[GeneratedRegex]</c>, <see cref="RegexOptions.Compiled"/>, the interpreter and
/// <see cref="RegexOptions.NonBacktracking"/>, for each pattern form. Each benchmark tests a matching
/// and a non-matching name.
/// </summary>
[MemoryDiagnoser]
public partial class MatchingBenchmarks
{
    private Func<string, bool> _generated = null!;
    private Regex _sourceGenerated = null!;
    private Regex _compiled = null!;
    private Regex _interpreted = null!;
    private Regex _nonBacktracking = null!;
    private string _hit = "";
    private string _miss = "";

    /// <summary>The pattern form.</summary>
    [Params("literal", "prefix", "suffix", "alternation", "automaton")]
    public string Form { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var (pattern, hit, miss, sourceGenerated) = Form switch
        {
            "literal" => (MatcherHandlers.Literal, "the-lobby", "the-hall", LiteralRegex()),
            "prefix" => (MatcherHandlers.Prefix, "room-42-lobby", "news-42", PrefixRegex()),
            "suffix" => (MatcherHandlers.Suffix, "room-7-archive", "room-7-live", SuffixRegex()),
            "alternation" => (MatcherHandlers.Alternation, "sports", "weather", AlternationRegex()),
            _ => (MatcherHandlers.Automaton, "room-42-lobby", "room-42-Lobby", AutomatonRegex()),
        };
        var table = new ChannelHandlerTable_Channels_SDK_Bench_Micro(new ServiceCollection().BuildServiceProvider());
        _generated = table.Handlers.Single(h => h.Kind == ChannelEventKind.Unsubscribe && h.Name.EndsWith(char.ToUpperInvariant(Form[0]) + Form[1..] + "Form", StringComparison.Ordinal)).Matcher!;
        _sourceGenerated = sourceGenerated;
        _compiled = new Regex(pattern, RegexOptions.Compiled);
        _interpreted = new Regex(pattern);
        _nonBacktracking = new Regex(pattern, RegexOptions.NonBacktracking);
        _hit = hit;
        _miss = miss;
        if (!_generated(hit) || _generated(miss) || !_interpreted.IsMatch(hit) || _interpreted.IsMatch(miss))
        {
            throw new InvalidOperationException($"the inputs of {Form} do not hit and miss as intended");
        }
    }

    [Benchmark(Baseline = true, Description = "[GeneratedRegex]")]
    public bool SourceGenerated() => _sourceGenerated.IsMatch(_hit) & _sourceGenerated.IsMatch(_miss);

    [Benchmark(Description = "Channels generated matcher")]
    public bool Generated() => _generated(_hit) & _generated(_miss);

    [Benchmark(Description = "RegexOptions.Compiled")]
    public bool Compiled() => _compiled.IsMatch(_hit) & _compiled.IsMatch(_miss);

    [Benchmark(Description = "interpreter")]
    public bool Interpreted() => _interpreted.IsMatch(_hit) & _interpreted.IsMatch(_miss);

    [Benchmark(Description = "RegexOptions.NonBacktracking")]
    public bool NonBacktracking() => _nonBacktracking.IsMatch(_hit) & _nonBacktracking.IsMatch(_miss);

    [GeneratedRegex(MatcherHandlers.Literal)]
    private static partial Regex LiteralRegex();

    [GeneratedRegex(MatcherHandlers.Prefix)]
    private static partial Regex PrefixRegex();

    [GeneratedRegex(MatcherHandlers.Suffix)]
    private static partial Regex SuffixRegex();

    [GeneratedRegex(MatcherHandlers.Alternation)]
    private static partial Regex AlternationRegex();

    [GeneratedRegex(MatcherHandlers.Automaton)]
    private static partial Regex AutomatonRegex();
}
