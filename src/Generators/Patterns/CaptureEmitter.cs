using System.Collections.Generic;
using System.Linq;
using Channels.Generators.Text;

namespace Channels.Generators.Patterns;

/// <summary>
/// Writes the C# of a capture extractor: the members of a class of its own, <c>internal static bool Extract(string s,
/// out string g0, …)</c>, one out parameter per named group in <see cref="PatternGroup"/> order, giving exactly
/// <c>Regex.Match(s).Groups[name].Value</c> for a channel the pattern matches. Patterns of the common shape are
/// extracted with span comparisons and character tests; any other with a cached Regex.
/// </summary>
internal static class CaptureEmitter
{
    public const string MethodName = "Extract";

    /// <summary>The extractor, and why it uses a Regex (null when it does not).</summary>
    public static (string Text, string? FallbackReason) Emit(string pattern, ParseResult parsed, IReadOnlyList<PatternGroup> groups)
    {
        var shape = PatternShape.Read(parsed, forExtraction: true, out var reason);
        var writer = new SourceWriter();
        writer.Line($"// Captures of: {CSharpText.ForComment(pattern)}");
        var outs = string.Join(", ", groups.Select((_, i) => "out string g" + i));
        var parameters = "string s" + (outs.Length == 0 ? "" : ", " + outs);
        if (shape is null)
        {
            EmitFallback(writer, pattern, groups, parameters, reason!);
            return (writer.ToString(), reason);
        }

        writer.Line($"internal static bool {MethodName}({parameters})");
        writer.Line("{");
        writer.Indent();
        for (var i = 0; i < groups.Count; i++)
        {
            writer.Line($"g{i} = \"\";");
        }

        writer.Line("var i = 0;");
        var sets = new List<CharSet>();
        int IndexOf(string name) => groups.Select((g, n) => (g, n)).First(p => p.g.Name == name).n;
        foreach (var segment in shape.Segments)
        {
            foreach (var open in segment.Opens)
            {
                writer.Line($"var from{IndexOf(open)} = i;");
            }

            EmitSegment(writer, segment, sets);
            foreach (var close in segment.Closes)
            {
                var index = IndexOf(close);
                writer.Line($"g{index} = s.Substring(from{index}, i - from{index});");
            }
        }

        writer.Line(shape.AtEnd switch
        {
            AnchorKind.End => "return i == s.Length;",
            AnchorKind.EndOrFinalNewline => "return i == s.Length || (i == s.Length - 1 && s[i] == '\\n');",
            _ => "return true;",
        });
        writer.Outdent();
        writer.Line("}");
        for (var i = 0; i < sets.Count; i++)
        {
            writer.Line();
            writer.Line($"private static bool In{i}(char c) => {SetTest(sets[i])};");
        }

        return (writer.ToString(), null);
    }

    private static void EmitSegment(SourceWriter writer, ShapeSegment segment, List<CharSet> sets)
    {
        {
            if (segment.Literal is { } literal)
            {
                writer.Line($"if (!global::System.MemoryExtensions.StartsWith(global::System.MemoryExtensions.AsSpan(s, i), {CSharpText.Literal(literal)}, global::System.StringComparison.Ordinal))");
                writer.Line("{");
                writer.Line("    return false;");
                writer.Line("}");
                writer.Line($"i += {literal.Length};");
                return;
            }

            var test = "In" + sets.Count;
            sets.Add(segment.Set!);
            writer.Line("{");
            writer.Indent();
            writer.Line("var start = i;");
            if (segment.Min == segment.Max)
            {
                writer.Line($"if (s.Length - i < {segment.Min})");
                writer.Line("{");
                writer.Line("    return false;");
                writer.Line("}");
                writer.Line($"for (; i < start + {segment.Min}; i++)");
                writer.Line("{");
                writer.Line($"    if (!{test}(s[i]))");
                writer.Line("    {");
                writer.Line("        return false;");
                writer.Line("    }");
                writer.Line("}");
            }
            else
            {
                writer.Line($"while (i < s.Length && {test}(s[i]))");
                writer.Line("{");
                writer.Line("    i++;");
                writer.Line("}");
                var bounds = new List<string>();
                if (segment.Min > 0)
                {
                    bounds.Add($"i - start < {segment.Min}");
                }

                if (segment.Max >= 0)
                {
                    bounds.Add($"i - start > {segment.Max}");
                }

                if (bounds.Count > 0)
                {
                    writer.Line($"if ({string.Join(" || ", bounds)})");
                    writer.Line("{");
                    writer.Line("    return false;");
                    writer.Line("}");
                }
            }

            writer.Outdent();
            writer.Line("}");
        }
    }

