using System;
using System.Collections.Generic;
using System.Globalization;

namespace Channels.Generators.Patterns;

/// <summary>Zero-width assertions of the supported subset (RegexOptions.None, so no multiline).</summary>
internal enum AnchorKind
{
    /// <summary><c>^</c> and <c>\A</c>: the start of the input.</summary>
    Beginning,

    /// <summary><c>$</c> and <c>\Z</c>: the end of the input, or just before a final '\n'.</summary>
    EndOrFinalNewline,

    /// <summary><c>\z</c>: the end of the input.</summary>
    End,

    /// <summary><c>\b</c>.</summary>
    WordBoundary,

    /// <summary><c>\B</c>.</summary>
    NonWordBoundary,
}

/// <summary>A node of the parsed pattern. Groups are flattened: captures do not change IsMatch.</summary>
internal abstract class RegexNode
{
}

internal sealed class EmptyNode : RegexNode
{
    public static EmptyNode Instance { get; } = new();
}

/// <summary>One character matched exactly (no case equivalents).</summary>
internal sealed class CharNode(char value) : RegexNode
{
    public char Value { get; } = value;
}

internal sealed class SetNode(CharSet set) : RegexNode
{
    public CharSet Set { get; } = set;
}

internal sealed class ConcatNode(IReadOnlyList<RegexNode> items) : RegexNode
{
    public IReadOnlyList<RegexNode> Items { get; } = items;
}

internal sealed class AlternationNode(IReadOnlyList<RegexNode> branches) : RegexNode
{
    public IReadOnlyList<RegexNode> Branches { get; } = branches;
}

/// <summary>A greedy or lazy quantifier; <see cref="Max"/> is -1 when unbounded.</summary>
internal sealed class RepeatNode(RegexNode child, int min, int max) : RegexNode
{
    public RegexNode Child { get; } = child;

    public int Min { get; } = min;

    public int Max { get; } = max;
}

internal sealed class AnchorNode(AnchorKind kind) : RegexNode
{
    public AnchorKind Kind { get; } = kind;
}

/// <summary>
/// The outcome of parsing: a tree, or a syntax error with the offset of the offending character, or the
/// first construct outside the subset this compiler turns into code (then <see cref="Root"/> is null).
/// </summary>
internal sealed class ParseResult
{
    public RegexNode? Root { get; set; }

    public string? Error { get; set; }

    public int ErrorOffset { get; set; } = -1;

    public string? Unsupported { get; set; }

    /// <summary>The named groups (not numbered ones), in the order they open; empty when parsing stopped early.</summary>
    public IReadOnlyList<NamedCapture> Captures { get; set; } = Array.Empty<NamedCapture>();
}

/// <summary>
/// A named group as written: its name, where its body starts and how long it is in the pattern, and the body's
/// node (the very object in the tree, so a caller can find the group among its parent's items).
/// </summary>
internal sealed class NamedCapture(string name, int bodyOffset, int bodyLength, RegexNode body)
{
    public string Name { get; } = name;

    public int BodyOffset { get; } = bodyOffset;

    public int BodyLength { get; } = bodyLength;

    public RegexNode Body { get; } = body;
}

/// <summary>
/// A recursive-descent parser for .NET regular expression syntax under RegexOptions.None, following
/// RegexParser's rules (what is a quantifier, how a class is scanned, which escapes exist). It builds a
/// tree for the regular subset; for anything else it records the construct so the caller falls back to a
/// runtime Regex. Validity is cross-checked against <c>new Regex(pattern)</c> by the caller, so a
/// construct this parser is unsure about is reported as unsupported rather than guessed.
/// </summary>
internal sealed class RegexParser
{
    private readonly string _pattern;
    private int _pos;
    private bool _ignoreCase;
    private bool _allowWordBoundaries;
    private string? _unsupported;
    private int _captureCount;
    private readonly HashSet<int> _explicitGroupNumbers = new();
    private readonly List<(int Number, int Offset)> _backreferences = new();
    private readonly List<NamedCapture> _captures = new();

    private RegexParser(string pattern)
    {
        _pattern = pattern;
    }

