using System.Text;

namespace Channels.Generators.Text;

/// <summary>
/// Writes indented C# text, four spaces a level, <c>'\n'</c> line endings, with braces that open and close
/// blocks. The one writer of the generator: handler classes, the table and the pattern matchers.
/// </summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4);
        }

        _text.Append(line).Append('\n');
        return this;
    }

    public SourceWriter Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
        return this;
    }

    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    public SourceWriter Indent()
    {
        _indent++;
        return this;
    }

    public SourceWriter Outdent()
    {
        _indent--;
        return this;
    }

    /// <summary>Appends to the last line written (a closing <c>;</c>).</summary>
    public SourceWriter Append(string text)
    {
        _text.Length--; // the '\n'
        _text.Append(text).Append('\n');
        return this;
    }

    /// <summary>Writes text that may span lines (a compiled matcher), indenting each line.</summary>
    public SourceWriter Block(string text)
    {
        foreach (var line in text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n'))
        {
            Line(line);
        }

        return this;
    }

    public override string ToString() => _text.ToString();
}
