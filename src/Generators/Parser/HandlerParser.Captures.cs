using System.Collections.Generic;
using System.Linq;
using Channels.Generators.Model;
using Channels.Generators.Patterns;
using Microsoft.CodeAnalysis;

namespace Channels.Generators.Parser;

/// <summary>Parameters bound to the named groups of a handler's channel pattern.</summary>
internal static partial class HandlerParser
{
    /// <summary>
    /// A parameter named like a group of the handler's pattern binds to the captured text, converted with the
    /// invariant culture: <c>string</c>, an enum (by member name), or any type implementing <c>IParsable&lt;T&gt;</c>
    /// (<c>int</c>, <c>long</c>, <c>Guid</c>, every <c>ISpanParsable&lt;T&gt;</c>).
    /// </summary>
    private static ParameterModel? ReadCapture(IParameterSymbol parameter, int index, PatternGroup group, CompiledPattern pattern, KnownTypes known, List<HandlerProblem> problems)
    {
        var type = parameter.Type;
        if (parameter.Name == "channel" && type.SpecialType == SpecialType.System_String)
        {
            problems.Add(new HandlerProblem(HandlerRule.DuplicateBinding, ProblemTarget.Parameter, index,
                $"Parameter 'channel' would bind both the channel and group 'channel' of pattern '{pattern.Pattern}'; rename the group"));
            return null;
        }

        var conversion = CaptureConversionOf(type, known);
        if (conversion == CaptureConversion.None)
        {
            problems.Add(new HandlerProblem(HandlerRule.CaptureNotParsable, ProblemTarget.ParameterType, index,
                $"Parameter '{parameter.Name}' binds group '{group.Name}' of pattern '{pattern.Pattern}', but '{type.ToDisplayString()}' cannot be parsed from text: use string, int, long, Guid, an enum or a type implementing IParsable<T>"));
            return null;
        }

        return new ParameterModel(BindingKind.Capture, type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), -1)
        {
            Group = group.Name,
            Conversion = conversion,
        };
    }

    /// <summary>How a named group's text converts to <paramref name="type"/>, or <see cref="CaptureConversion.None"/>.</summary>
    public static CaptureConversion CaptureConversionOf(ITypeSymbol type, KnownTypes known) =>
        type.SpecialType == SpecialType.System_String ? CaptureConversion.Text
        : type.TypeKind == TypeKind.Enum && FirstInaccessible(type) is null ? CaptureConversion.Enum
        : type.TypeKind is TypeKind.Struct or TypeKind.Class && known.IsParsable(type) && FirstInaccessible(type) is null ? CaptureConversion.Parsable
        : CaptureConversion.None;

    /// <summary>
    /// For a handler whose event has no channel: a pattern of another handler of the same class that declares a
    /// group named <paramref name="name"/> (the method and the pattern), or null.
    /// </summary>
    private static (string Method, string Pattern)? GroupElsewhere(IMethodSymbol method, string name)
    {
        foreach (var other in method.ContainingType.GetMembers().OfType<IMethodSymbol>())
        {
            foreach (var attribute in other.GetAttributes())
            {
                if (KindOf(attribute) is not { } kind
                    || kind is EventKind.Connect or EventKind.Event
                    || attribute.ConstructorArguments.Length == 0
                    || attribute.ConstructorArguments[0].Value is not string text)
                {
                    continue;
                }

                if (GroupNames(text).Contains(name))
                {
                    return (other.Name, text);
                }
            }
        }

        return null;
    }

    private static IEnumerable<string> GroupNames(string pattern)
    {
        try
        {
            return new System.Text.RegularExpressions.Regex(pattern).GetGroupNames();
        }
        catch (System.ArgumentException)
        {
            return [];
        }
    }
}