    public static ParseResult Parse(string pattern) => Parse(pattern, allowWordBoundaries: false);

    /// <summary>Parses; <paramref name="allowWordBoundaries"/> keeps \b and \B in the tree (for automaton tests).</summary>
    public static ParseResult Parse(string pattern, bool allowWordBoundaries)
    {
        var parser = new RegexParser(pattern) { _allowWordBoundaries = allowWordBoundaries };
        try
        {
            var root = parser.ParseAll();
            parser.CheckBackreferences();
            return parser._unsupported is null
                ? new ParseResult { Root = root, Captures = parser._captures }
                : new ParseResult { Unsupported = parser._unsupported };
        }
        catch (PatternSyntaxException e)
        {
            return new ParseResult { Error = e.Message, ErrorOffset = e.Offset };
        }
        catch (StopParsingException)
        {
            return new ParseResult { Unsupported = parser._unsupported };
        }
    }

    private RegexNode ParseAll()
    {
        if (_pattern.StartsWith("(?i)", StringComparison.Ordinal))
        {
            _ignoreCase = true;
            _pos = 4;
        }

        var root = ParseAlternation();
        if (_pos < _pattern.Length)
        {
            // ParseAlternation only stops early at a ')'.
            throw Error("Too many )'s", _pos);
        }

        return root;
    }

    private RegexNode ParseAlternation()
    {
        var branches = new List<RegexNode> { ParseConcatenation() };
        while (_pos < _pattern.Length && _pattern[_pos] == '|')
        {
            _pos++;
            branches.Add(ParseConcatenation());
        }

        return branches.Count == 1 ? branches[0] : new AlternationNode(branches);
    }

    private RegexNode ParseConcatenation()
    {
        var items = new List<RegexNode>();
        while (_pos < _pattern.Length && _pattern[_pos] is not ('|' or ')'))
        {
            items.Add(ParseQuantifiers(ParseAtom()));
        }

        return items.Count switch
        {
            0 => EmptyNode.Instance,
            1 => items[0],
            _ => new ConcatNode(items),
        };
    }

    private RegexNode ParseAtom()
    {
        var c = _pattern[_pos];
        switch (c)
        {
            case '(':
                return ParseGroup();
            case '[':
                return ParseClass();
            case '\\':
                return ParseEscape();
            case '.':
                _pos++;
                return new SetNode(CharSet.AnyExceptNewline);
            case '^':
                _pos++;
                return new AnchorNode(AnchorKind.Beginning);
            case '$':
                _pos++;
                return new AnchorNode(AnchorKind.EndOrFinalNewline);
            case '*' or '+' or '?':
                throw Error($"Quantifier '{c}' following nothing", _pos);
            case '{' when IsTrueQuantifier(_pos):
                throw Error("Quantifier '{' following nothing", _pos);
            default:
                _pos++;
                return Literal(c);
        }
    }

    private RegexNode ParseQuantifiers(RegexNode atom)
    {
        if (!TryParseQuantifier(out var min, out var max, out var quantifierOffset))
        {
            return atom;
        }

        if (_pos < _pattern.Length && _pattern[_pos] == '?')
        {
            _pos++; // lazy: the same strings match
        }

        if (_pos < _pattern.Length && (_pattern[_pos] is '*' or '+' or '?' || (_pattern[_pos] == '{' && IsTrueQuantifier(_pos))))
        {
            throw Error($"Nested quantifier '{_pattern[_pos]}'", _pos);
        }

        if (max != -1 && min > max)
        {
            throw Error("Illegal {x,y} with x > y", quantifierOffset);
        }

        if (atom is AnchorNode)
        {
            MarkUnsupported("quantified anchor");
        }

        return new RepeatNode(atom, min, max);
    }