    private static void EmitFallback(SourceWriter writer, string pattern, IReadOnlyList<PatternGroup> groups, string parameters, string reason)
    {
        var engine = PatternCompiler.Fallback(pattern, reason).Engine;
        writer.Line($"// Captured by a runtime Regex: {CSharpText.ForComment(reason)}.");
        writer.Line("private static readonly global::System.Text.RegularExpressions.Regex Regex =");
        writer.Line(engine == FallbackEngine.NonBacktracking
            ? $"    new global::System.Text.RegularExpressions.Regex({CSharpText.Literal(pattern)}, global::System.Text.RegularExpressions.RegexOptions.NonBacktracking);"
            : $"    new global::System.Text.RegularExpressions.Regex({CSharpText.Literal(pattern)}, global::System.Text.RegularExpressions.RegexOptions.None, global::System.TimeSpan.FromMilliseconds({PatternCompiler.FallbackTimeoutMilliseconds}));");
        writer.Line();
        writer.Line($"internal static bool {MethodName}({parameters})");
        writer.Line("{");
        writer.Indent();
        for (var i = 0; i < groups.Count; i++)
        {
            writer.Line($"g{i} = \"\";");
        }

        writer.Line("global::System.Text.RegularExpressions.Match match;");
        writer.Line("try");
        writer.Line("{");
        writer.Line("    match = Regex.Match(s);");
        writer.Line("}");
        writer.Line("catch (global::System.Exception)");
        writer.Line("{");
        writer.Line("    return false;");
        writer.Line("}");
        writer.Line();
        writer.Line("if (!match.Success)");
        writer.Line("{");
        writer.Line("    return false;");
        writer.Line("}");
        writer.Line();
        for (var i = 0; i < groups.Count; i++)
        {
            writer.Line($"g{i} = match.Groups[{CSharpText.Literal(groups[i].Name)}].Value;");
        }

        writer.Line("return true;");
        writer.Outdent();
        writer.Line("}");
    }

    /// <summary>A C# expression testing <c>c</c> against <paramref name="set"/>, segment by segment.</summary>
    private static string SetTest(CharSet set)
    {
        var starts = set.SegmentStarts;
        var tests = new List<string>();
        for (var i = 0; i < starts.Count; i++)
        {
            var mask = set.MaskAt(starts[i]);
            if (mask == 0)
            {
                continue;
            }

            var first = starts[i];
            var last = i + 1 < starts.Count ? starts[i + 1] - 1 : 0xFFFF;
            var range = first == 0 && last == 0xFFFF ? "true"
                : first == last ? $"c == (char)0x{first:X4}"
                : first == 0 ? $"c <= (char)0x{last:X4}"
                : last == 0xFFFF ? $"c >= (char)0x{first:X4}"
                : $"c >= (char)0x{first:X4} && c <= (char)0x{last:X4}";
            var test = mask == CharSet.AllCategories
                ? range
                : $"{(range == "true" ? "" : range + " && ")}((1u << (int)global::System.Char.GetUnicodeCategory(c)) & 0x{mask:X}u) != 0";
            tests.Add(tests.Count == 0 && starts.Count == 1 ? test : "(" + test + ")");
        }

        return tests.Count == 0 ? "false" : string.Join(" || ", tests);
    }
}
