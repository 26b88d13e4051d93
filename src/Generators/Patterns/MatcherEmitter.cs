using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Channels.Generators.Text;

namespace Channels.Generators.Patterns;

/// <summary>
/// Writes the C# of a matcher: the members of a class of its own, <c>internal static bool IsMatch(string s)</c>
/// and, for a fallback, the field <c>Regex</c>. The text compiles in any class in a file with
/// <c>#nullable enable</c>: it names types with <c>global::</c> only, allocates nothing per call and has no
/// recursion. It starts with a comment quoting the pattern.
/// </summary>
internal static class MatcherEmitter
{
    private const string Ordinal = "global::System.StringComparison.Ordinal";
    private const string RegexType = "global::System.Text.RegularExpressions.Regex";
    private const string OptionsType = "global::System.Text.RegularExpressions.RegexOptions";
    private const string CategoryType = "global::System.Globalization.UnicodeCategory";

    public const string MethodName = "IsMatch";
    private const string FieldName = "Regex";

    public static string Emit(PatternPlan plan)
    {
        const string methodName = MethodName;
        var writer = new SourceWriter();
        writer.Line($"// Pattern: {CSharpText.ForComment(plan.Pattern)}");
        switch (plan.Strategy)
        {
            case PatternStrategy.Fallback:
                EmitFallback(writer, plan, methodName);
                break;
            case PatternStrategy.Automaton:
                EmitAutomaton(writer, plan.Automaton!, methodName);
                break;
            case PatternStrategy.Invalid:
                throw new InvalidOperationException($"Pattern '{plan.Pattern}' is invalid: {plan.Error}");
            default:
                EmitLiterals(writer, plan, methodName);
                break;
        }

        return writer.ToString();
    }

    private static void EmitFallback(SourceWriter writer, PatternPlan plan, string methodName)
    {
        var reason = CSharpText.ForComment(plan.FallbackReason ?? "unsupported construct");
        var pattern = CSharpText.Literal(plan.Pattern);
        writer.Line($"// Matched by a runtime Regex: {reason} is outside the compiled subset.");
        if (plan.Engine == FallbackEngine.NonBacktracking)
        {
            writer.Line("// NonBacktracking engine: linear in the length of the channel name.");
            writer.Line($"private static readonly {RegexType} {FieldName} =");
            writer.Line($"    new {RegexType}({pattern}, {OptionsType}.NonBacktracking);");
        }
        else
        {
            writer.Line($"// The pattern needs the backtracking engine: a match that takes longer than {PatternCompiler.FallbackTimeoutMilliseconds} ms is no match.");
            writer.Line($"private static readonly {RegexType} {FieldName} =");
            writer.Line($"    new {RegexType}({pattern}, {OptionsType}.None, global::System.TimeSpan.FromMilliseconds({PatternCompiler.FallbackTimeoutMilliseconds}));");
        }

        writer.Line();
        writer.Line($"internal static bool {methodName}(string s)");
        writer.Line("{");
        writer.Indent();
        writer.Line("try");
        writer.Line("{");
        writer.Line($"    return {FieldName}.IsMatch(s);");
        writer.Line("}");
        writer.Line("catch (global::System.Exception)");
        writer.Line("{");
        writer.Line("    // A timeout, or an engine failure on a client's channel name: that channel does not match.");
        writer.Line("    return false;");
        writer.Line("}");
        writer.Outdent();
        writer.Line("}");
    }

    private static void EmitLiterals(SourceWriter writer, PatternPlan plan, string methodName)
    {
        var tests = new List<string>();
        foreach (var branch in plan.Branches)
        {
            var test = LiteralTest(branch);
            if (test == "true")
            {
                tests.Clear();
                tests.Add(test);
                break;
            }

            tests.Add(test);
        }

        if (tests.Count == 1)
        {
            writer.Line($"internal static bool {methodName}(string s) => {tests[0]};");
            return;
        }

        writer.Line($"internal static bool {methodName}(string s) =>");
        writer.Indent();
        for (var i = 0; i < tests.Count; i++)
        {
            var test = tests[i].Contains("||") ? $"({tests[i]})" : tests[i];
            writer.Line(i == 0 ? test : $"|| {test}");
        }

        writer.Outdent();
        writer.Append(";");
    }

    private static string LiteralTest(LiteralBranch branch)
    {
        var literal = CSharpText.Literal(branch.Literal);
        var withNewline = CSharpText.Literal(branch.Literal + "\n");
        return (branch.AtStart, branch.AtEnd) switch
        {
            (false, null) => branch.Literal.Length == 0 ? "true" : $"s.Contains({literal}, {Ordinal})",
            (true, null) => branch.Literal.Length == 0 ? "true" : $"s.StartsWith({literal}, {Ordinal})",
            (false, AnchorKind.End) => branch.Literal.Length == 0 ? "true" : $"s.EndsWith({literal}, {Ordinal})",
            (false, _) => branch.Literal.Length == 0 ? "true" : $"s.EndsWith({literal}, {Ordinal}) || s.EndsWith({withNewline}, {Ordinal})",
            (true, AnchorKind.End) => $"s == {literal}",
            _ => $"s == {literal} || s == {withNewline}",
        };
    }