    private bool TryParseQuantifier(out int min, out int max, out int offset)
    {
        min = 0;
        max = -1;
        offset = _pos;
        if (_pos >= _pattern.Length)
        {
            return false;
        }

        switch (_pattern[_pos])
        {
            case '*':
                _pos++;
                return true;
            case '+':
                min = 1;
                _pos++;
                return true;
            case '?':
                max = 1;
                _pos++;
                return true;
            case '{' when IsTrueQuantifier(_pos):
                _pos++;
                min = ScanCount();
                if (_pattern[_pos] == '}')
                {
                    max = min;
                }
                else
                {
                    _pos++; // ','
                    max = IsAsciiDigit(_pattern[_pos]) ? ScanCount() : -1;
                }

                _pos++; // '}'
                return true;
            default:
                return false;
        }
    }

    /// <summary>RegexParser.IsTrueQuantifier: <c>{n}</c>, <c>{n,}</c> or <c>{n,m}</c>; otherwise '{' is a literal.</summary>
    private bool IsTrueQuantifier(int at)
    {
        var i = at + 1;
        if (i >= _pattern.Length || !IsAsciiDigit(_pattern[i]))
        {
            return false;
        }

        while (i < _pattern.Length && IsAsciiDigit(_pattern[i]))
        {
            i++;
        }

        if (i < _pattern.Length && _pattern[i] == '}')
        {
            return true;
        }

        if (i >= _pattern.Length || _pattern[i] != ',')
        {
            return false;
        }

        i++;
        while (i < _pattern.Length && IsAsciiDigit(_pattern[i]))
        {
            i++;
        }

        return i < _pattern.Length && _pattern[i] == '}';
    }

    private int ScanCount()
    {
        var start = _pos;
        long value = 0;
        while (_pos < _pattern.Length && IsAsciiDigit(_pattern[_pos]))
        {
            value = Math.Min((value * 10) + (_pattern[_pos] - '0'), (long)int.MaxValue + 1);
            _pos++;
        }

        if (value > int.MaxValue)
        {
            throw Error("Quantifier and capture group numbers must be less than or equal to Int32.MaxValue", start);
        }

        return (int)value;
    }

    private RegexNode ParseGroup()
    {
        var open = _pos;
        _pos++;
        if (_pos < _pattern.Length && _pattern[_pos] == '?')
        {
            _pos++;
            var next = _pos < _pattern.Length ? _pattern[_pos] : '\0';
            var after = _pos + 1 < _pattern.Length ? _pattern[_pos + 1] : '\0';
            switch (next)
            {
                case ':':
                    _pos++;
                    return ParseGroupBody(open);
                case '=':
                    return ParseUnsupportedGroup(open, 1, "lookahead (?=");
                case '!':
                    return ParseUnsupportedGroup(open, 1, "negative lookahead (?!");
                case '>':
                    return ParseUnsupportedGroup(open, 1, "atomic group (?>");
                case '<' when after == '=':
                    return ParseUnsupportedGroup(open, 2, "lookbehind (?<=");
                case '<' when after == '!':
                    return ParseUnsupportedGroup(open, 2, "negative lookbehind (?<!");
                case '<' or '\'':
                    return ParseNamedGroup(open, next == '<' ? '>' : '\'');
                case '(':
                    throw Stop("conditional (?(");
                case '#':
                    throw Stop("inline comment (?#");
                default:
                    if (IsOptionLetter(next) || next == '-')
                    {
                        var end = _pos;
                        while (end < _pattern.Length && (IsOptionLetter(_pattern[end]) || _pattern[end] == '-'))
                        {
                            end++;
                        }

                        var length = Math.Min(end + 1, _pattern.Length) - open;
                        throw Stop($"inline option {_pattern.Substring(open, length)}");
                    }

                    throw Error("Unrecognized grouping construct", open);
            }
        }

        _captureCount++;
        return ParseGroupBody(open);
    }

    private RegexNode ParseGroupBody(int open)
    {
        var body = ParseAlternation();
        if (_pos >= _pattern.Length)
        {
            throw Error("Not enough )'s", open);
        }

        _pos++; // ')'
        return body;
    }

    private RegexNode ParseUnsupportedGroup(int open, int prefixLength, string construct)
    {
        MarkUnsupported(construct);
        _pos += prefixLength;
        ParseGroupBody(open);
        return EmptyNode.Instance;
    }

