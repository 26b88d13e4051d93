using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace Channels.Generators.Patterns;

/// <summary>How a channel pattern is matched in generated code.</summary>
internal enum PatternStrategy
{
    /// <summary>A literal anywhere: <c>s.Contains(lit, Ordinal)</c>.</summary>
    Contains,

    /// <summary><c>^lit</c>: <c>s.StartsWith(lit, Ordinal)</c>.</summary>
    Prefix,

    /// <summary><c>lit$</c>, <c>lit\Z</c> or <c>lit\z</c>: ordinal EndsWith.</summary>
    Suffix,

    /// <summary><c>^lit$</c>: ordinal equality.</summary>
    Exact,

    /// <summary>An alternation of the four forms above.</summary>
    LiteralAlternation,

    /// <summary>A generated deterministic automaton.</summary>
    Automaton,

    /// <summary>A runtime <c>Regex</c>: the pattern uses constructs outside the compiled subset.</summary>
    Fallback,

    /// <summary>The pattern is not a valid .NET regular expression.</summary>
    Invalid,
}

/// <summary>Which <c>Regex</c> engine a <see cref="PatternStrategy.Fallback"/> pattern is matched with.</summary>
internal enum FallbackEngine
{
    /// <summary>Not a fallback.</summary>
    None,

    /// <summary><c>RegexOptions.NonBacktracking</c>: linear in the input, no timeout needed.</summary>
    NonBacktracking,

    /// <summary>
    /// The backtracking interpreter, for constructs NonBacktracking lacks (lookarounds, backreferences, atomic
    /// groups, conditionals, <c>\G</c>), with a match timeout of <see cref="PatternCompiler.FallbackTimeoutMilliseconds"/>.
    /// </summary>
    Backtracking,
}

/// <summary>
/// The result of compiling one channel pattern, once: how it is matched and the C# of its matcher.
/// Value-equatable, so it can sit in the generator's incremental model.
/// </summary>
/// <param name="Pattern">The pattern as written.</param>
/// <param name="Strategy">How it is matched.</param>
/// <param name="Error">For <see cref="PatternStrategy.Invalid"/>: why, e.g. "Unterminated [] set".</param>
/// <param name="ErrorOffset">For <see cref="PatternStrategy.Invalid"/>: index of the offending character, or -1.</param>
/// <param name="FallbackReason">For <see cref="PatternStrategy.Fallback"/>: the construct, e.g. "backreference \1".</param>
/// <param name="Engine">For <see cref="PatternStrategy.Fallback"/>: the Regex engine used.</param>
/// <param name="NeverMatches">Whether no input can match (worth a warning).</param>
/// <param name="Matcher">
/// The members of the matcher's own class (see <see cref="MatcherEmitter"/>): <c>internal static bool IsMatch(string s)</c>,
/// returning exactly <c>Regex.IsMatch(s, Pattern)</c>. Null for an invalid pattern.
/// </param>
/// <param name="Groups">The named groups, in the order Regex numbers them.</param>
/// <param name="Extractor">
/// For a pattern with named groups: the members of the extractor's own class (see <see cref="CaptureEmitter"/>),
/// giving each group's value as <c>Regex.Match(s).Groups[name].Value</c>.
/// </param>
/// <param name="ExtractorFallbackReason">Why the extractor uses a runtime Regex, or null when it does not.</param>
/// <param name="TypeScript">The channels the pattern matches as a TypeScript type (a template literal type where it can).</param>
internal sealed record CompiledPattern(
    string Pattern,
    PatternStrategy Strategy,
    string? Error,
    int ErrorOffset,
    string? FallbackReason,
    FallbackEngine Engine,
    bool NeverMatches,
    string? Matcher,
    Model.EquatableArray<PatternGroup> Groups = default,
    string? Extractor = null,
    string? ExtractorFallbackReason = null,
    string TypeScript = "string");

/// <summary>One ordinal test of a literal alternation: <c>^?lit(\$|\Z|\z)?</c>.</summary>
internal readonly record struct LiteralBranch(bool AtStart, string Literal, AnchorKind? AtEnd);

/// <summary>Everything the matcher emitter needs; it lives only while one pattern is compiled.</summary>
internal sealed class PatternPlan(string pattern, PatternStrategy strategy)
{
    public string Pattern { get; } = pattern;

    public PatternStrategy Strategy { get; } = strategy;

    public string? Error { get; init; }

    public int ErrorOffset { get; init; } = -1;

    public string? FallbackReason { get; init; }

    public FallbackEngine Engine { get; init; }

    public IReadOnlyList<LiteralBranch> Branches { get; init; } = Array.Empty<LiteralBranch>();

