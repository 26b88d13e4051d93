using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Channels.Generators.Text;

namespace Channels.Generators.Patterns;

/// <summary>
/// A named group of a channel pattern: its name, where its body is in the pattern (-1 when the pattern
/// compiler could not parse it), and what its characters admit, for the warning on a group bound to a type
/// that can never parse some of them.
/// </summary>
internal sealed record PatternGroup(string Name, int BodyOffset, int BodyLength, bool OnlyDigits, bool OnlyGuidChars);

/// <summary>Nodes by identity: a group's body is the very node among its parent's items.</summary>
internal sealed class NodeIdentity : IEqualityComparer<RegexNode>
{
    public static NodeIdentity Instance { get; } = new();

    public bool Equals(RegexNode? x, RegexNode? y) => ReferenceEquals(x, y);

    public int GetHashCode(RegexNode obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
}

/// <summary>One piece of a pattern of the common shape: a literal, or a run of one character class.</summary>
internal sealed class ShapeSegment
{
    public string? Literal { get; init; }

    public CharSet? Set { get; init; }

    public int Min { get; init; }

    /// <summary>-1 when unbounded.</summary>
    public int Max { get; init; }

    /// <summary>The named groups that start at this segment.</summary>
    public List<string> Opens { get; } = new();

    /// <summary>The named groups that end with this segment.</summary>
    public List<string> Closes { get; } = new();
}

/// <summary>
/// A pattern of the common shape: literal segments with class-quantified runs between them
/// (<c>^user:(?&lt;user&gt;[^:]+):inbox$</c>), whose groups are extracted without a Regex.
/// </summary>
internal sealed class PatternShape
{
    public bool AtStart { get; init; }

    public AnchorKind? AtEnd { get; init; }

    public IReadOnlyList<ShapeSegment> Segments { get; init; } = Array.Empty<ShapeSegment>();

    /// <summary>
    /// The shape of <paramref name="parsed"/>, or null with the reason. With <paramref name="forExtraction"/>,
    /// only shapes whose every run is fixed by what follows it (a literal starting with a character the run
    /// cannot contain, or the end), so that its captures are what <c>Regex.Match</c> captures.
    /// </summary>
    public static PatternShape? Read(ParseResult parsed, bool forExtraction, out string? reason)
    {
        reason = null;
        if (parsed.Root is null)
        {
            reason = parsed.Unsupported ?? "syntax the pattern compiler does not handle";
            return null;
        }

        var items = parsed.Root is ConcatNode concat ? concat.Items : new[] { parsed.Root };
        var groups = new Dictionary<RegexNode, string>(NodeIdentity.Instance);
        foreach (var capture in parsed.Captures)
        {
            if (groups.ContainsKey(capture.Body) || groups.ContainsValue(capture.Name))
            {
                reason = $"group '{capture.Name}' declared twice";
                return null;
            }

            groups.Add(capture.Body, capture.Name);
        }

        var first = 0;
        var atStart = false;
        while (first < items.Count && items[first] is AnchorNode { Kind: AnchorKind.Beginning })
        {
            atStart = true;
            first++;
        }

        var last = items.Count;
        AnchorKind? atEnd = null;
        while (last > first && items[last - 1] is AnchorNode { Kind: AnchorKind.End or AnchorKind.EndOrFinalNewline } end)
        {
            atEnd = atEnd == AnchorKind.End || end.Kind == AnchorKind.End ? AnchorKind.End : AnchorKind.EndOrFinalNewline;
            last--;
        }

        var segments = new List<ShapeSegment>();
        var literal = new StringBuilder();
        var found = new HashSet<string>(StringComparer.Ordinal);
        string? pendingOpen = null;

        void Flush()
        {
            if (literal.Length > 0)
            {
                segments.Add(new ShapeSegment { Literal = literal.ToString() });
                literal.Clear();
            }
        }

        void Add(ShapeSegment segment)
        {
            Flush();
            if (pendingOpen is not null)
            {
                segment.Opens.Add(pendingOpen);
                pendingOpen = null;
            }

            segments.Add(segment);
        }

        bool AddItem(RegexNode item, string? group, out string? why)
        {
            why = null;
            if (item is CharNode c)
            {
                if (group is not null || pendingOpen is not null)
                {
                    Add(new ShapeSegment { Literal = c.Value.ToString() });
                }
                else
                {
                    literal.Append(c.Value);
                }

                return true;
            }

            if (item is SetNode single && single.Set.TryGetSingleChar(out var one))
            {
                return AddItem(new CharNode(one), group, out why);
            }

            var run = item switch
            {
                SetNode set => new ShapeSegment { Set = set.Set, Min = 1, Max = 1 },
                RepeatNode { Child: SetNode set } repeat => new ShapeSegment { Set = set.Set, Min = repeat.Min, Max = repeat.Max },
                RepeatNode { Child: CharNode ch } repeat => new ShapeSegment { Set = CharSet.Char(ch.Value), Min = repeat.Min, Max = repeat.Max },
                _ => null,
            };
            if (run is null)
            {
                why = "a part that is neither a literal nor one character class with a quantifier";
                return false;
            }

            Add(run);
            return true;
        }

        for (var i = first; i < last; i++)
        {
            var item = items[i];
            groups.TryGetValue(item, out var group);
            if (group is null)
            {
                if (!AddItem(item, null, out reason))
                {
                    return null;
                }

                continue;
            }

            // A group: its parts are segments of their own, the first opening it and the last closing it.
            var parts = item is ConcatNode inner ? inner.Items : new[] { item };
            Flush();
            pendingOpen = group;
            foreach (var part in parts)
            {
                if ((!ReferenceEquals(part, item) && groups.ContainsKey(part)) || !AddItem(part, group, out _))
                {
                    reason = $"group '{group}' is not literals and character classes with quantifiers";
                    return null;
                }
            }

            if (pendingOpen is not null)
            {
                reason = $"group '{group}' is empty";
                return null;
            }

            segments[segments.Count - 1].Closes.Add(group);
            found.Add(group);
        }

        Flush();

        var missing = parsed.Captures.FirstOrDefault(capture => !found.Contains(capture.Name));
        if (missing is not null)
        {
            reason = $"group '{missing.Name}' inside an alternation, a quantifier or another group";
            return null;
        }

        var shape = new PatternShape { AtStart = atStart, AtEnd = atEnd, Segments = segments };
        if (forExtraction)
        {
            if (!atStart)
            {
                reason = "a pattern that does not start with ^";
                return null;
            }

            for (var i = 0; i < segments.Count; i++)
            {
                var segment = segments[i];
                if (segment.Set is null || segment.Min == segment.Max)
                {
                    continue;
                }

                var next = i + 1 < segments.Count ? segments[i + 1] : null;
                var fixedByNext = next switch
                {
                    { Literal: { } text } => !Contains(segment.Set, text[0]),
                    { Set: { } nextSet, Min: >= 1 } => segment.Set.Intersect(nextSet).IsEmpty,
                    null => atEnd == AnchorKind.End || (atEnd == AnchorKind.EndOrFinalNewline && !Contains(segment.Set, '\n')),
                    _ => false,
                };
                if (!fixedByNext)
                {
                    reason = next is null
                        ? "a variable-length run at the end without $ or \\z after it"
                        : next.Literal is null
                            ? "two character runs in a row that may share characters or where the second may be empty"
                            : $"a character run followed by '{next.Literal[0]}', which the run may contain";
                    return null;
                }
            }
        }

        return shape;
    }