    private RegexNode ParseNamedGroup(int open, char close)
    {
        _pos++;
        var nameStart = _pos;
        while (_pos < _pattern.Length && IsAsciiWordChar(_pattern[_pos]))
        {
            _pos++;
        }

        var name = _pattern.Substring(nameStart, _pos - nameStart);
        if (name.Length == 0 || _pos >= _pattern.Length || _pattern[_pos] != close)
        {
            // Balancing groups (?<a-b>), non-ASCII names and malformed names: let Regex decide.
            throw Stop("group name construct");
        }

        if (IsAsciiDigit(name[0]))
        {
            if (!int.TryParse(name, out var number) || (name.Length > 1 && name[0] == '0'))
            {
                throw Stop("group name construct");
            }

            _explicitGroupNumbers.Add(number);
        }
        else
        {
            _captureCount++;
        }

        _pos++;
        var bodyStart = _pos;
        var body = ParseGroupBody(open);
        if (!IsAsciiDigit(name[0]))
        {
            _captures.Add(new NamedCapture(name, bodyStart, _pos - 1 - bodyStart, body));
        }

        return body;
    }

    private RegexNode ParseEscape()
    {
        var start = _pos;
        if (_pos + 1 >= _pattern.Length)
        {
            throw Error("Illegal \\ at end of pattern", start);
        }

        var c = _pattern[_pos + 1];
        switch (c)
        {
            case 'A':
                _pos += 2;
                return new AnchorNode(AnchorKind.Beginning);
            case 'Z':
                _pos += 2;
                return new AnchorNode(AnchorKind.EndOrFinalNewline);
            case 'z':
                _pos += 2;
                return new AnchorNode(AnchorKind.End);
            case 'b' or 'B':
                // The automaton implements \b and \B exactly (it agrees with RegexOptions.NonBacktracking), but
                // Regex's backtracking engines get some of them wrong (e.g. "k[^0-9]+\b" on "k_-" is false in
                // .NET 10), and the generated matcher must agree with Regex.IsMatch, bugs included.
                _pos += 2;
                if (!_allowWordBoundaries)
                {
                    MarkUnsupported($"word boundary \\{c}");
                }

                return new AnchorNode(c == 'b' ? AnchorKind.WordBoundary : AnchorKind.NonWordBoundary);
            case 'G':
                _pos += 2;
                MarkUnsupported("\\G anchor");
                return EmptyNode.Instance;
            case 'd' or 'D' or 'w' or 'W' or 's' or 'S':
                _pos += 2;
                return new SetNode(ShorthandClass(c));
            case 'p' or 'P':
                return new SetNode(ParseProperty());
            case 'k':
                throw Stop("backreference \\k<name>");
            case '<' or '\'':
                throw Stop("backreference \\<name>");
            case '0':
                throw Stop("octal escape \\0");
            case >= '1' and <= '9':
            {
                _pos++;
                var number = ScanCount();
                _backreferences.Add((number, start));
                MarkUnsupported($"backreference \\{number}");
                return EmptyNode.Instance;
            }

            default:
                return Literal(ScanCharEscape());
        }
    }

    /// <summary>RegexParser.ScanCharEscape, at a '\' whose next character is not a class or anchor escape.</summary>
    private char ScanCharEscape()
    {
        var start = _pos;
        var c = _pattern[_pos + 1];
        _pos += 2;
        switch (c)
        {
            case 'x':
                return ScanHex(2, start);
            case 'u':
                return ScanHex(4, start);
            case 'a':
                return '\u0007';
            case 'b':
                return '\b';
            case 'e':
                return '\u001B';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'v':
                return '\u000B';
            case 'c':
            {
                if (_pos >= _pattern.Length)
                {
                    throw Error("Missing control character", start);
                }

                var control = _pattern[_pos];
                var upper = control is >= 'a' and <= 'z' ? (char)(control - 32) : control;
                if (upper - '@' is < 0 or >= 32)
                {
                    throw Error("Unrecognized control character", start);
                }

                _pos++;
                return (char)(upper - '@');
            }

            case >= '0' and <= '7':
                throw Stop("octal escape");
            default:
                if (c >= 128)
                {
                    // Non-ASCII: an error if it is a word character; let Regex decide.
                    throw Stop("escaped non-ASCII character");
                }

                if (IsAsciiWordChar(c))
                {
                    throw Error($"Unrecognized escape sequence \\{c}", start);
                }

                return c;
        }
    }