    public Dfa? Automaton { get; init; }
}

/// <summary>Turns a channel pattern into the cheapest matcher that agrees with <c>Regex.IsMatch</c>.</summary>
internal static class PatternCompiler
{
    private const int MaxLiteralBranches = 64;
    private const int MaxLiteralLength = 4096;
    private const int AnchorToken = 0x10000;

    /// <summary>The match timeout of a <see cref="FallbackEngine.Backtracking"/> fallback; a timeout is no match.</summary>
    public const int FallbackTimeoutMilliseconds = 100;

    /// <summary><c>RegexOptions.NonBacktracking</c>, which netstandard2.0 does not name.</summary>
    private const RegexOptions NonBacktracking = (RegexOptions)1024;

    /// <summary>How a fallback is matched, as generated comments and CHN0200 say it.</summary>
    public static string EngineText(FallbackEngine engine) => engine == FallbackEngine.NonBacktracking
        ? "NonBacktracking"
        : "backtracking, " + FallbackTimeoutMilliseconds + " ms timeout";

    /// <summary>Parses, checks and compiles <paramref name="pattern"/>; the matcher's text is written here, once.</summary>
    public static CompiledPattern Compile(string pattern)
    {
        var plan = Analyze(pattern);
        if (plan.Strategy == PatternStrategy.Invalid)
        {
            return new CompiledPattern(pattern, plan.Strategy, plan.Error, plan.ErrorOffset, null, FallbackEngine.None, false, null, TypeScript: "never");
        }

        var parsed = RegexParser.Parse(pattern);
        var groups = PatternShape.Groups(pattern, parsed).ToList();
        var (extractor, extractorFallback) = groups.Count == 0 ? (null, null) : CaptureEmitter.Emit(pattern, parsed, groups);
        return new CompiledPattern(
            pattern,
            plan.Strategy,
            plan.Error,
            plan.ErrorOffset,
            plan.FallbackReason,
            plan.Engine,
            plan.Automaton?.NeverMatches ?? false,
            MatcherEmitter.Emit(plan),
            new Model.EquatableArray<PatternGroup>(groups),
            extractor,
            extractorFallback,
            PatternShape.TypeScript(plan, parsed));
    }

    internal static PatternPlan Analyze(string pattern)
    {
        if (pattern is null)
        {
            throw new ArgumentNullException(nameof(pattern));
        }

        var parsed = RegexParser.Parse(pattern);

        // Regex itself is the reference for validity; our parser supplies the offset and a tidier message.
        var regexError = TryConstructRegex(pattern);
        if (regexError is not null)
        {
            return new PatternPlan(pattern, PatternStrategy.Invalid)
            {
                Error = parsed.Error ?? regexError,
                ErrorOffset = parsed.Error is null ? -1 : parsed.ErrorOffset,
            };
        }

        if (parsed.Error is not null)
        {
            // Regex accepts what our parser rejects: do not guess, let Regex do the matching.
            return Fallback(pattern, "syntax the pattern compiler does not handle");
        }

        if (parsed.Root is null)
        {
            return Fallback(pattern, parsed.Unsupported ?? "unsupported construct");
        }

        var branches = TryGetLiteralBranches(parsed.Root);
        if (branches is not null)
        {
            return new PatternPlan(pattern, LiteralStrategy(branches)) { Branches = branches };
        }

        var dfa = AutomatonBuilder.Build(parsed.Root, out var failure);
        if (failure is not null)
        {
            return Fallback(pattern, failure);
        }

        return new PatternPlan(pattern, PatternStrategy.Automaton) { Automaton = dfa };
    }

    /// <summary>
    /// A runtime Regex for <paramref name="pattern"/>: NonBacktracking whenever it accepts the pattern (linear
    /// time, and it avoids bugs of the interpreter), otherwise the interpreter with a match timeout.
    /// </summary>
    internal static PatternPlan Fallback(string pattern, string reason) =>
        new(pattern, PatternStrategy.Fallback)
        {
            FallbackReason = reason,
            Engine = SupportsNonBacktracking(pattern) ? FallbackEngine.NonBacktracking : FallbackEngine.Backtracking,
        };

    /// <summary>
    /// Whether RegexOptions.NonBacktracking accepts <paramref name="pattern"/>: Regex itself decides, so the
    /// answer is exactly what the generated code will meet at run time. A host without NonBacktracking (a
    /// .NET Framework compiler) rejects the option: the backtracking engine with a timeout is still safe.
    /// </summary>
    private static bool SupportsNonBacktracking(string pattern)
    {
        try
        {
            _ = new Regex(pattern, NonBacktracking);
            return true;
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            return false;
        }
    }

