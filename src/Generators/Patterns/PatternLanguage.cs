using System.Collections.Generic;
using System.Globalization;

namespace Channels.Generators.Patterns;

/// <summary>
/// Questions about the set of channel names a pattern matches, answered exactly with its automaton: whether two
/// patterns match a common name. Used by the analyzer (CHN0103); the generator does not need it.
/// </summary>
internal static class PatternLanguage
{
    /// <summary>Product states explored before giving up (then the answer is "unknown").</summary>
    private const int MaxProductStates = 100_000;

    /// <summary>
    /// The automaton of <paramref name="pattern"/> with <c>Regex.IsMatch</c> semantics, or null when the pattern
    /// is outside the compiled subset, invalid, or too large (the literal strategies have one too).
    /// </summary>
    public static Dfa? TryBuild(string pattern)
    {
        var parsed = RegexParser.Parse(pattern);
        if (parsed.Root is null || parsed.Error is not null)
        {
            return null;
        }

        var dfa = AutomatonBuilder.Build(parsed.Root, out var failure);
        return failure is null ? dfa : null;
    }

    /// <summary>
    /// Whether some string is matched by both automata: true or false exactly, or null when the product is too
    /// large to explore. A breadth-first walk of the product automaton over the character classes that some
    /// UTF-16 code unit has in both.
    /// </summary>
    public static bool? Intersects(Dfa left, Dfa right)
    {
        if (left.NeverMatches || right.NeverMatches)
        {
            return false;
        }

        var pairs = ClassPairs(left.Classifier, right.Classifier);
        var seen = new HashSet<(int, int)> { (0, 0) };
        var queue = new Queue<(int Left, int Right)>();
        queue.Enqueue((0, 0));
        while (queue.Count > 0)
        {
            var (l, r) = queue.Dequeue();
            if (Accepts(left, l) && Accepts(right, r))
            {
                return true;
            }

            foreach (var (kl, kr) in pairs)
            {
                var nl = l == Dfa.Match ? Dfa.Match : left.Transitions[l][kl];
                var nr = r == Dfa.Match ? Dfa.Match : right.Transitions[r][kr];
                if (nl == Dfa.Dead || nr == Dfa.Dead || !seen.Add((nl, nr)))
                {
                    continue;
                }

                if (seen.Count > MaxProductStates)
                {
                    return null;
                }

                queue.Enqueue((nl, nr));
            }
        }

        return false;
    }

    private static bool Accepts(Dfa dfa, int state) => state == Dfa.Match || dfa.AcceptAtEnd[state];

    /// <summary>The (left class, right class) pairs that some character has: one pass over UTF-16.</summary>
    private static List<(int, int)> ClassPairs(CharClassifier left, CharClassifier right)
    {
        var seen = new HashSet<(int, int)>();
        var pairs = new List<(int, int)>();
        int li = 0, ri = 0;
        for (var c = 0; c <= char.MaxValue; c++)
        {
            (int, int) pair;
            if (c < 128)
            {
                pair = (left.AsciiClasses[c], right.AsciiClasses[c]);
            }
            else
            {
                // Intervals are consecutive and cover 0x80..0xFFFF, so one index per side walks them in step.
                while (left.Intervals[li].Last < c)
                {
                    li++;
                }

                while (right.Intervals[ri].Last < c)
                {
                    ri++;
                }

                var category = (int)CharUnicodeInfo.GetUnicodeCategory((char)c);
                pair = (left.Intervals[li].ClassByCategory[category], right.Intervals[ri].ClassByCategory[category]);
            }

            if (seen.Add(pair))
            {
                pairs.Add(pair);
            }
        }

        return pairs;
    }
}