    private char ScanHex(int digits, int start)
    {
        var value = 0;
        for (var i = 0; i < digits; i++)
        {
            if (_pos >= _pattern.Length || HexValue(_pattern[_pos]) < 0)
            {
                throw Error("Insufficient hex digits", start);
            }

            value = (value * 16) + HexValue(_pattern[_pos]);
            _pos++;
        }

        return (char)value;
    }

    private CharSet ShorthandClass(char c) => c switch
    {
        'd' => CharSet.Digit,
        'D' => CharSet.Digit.Complement(),
        'w' => CharSet.Word,
        'W' => CharSet.Word.Complement(),
        's' => CharSet.Space,
        _ => CharSet.Space.Complement(),
    };

    /// <summary><c>\p{Name}</c> or <c>\P{Name}</c>, with <see cref="_pos"/> at the '\'.</summary>
    private CharSet ParseProperty()
    {
        var start = _pos;
        var negate = _pattern[_pos + 1] == 'P';
        _pos += 2;
        if (_pos >= _pattern.Length || _pattern[_pos] != '{')
        {
            throw Error("Incomplete \\p{X} character escape", start);
        }

        var close = _pattern.IndexOf('}', _pos);
        if (close < 0)
        {
            throw Error("Incomplete \\p{X} character escape", start);
        }

        var name = _pattern.Substring(_pos + 1, close - _pos - 1);
        _pos = close + 1;
        var mask = UnicodeCategories.TryGetMask(name);
        if (mask is null)
        {
            // Named blocks (\p{IsGreek}) and anything unexpected: let Regex decide validity.
            throw Stop($"Unicode block or property \\p{{{name}}}");
        }

        if (_ignoreCase && name is "Lu" or "Ll" or "Lt")
        {
            // Under IgnoreCase, Regex widens each of these to all three cased-letter categories.
            mask = (1u << (int)UnicodeCategory.UppercaseLetter) | (1u << (int)UnicodeCategory.LowercaseLetter) | (1u << (int)UnicodeCategory.TitlecaseLetter);
        }

        var set = CharSet.Categories(mask ?? 0);
        return negate ? set.Complement() : set;
    }

    /// <summary>RegexParser.ScanCharClass, with <see cref="_pos"/> at the '['.</summary>
    private RegexNode ParseClass()
    {
        var open = _pos;
        var set = ScanClass(open);
        return new SetNode(set);
    }