    private static string? TryConstructRegex(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    private static PatternStrategy LiteralStrategy(IReadOnlyList<LiteralBranch> branches)
    {
        if (branches.Count != 1)
        {
            return PatternStrategy.LiteralAlternation;
        }

        return (branches[0].AtStart, branches[0].AtEnd is not null) switch
        {
            (false, false) => PatternStrategy.Contains,
            (true, false) => PatternStrategy.Prefix,
            (false, true) => PatternStrategy.Suffix,
            _ => PatternStrategy.Exact,
        };
    }

    /// <summary>
    /// The pattern as a small set of anchored literals, or null when it is not one. Search semantics make a
    /// top-level alternation an OR of its branches, and concatenation distributes over alternation.
    /// </summary>
    private static IReadOnlyList<LiteralBranch>? TryGetLiteralBranches(RegexNode root)
    {
        var sequences = Expand(root);
        if (sequences is null)
        {
            return null;
        }

        var branches = new List<LiteralBranch>();
        foreach (var sequence in sequences)
        {
            var first = 0;
            var atStart = false;
            while (first < sequence.Count && sequence[first] == AnchorToken + (int)AnchorKind.Beginning)
            {
                atStart = true;
                first++;
            }

            var last = sequence.Count;
            AnchorKind? atEnd = null;
            while (last > first && sequence[last - 1] is AnchorToken + (int)AnchorKind.End or AnchorToken + (int)AnchorKind.EndOrFinalNewline)
            {
                var kind = (AnchorKind)(sequence[last - 1] - AnchorToken);
                atEnd = atEnd == AnchorKind.End || kind == AnchorKind.End ? AnchorKind.End : AnchorKind.EndOrFinalNewline;
                last--;
            }

            var literal = new char[last - first];
            for (var i = first; i < last; i++)
            {
                if (sequence[i] >= AnchorToken)
                {
                    return null; // an anchor in the middle: leave it to the automaton
                }

                literal[i - first] = (char)sequence[i];
            }

            var branch = new LiteralBranch(atStart, new string(literal), atEnd);
            if (!branches.Contains(branch))
            {
                branches.Add(branch);
            }
        }

        return branches;
    }

    private static List<List<int>>? Expand(RegexNode node)
    {
        switch (node)
        {
            case EmptyNode:
                return new List<List<int>> { new() };
            case CharNode c:
                return new List<List<int>> { new() { c.Value } };
            case SetNode s when s.Set.TryGetSingleChar(out var single):
                return new List<List<int>> { new() { single } };
            case AnchorNode a when a.Kind is AnchorKind.Beginning or AnchorKind.End or AnchorKind.EndOrFinalNewline:
                return new List<List<int>> { new() { AnchorToken + (int)a.Kind } };
            case ConcatNode concat:
            {
                var result = new List<List<int>> { new() };
                foreach (var item in concat.Items)
                {
                    var expanded = Expand(item);
                    result = expanded is null ? null : Product(result, expanded);
                    if (result is null)
                    {
                        return null;
                    }
                }

                return result;
            }

            case AlternationNode alternation:
            {
                var result = new List<List<int>>();
                foreach (var branch in alternation.Branches)
                {
                    var expanded = Expand(branch);
                    if (expanded is null || result.Count + expanded.Count > MaxLiteralBranches)
                    {
                        return null;
                    }

                    result.AddRange(expanded);
                }

                return result;
            }

            case RepeatNode repeat when repeat.Max is >= 0 and <= 8:
            {
                var child = Expand(repeat.Child);
                if (child is null)
                {
                    return null;
                }

                var result = new List<List<int>>();
                var power = new List<List<int>> { new() };
                for (var n = 0; n <= repeat.Max; n++)
                {
                    if (n >= repeat.Min)
                    {
                        if (result.Count + power.Count > MaxLiteralBranches)
                        {
                            return null;
                        }

                        result.AddRange(power);
                    }

                    if (n < repeat.Max)
                    {
                        power = Product(power, child);
                        if (power is null)
                        {
                            return null;
                        }
                    }
                }

                return result;
            }

            default:
                return null;
        }
    }

    private static List<List<int>>? Product(List<List<int>> left, List<List<int>> right)
    {
        if ((long)left.Count * right.Count > MaxLiteralBranches)
        {
            return null;
        }

        var result = new List<List<int>>(left.Count * right.Count);
        foreach (var l in left)
        {
            foreach (var r in right)
            {
                if (l.Count + r.Count > MaxLiteralLength)
                {
                    return null;
                }

                result.Add(l.Concat(r).ToList());
            }
        }

        return result;
    }
}