    public static bool Contains(CharSet set, char c) => set.Contains(c, CharUnicodeInfo.GetUnicodeCategory(c));

    /// <summary>The pattern's groups, with what the characters of each admit (from the parse when there is one).</summary>
    public static IEnumerable<PatternGroup> Groups(string pattern, ParseResult parsed)
    {
        string[] names;
        try
        {
            names = new Regex(pattern).GetGroupNames();
        }
        catch (ArgumentException)
        {
            yield break;
        }

        foreach (var name in names)
        {
            if (name.Length == 0 || char.IsDigit(name[0]))
            {
                continue;
            }

            var capture = parsed.Root is null ? null : parsed.Captures.FirstOrDefault(c => c.Name == name);
            if (capture is null)
            {
                yield return new PatternGroup(name, -1, 0, true, true);
                continue;
            }

            var chars = CharsOf(capture.Body);
            yield return new PatternGroup(
                name,
                capture.BodyOffset,
                capture.BodyLength,
                chars is null || chars.Subtract(CharSet.Digit).Subtract(CharSet.FromRanges(('-', '-'), ('+', '+'))).IsEmpty,
                chars is null || chars.Subtract(CharSet.FromRanges(('0', '9'), ('a', 'f'), ('A', 'F'), ('-', '-'), ('{', '{'), ('}', '}'), ('(', '('), (')', ')'))).IsEmpty);
        }
    }

    /// <summary>Every character <paramref name="node"/> can consume.</summary>
    private static CharSet? CharsOf(RegexNode node) => node switch
    {
        EmptyNode or AnchorNode => CharSet.Empty,
        CharNode c => CharSet.Char(c.Value),
        SetNode s => s.Set,
        RepeatNode r => CharsOf(r.Child),
        ConcatNode c => c.Items.Aggregate((CharSet?)CharSet.Empty, (all, item) => all is null || CharsOf(item) is not { } chars ? null : all.Union(chars)),
        AlternationNode a => a.Branches.Aggregate((CharSet?)CharSet.Empty, (all, item) => all is null || CharsOf(item) is not { } chars ? null : all.Union(chars)),
        _ => null,
    };

    /// <summary>
    /// The channels a pattern matches as a TypeScript type: a template literal where the pattern has the common
    /// shape (<c>^room-(?&lt;id&gt;\d+)$</c> gives <c>`room-${number}`</c>), a union for a literal alternation, else <c>string</c>.
    /// </summary>
    public static string TypeScript(PatternPlan plan, ParseResult parsed)
    {
        if (plan.Strategy == PatternStrategy.Invalid)
        {
            return "never";
        }

        if (plan.Branches.Count > 0)
        {
            return string.Join(" | ", plan.Branches.Select(b => Template((b.AtStart ? "" : "${string}") + EscapeTemplate(b.Literal) + (b.AtEnd is null ? "${string}" : ""))).Distinct());
        }

        if (Read(parsed, forExtraction: false, out _) is not { } shape)
        {
            return "string";
        }

        var text = new StringBuilder();
        if (!shape.AtStart)
        {
            text.Append("${string}");
        }

        foreach (var segment in shape.Segments)
        {
            text.Append(segment.Literal is { } literal
                ? EscapeTemplate(literal)
                : segment.Min >= 1 && segment.Set!.Subtract(CharSet.Digit).IsEmpty ? "${number}" : "${string}");
        }

        if (shape.AtEnd is null)
        {
            text.Append("${string}");
        }

        return Template(text.ToString());
    }

    private static string Template(string body) => body == "${string}" ? "string" : "`" + body + "`";

    private static string EscapeTemplate(string literal)
    {
        var text = new StringBuilder();
        foreach (var c in literal)
        {
            text.Append(c switch
            {
                '`' => "\\`",
                '\\' => "\\\\",
                '$' => "\\$",
                '\n' => "\\n",
                '\r' => "\\r",
                _ when c < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return text.ToString();
    }
}