    private CharSet ScanClass(int open)
    {
        _pos = open + 1;
        var negate = false;
        if (_pos < _pattern.Length && _pattern[_pos] == '^')
        {
            negate = true;
            _pos++;
        }

        var explicitChars = CharSet.Empty;
        var categories = CharSet.Empty;
        CharSet? subtraction = null;
        var inRange = false;
        var rangeStart = '\0';
        var rangeStartOffset = 0;
        var firstChar = true;
        var closed = false;

        for (; _pos < _pattern.Length; firstChar = false)
        {
            var itemOffset = _pos;
            var translated = false;
            var c = _pattern[_pos++];
            if (c == ']')
            {
                if (!firstChar)
                {
                    closed = true;
                    break;
                }
            }
            else if (c == '\\' && _pos < _pattern.Length)
            {
                var e = _pattern[_pos];
                if (e is 'd' or 'D' or 'w' or 'W' or 's' or 'S' or 'p' or 'P')
                {
                    if (inRange)
                    {
                        throw Error($"Cannot include class \\{e} in character range", itemOffset);
                    }

                    if (e is 'p' or 'P')
                    {
                        _pos = itemOffset;
                        categories = categories.Union(ParseProperty());
                    }
                    else
                    {
                        _pos++;
                        categories = categories.Union(ShorthandClass(e));
                    }

                    continue;
                }

                _pos = itemOffset;
                c = ScanCharEscape();
                translated = true;
            }
            else if (c == '[' && _pos < _pattern.Length && _pattern[_pos] == ':' && !inRange)
            {
                throw Stop("POSIX-style [: :] in a character class");
            }

            if (inRange)
            {
                inRange = false;
                if (c == '[' && !translated && !firstChar)
                {
                    // [a-[b]]: the '-' was not a range after all but a subtraction.
                    explicitChars = explicitChars.Union(CharSet.Char(rangeStart));
                    subtraction = ScanSubtraction(itemOffset);
                    break;
                }

                if (rangeStart > c)
                {
                    throw Error("[x-y] range in reverse order", rangeStartOffset);
                }

                explicitChars = explicitChars.Union(CharSet.Range(rangeStart, c));
            }
            else if (_pos + 1 < _pattern.Length && _pattern[_pos] == '-' && _pattern[_pos + 1] != ']')
            {
                rangeStart = c;
                rangeStartOffset = itemOffset;
                inRange = true;
                _pos++;
            }
            else if (_pos < _pattern.Length && c == '-' && !translated && _pattern[_pos] == '[' && !firstChar)
            {
                subtraction = ScanSubtraction(_pos);
            }
            else
            {
                explicitChars = explicitChars.Union(CharSet.Char(c));
            }

            if (subtraction is not null)
            {
                break;
            }
        }

        if (subtraction is not null)
        {
            if (_pos >= _pattern.Length)
            {
                throw Error("Unterminated [] set", open);
            }

            if (_pattern[_pos] != ']')
            {
                throw Error("A subtraction must be the last element in a character class", _pos);
            }

            _pos++;
            closed = true;
        }

        if (!closed)
        {
            throw Error("Unterminated [] set", open);
        }

        if (_ignoreCase)
        {
            if (explicitChars.HasNonAscii())
            {
                MarkUnsupported("non-ASCII character in a class under (?i)");
            }
            else if (AsciiCaseFolding.IsCultureSensitive(explicitChars))
            {
                MarkUnsupported("case-insensitive 'i' (depends on the current culture)");
            }

            explicitChars = AsciiCaseFolding.AddEquivalents(explicitChars);
        }

        var result = explicitChars.Union(categories);
        if (negate)
        {
            result = result.Complement();
        }

        if (subtraction is not null)
        {
            if (_ignoreCase)
            {
                MarkUnsupported("character class subtraction under (?i)");
            }

            result = result.Subtract(subtraction);
        }

        return result;
    }

    private CharSet ScanSubtraction(int bracket)
    {
        var saved = _ignoreCase;
        var set = ScanClass(bracket);
        _ignoreCase = saved;
        return set;
    }

    private RegexNode Literal(char c)
    {
        if (!_ignoreCase)
        {
            return new CharNode(c);
        }

        if (c >= 128)
        {
            MarkUnsupported("non-ASCII character under (?i)");
            return new CharNode(c);
        }

        if (!AsciiCaseFolding.HasEquivalents(c))
        {
            return new CharNode(c);
        }

        if (c is 'i' or 'I')
        {
            MarkUnsupported("case-insensitive 'i' (depends on the current culture)");
        }

        return new SetNode(AsciiCaseFolding.AddEquivalents(CharSet.Char(c)));
    }

    private void CheckBackreferences()
    {
        foreach (var (number, offset) in _backreferences)
        {
            if (number > _captureCount && !_explicitGroupNumbers.Contains(number))
            {
                throw Error($"Reference to undefined group number {number}", offset);
            }
        }
    }

    private void MarkUnsupported(string construct) => _unsupported ??= construct;

    private StopParsingException Stop(string construct)
    {
        MarkUnsupported(construct);
        return new StopParsingException();
    }

    private static PatternSyntaxException Error(string message, int offset) => new(message, offset);

    private static bool IsAsciiDigit(char c) => c is >= '0' and <= '9';

    private static bool IsAsciiWordChar(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_';

    private static bool IsOptionLetter(char c) => c is 'i' or 'm' or 'n' or 's' or 'x';

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private sealed class PatternSyntaxException(string message, int offset) : Exception(message)
    {
        public int Offset { get; } = offset;
    }

    private sealed class StopParsingException : Exception
    {
    }
}
