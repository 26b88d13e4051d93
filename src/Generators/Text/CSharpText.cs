using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Channels.Generators.Text;

/// <summary>
/// How text becomes C#: string literals, comments, identifiers. The one place for it, used by the parser
/// (the attribute text a handler is described by), the pattern compiler and the emitters.
/// </summary>
internal static class CSharpText
{
    /// <summary>A C# string literal (ASCII only: control and non-ASCII characters escaped), or <c>null</c>.</summary>
    public static string Literal(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            builder.Append(c == '\'' ? "'" : c == '"' ? "\\\"" : CharLiteralBody(c));
        }

        return builder.Append('"').ToString();
    }

    /// <summary>The inside of a C# char literal for <paramref name="c"/>.</summary>
    public static string CharLiteralBody(char c) => c switch
    {
        '\\' => "\\\\",
        '\'' => "\\'",
        '"' => "\"",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\0' => "\\0",
        < ' ' or >= '\u007F' => $"\\u{(int)c:X4}",
        _ => c.ToString(),
    };

    /// <summary>Text safe inside a <c>//</c> comment: no line terminators, no control characters.</summary>
    public static string ForComment(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c < ' ' || c == '\u007F' || c == '\u0085' || c == '\u2028' || c == '\u2029')
            {
                builder.Append($"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>A symbol's name as C# source must spell it: <c>@class</c> for a keyword.</summary>
    public static string EscapeIdentifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>A C# identifier made from any text (an assembly name).</summary>
    public static string Identifier(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return builder.Length > 0 && char.IsDigit(builder[0]) ? "_" + builder : builder.ToString();
    }
}