    private static void EmitAutomaton(SourceWriter writer, Dfa dfa, string methodName)
    {
        if (dfa.NeverMatches)
        {
            writer.Line("// No input can match this pattern.");
            writer.Line($"internal static bool {methodName}(string s) => false;");
            return;
        }

        if (dfa.AlwaysMatches)
        {
            writer.Line("// Every input matches this pattern.");
            writer.Line($"internal static bool {methodName}(string s) => true;");
            return;
        }

        var classifier = dfa.Classifier;
        writer.Line($"// Automaton: {dfa.StateCount} state(s) over {classifier.ClassCount} character class(es); it reads each character once and");
        writer.Line("// returns as soon as the result is known, as Regex.IsMatch (the match may start anywhere).");
        writer.Line($"internal static bool {methodName}(string s)");
        writer.Line("{");
        writer.Indent();

        var usesClasses = dfa.Transitions.Any(row => row.Distinct().Count() > 1);
        if (usesClasses)
        {
            writer.Line("// The character class of every ASCII character.");
            writer.Line("global::System.ReadOnlySpan<byte> asciiClasses = new byte[]");
            writer.Line("{");
            writer.Indent();
            for (var row = 0; row < 128; row += 16)
            {
                writer.Line(string.Join(", ", classifier.AsciiClasses.Skip(row).Take(16)) + ",");
            }

            writer.Outdent();
            writer.Line("};");
            writer.Line();
        }

        writer.Line("int state = 0;");
        writer.Line("foreach (char c in s)");
        writer.Line("{");
        writer.Indent();
        if (usesClasses)
        {
            EmitClassification(writer, classifier);
            writer.Line();
        }

        writer.Line("switch (state)");
        writer.Line("{");
        writer.Indent();
        for (var state = 0; state < dfa.StateCount; state++)
        {
            writer.Line($"case {state}:");
            writer.Indent();
            EmitTransitions(writer, dfa.Transitions[state]);
            writer.Outdent();
        }

        writer.Outdent();
        writer.Line("}");
        writer.Outdent();
        writer.Line("}");
        writer.Line();

        var accepting = Enumerable.Range(0, dfa.StateCount).Where(s => dfa.AcceptAtEnd[s]).ToList();
        writer.Line(accepting.Count switch
        {
            0 => "return false;",
            _ when accepting.Count == dfa.StateCount => "return true;",
            _ => $"return state is {string.Join(" or ", accepting)};",
        });
        writer.Outdent();
        writer.Line("}");
    }

    private static void EmitClassification(SourceWriter writer, CharClassifier classifier)
    {
        writer.Line("int cls;");
        writer.Line("if (c < 128)");
        writer.Line("{");
        writer.Line("    cls = asciiClasses[c];");
        writer.Line("}");
        var intervals = classifier.Intervals;
        for (var i = 0; i < intervals.Count; i++)
        {
            var interval = intervals[i];
            var isLast = i == intervals.Count - 1;
            writer.Line(isLast ? "else" : $"else if (c <= '{CSharpText.CharLiteralBody((char)interval.Last)}')");
            writer.Line("{");
            writer.Indent();
            var uniform = interval.UniformClass;
            if (uniform >= 0)
            {
                writer.Line($"cls = {uniform};");
            }
            else
            {
                EmitCategorySwitch(writer, interval.ClassByCategory);
            }

            writer.Outdent();
            writer.Line("}");
        }
    }

    private static void EmitCategorySwitch(SourceWriter writer, int[] classByCategory)
    {
        var byClass = Enumerable.Range(0, classByCategory.Length)
            .GroupBy(category => classByCategory[category])
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key)
            .ToList();
        writer.Line("cls = global::System.Char.GetUnicodeCategory(c) switch");
        writer.Line("{");
        writer.Indent();
        foreach (var group in byClass.Skip(1).OrderBy(g => g.Key))
        {
            var names = group.Select(category => $"{CategoryType}.{(UnicodeCategory)category}");
            writer.Line($"{string.Join(" or ", names)} => {group.Key},");
        }

        writer.Line($"_ => {byClass[0].Key},");
        writer.Outdent();
        writer.Line("};");
    }

    private static void EmitTransitions(SourceWriter writer, int[] row)
    {
        var byTarget = Enumerable.Range(0, row.Length)
            .GroupBy(cls => row[cls])
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key)
            .ToList();
        if (byTarget.Count == 1)
        {
            EmitGoTo(writer, byTarget[0].Key);
            return;
        }

        writer.Line("switch (cls)");
        writer.Line("{");
        writer.Indent();
        foreach (var group in byTarget.Skip(1).OrderBy(g => g.Min()))
        {
            foreach (var cls in group)
            {
                writer.Line($"case {cls}:");
            }

            writer.Indent();
            EmitGoTo(writer, group.Key);
            writer.Outdent();
        }

        writer.Line("default:");
        writer.Indent();
        EmitGoTo(writer, byTarget[0].Key);
        writer.Outdent();
        writer.Outdent();
        writer.Line("}");
        if (byTarget.Any(g => g.Key >= 0))
        {
            // At least one arm falls out of the inner switch.
            writer.Line();
            writer.Line("break;");
        }
    }

    private static void EmitGoTo(SourceWriter writer, int target)
    {
        switch (target)
        {
            case Dfa.Match:
                writer.Line("return true;");
                break;
            case Dfa.Dead:
                writer.Line("return false;");
                break;
            default:
                writer.Line($"state = {target};");
                writer.Line("break;");
                break;
        }
    }
}
