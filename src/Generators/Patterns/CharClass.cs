using System;
using System.Collections.Generic;
using System.Globalization;

namespace Channels.Generators.Patterns;

/// <summary>
/// An immutable set of UTF-16 code units, the way .NET's Regex sees a character class.
/// </summary>
/// <remarks>
/// The set is piecewise: the range 0..0xFFFF is split into segments and each segment carries a mask of
/// <see cref="UnicodeCategory"/> values. A character belongs to the set when the bit of its category is
/// set in the mask of its segment. Explicit ranges (<c>[a-z]</c>) use the full mask; <c>\d</c>, <c>\w</c>
/// and <c>\p{..}</c> use category masks, so the generated matcher asks the runtime for the category just
/// as Regex does and both agree on any Unicode version. ASCII segments are resolved at build time
/// (ASCII categories never change), which keeps the set canonical and the generated code table-driven.
/// </remarks>
internal sealed class CharSet : IEquatable<CharSet>
{
    /// <summary>All 30 Unicode categories.</summary>
    public const uint AllCategories = (1u << 30) - 1;

    /// <summary>Categories of <c>\w</c> in .NET: L*, Mn, Nd, Pc.</summary>
    public const uint WordCategories =
        1u << (int)UnicodeCategory.UppercaseLetter |
        1u << (int)UnicodeCategory.LowercaseLetter |
        1u << (int)UnicodeCategory.TitlecaseLetter |
        1u << (int)UnicodeCategory.ModifierLetter |
        1u << (int)UnicodeCategory.OtherLetter |
        1u << (int)UnicodeCategory.NonSpacingMark |
        1u << (int)UnicodeCategory.DecimalDigitNumber |
        1u << (int)UnicodeCategory.ConnectorPunctuation;

    private const int AsciiLimit = 128;

    // _starts[i] is the first code unit of segment i, which runs to _starts[i + 1] - 1 (the last one to 0xFFFF).
    private readonly int[] _starts;
    private readonly uint[] _masks;

    private CharSet(int[] starts, uint[] masks)
    {
        _starts = starts;
        _masks = masks;
    }

    public static CharSet Empty { get; } = new(new[] { 0 }, new[] { 0u });

    public static CharSet All { get; } = new(new[] { 0 }, new[] { AllCategories });

    /// <summary><c>.</c> without RegexOptions.Singleline: anything but '\n'.</summary>
    public static CharSet AnyExceptNewline { get; } = Char('\n').Complement();

    /// <summary><c>\d</c>: Unicode decimal digits (char.IsDigit).</summary>
    public static CharSet Digit { get; } = Categories(1u << (int)UnicodeCategory.DecimalDigitNumber);

    /// <summary><c>\w</c>.</summary>
    public static CharSet Word { get; } = Categories(WordCategories);

    /// <summary>
    /// Word characters for <c>\b</c> and <c>\B</c>: <c>\w</c> plus ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER
    /// (RegexCharClass.IsBoundaryWordChar).
    /// </summary>
    public static CharSet BoundaryWord { get; } = Word.Union(Range('\u200C', '\u200D'));

    /// <summary>
    /// <c>\s</c>: char.IsWhiteSpace, i.e. the Unicode White_Space property (stable since Unicode 6.3).
    /// </summary>
    public static CharSet Space { get; } = FromRanges(
        ('\t', '\r'), (' ', ' '), ('\u0085', '\u0085'), ('\u00A0', '\u00A0'), ('\u1680', '\u1680'),
        ('\u2000', '\u200A'), ('\u2028', '\u2029'), ('\u202F', '\u202F'), ('\u205F', '\u205F'), ('\u3000', '\u3000'));

    public static CharSet Char(char c) => Range(c, c);

    public static CharSet Range(char first, char last)
    {
        if (first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(last));
        }

        var starts = new List<int>();
        var masks = new List<uint>();
        if (first > 0)
        {
            starts.Add(0);
            masks.Add(0);
        }

        starts.Add(first);
        masks.Add(AllCategories);
        if (last < 0xFFFF)
        {
            starts.Add(last + 1);
            masks.Add(0);
        }

        return Create(starts, masks);
    }

    public static CharSet Categories(uint mask) => Create(new List<int> { 0 }, new List<uint> { mask & AllCategories });

    public static CharSet FromRanges(params (char First, char Last)[] ranges)
    {
        var set = Empty;
        foreach (var (first, last) in ranges)
        {
            set = set.Union(Range(first, last));
        }

        return set;
    }

    /// <summary>Whether the character, whose category is <paramref name="category"/>, is in the set.</summary>
    public bool Contains(int c, UnicodeCategory category) => (MaskAt(c) & (1u << (int)category)) != 0;

    /// <summary>Whether an ASCII character is in the set (ASCII categories are fixed, so this is exact).</summary>
    public bool ContainsAscii(char c) => Contains(c, CharUnicodeInfo.GetUnicodeCategory(c));

    /// <summary>Whether any member is outside ASCII.</summary>
    public bool HasNonAscii()
    {
        for (var i = 0; i < _starts.Length; i++)
        {
            if (_masks[i] != 0 && SegmentEnd(i) >= AsciiLimit)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the set is exactly one character.</summary>
    public bool TryGetSingleChar(out char c)
    {
        c = '\0';
        var found = false;
        for (var i = 0; i < _starts.Length; i++)
        {
            if (_masks[i] == 0)
            {
                continue;
            }

            if (found || _masks[i] != AllCategories || SegmentEnd(i) != _starts[i])
            {
                return false;
            }

            c = (char)_starts[i];
            found = true;
        }

        return found;
    }

    /// <summary>The first code unit of every segment; a set is uniform between consecutive starts.</summary>
    public IReadOnlyList<int> SegmentStarts => _starts;

    public uint MaskAt(int c)
    {
        var lo = 0;
        var hi = _starts.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (_starts[mid] <= c)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return _masks[lo];
    }

    public CharSet Union(CharSet other) => Combine(this, other, static (a, b) => a | b);

    public CharSet Intersect(CharSet other) => Combine(this, other, static (a, b) => a & b);

    public CharSet Subtract(CharSet other) => Combine(this, other, static (a, b) => a & ~b);

    public CharSet Complement() => Combine(this, All, static (a, b) => b & ~a);

    public bool IsEmpty => _masks.Length == 1 && _masks[0] == 0;

    public bool Equals(CharSet? other)
    {
        if (other is null || other._starts.Length != _starts.Length)
        {
            return false;
        }

        for (var i = 0; i < _starts.Length; i++)
        {
            if (_starts[i] != other._starts[i] || _masks[i] != other._masks[i])
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as CharSet);

    public override int GetHashCode()
    {
        var hash = 17;
        for (var i = 0; i < _starts.Length; i++)
        {
            hash = unchecked((hash * 31) + _starts[i]);
            hash = unchecked((hash * 31) + (int)_masks[i]);
        }

        return hash;
    }

    private int SegmentEnd(int i) => i + 1 < _starts.Length ? _starts[i + 1] - 1 : 0xFFFF;

    private static CharSet Combine(CharSet a, CharSet b, Func<uint, uint, uint> op)
    {
        var starts = new List<int>();
        var masks = new List<uint>();
        int i = 0, j = 0;
        var position = 0;
        while (position <= 0xFFFF)
        {
            while (i + 1 < a._starts.Length && a._starts[i + 1] <= position)
            {
                i++;
            }

            while (j + 1 < b._starts.Length && b._starts[j + 1] <= position)
            {
                j++;
            }

            starts.Add(position);
            masks.Add(op(a._masks[i], b._masks[j]) & AllCategories);
            var nextA = i + 1 < a._starts.Length ? a._starts[i + 1] : 0x10000;
            var nextB = j + 1 < b._starts.Length ? b._starts[j + 1] : 0x10000;
            position = Math.Min(nextA, nextB);
        }

        return Create(starts, masks);
    }

    /// <summary>Resolves ASCII segments to all-or-nothing per character, then merges equal neighbours.</summary>
    private static CharSet Create(List<int> starts, List<uint> masks)
    {
        var resolvedStarts = new List<int>();
        var resolvedMasks = new List<uint>();

        void Add(int start, uint mask)
        {
            if (resolvedMasks.Count > 0 && resolvedMasks[resolvedMasks.Count - 1] == mask)
            {
                return;
            }

            resolvedStarts.Add(start);
            resolvedMasks.Add(mask);
        }

        for (var i = 0; i < starts.Count; i++)
        {
            var start = starts[i];
            var end = i + 1 < starts.Count ? starts[i + 1] - 1 : 0xFFFF;
            var mask = masks[i];
            if (start < AsciiLimit && mask != 0 && mask != AllCategories)
            {
                var asciiEnd = Math.Min(end, AsciiLimit - 1);
                for (var c = start; c <= asciiEnd; c++)
                {
                    var inSet = (mask & (1u << (int)CharUnicodeInfo.GetUnicodeCategory((char)c))) != 0;
                    Add(c, inSet ? AllCategories : 0);
                }

                if (end >= AsciiLimit)
                {
                    Add(AsciiLimit, mask);
                }
            }
            else
            {
                Add(start, mask);
            }
        }

        return new CharSet(resolvedStarts.ToArray(), resolvedMasks.ToArray());
    }
}

/// <summary>Case-insensitive equivalences of ASCII letters under .NET's Regex casing table.</summary>
internal static class AsciiCaseFolding
{
    /// <summary>
    /// Adds the case equivalents of the ASCII letters in <paramref name="set"/> (which must be ASCII-only):
    /// the other case, and for 'k'/'K' the KELVIN SIGN U+212A. 'i' and 'I' are not handled here: their
    /// equivalences depend on the current culture (Turkish dotted/dotless i), see <see cref="IsCultureSensitive"/>.
    /// </summary>
    public static CharSet AddEquivalents(CharSet set)
    {
        var result = set;
        for (var c = 'A'; c <= 'Z'; c++)
        {
            var lower = (char)(c + 32);
            if (set.ContainsAscii(c) || set.ContainsAscii(lower))
            {
                result = result.Union(CharSet.Char(c)).Union(CharSet.Char(lower));
                if (c == 'K')
                {
                    result = result.Union(CharSet.Char('\u212A'));
                }
            }
        }

        return result;
    }

    /// <summary>Whether case-insensitive matching of the set depends on the culture ('i' and 'I').</summary>
    public static bool IsCultureSensitive(CharSet set) => set.ContainsAscii('i') || set.ContainsAscii('I');

    /// <summary>Whether an ASCII character has case equivalents (letters only).</summary>
    public static bool HasEquivalents(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z';
}

/// <summary>Unicode general category names accepted by <c>\p{..}</c>.</summary>
internal static class UnicodeCategories
{
    private static readonly Dictionary<string, uint> s_byName = Build();

    /// <summary>The mask of a category name ("Lu", "L", ...), or null if it is not a general category.</summary>
    public static uint? TryGetMask(string name) => s_byName.TryGetValue(name, out var mask) ? mask : null;

    private static Dictionary<string, uint> Build()
    {
        static uint M(params UnicodeCategory[] categories)
        {
            uint mask = 0;
            foreach (var category in categories)
            {
                mask |= 1u << (int)category;
            }

            return mask;
        }

        var map = new Dictionary<string, uint>(StringComparer.Ordinal)
        {
            ["Lu"] = M(UnicodeCategory.UppercaseLetter),
            ["Ll"] = M(UnicodeCategory.LowercaseLetter),
            ["Lt"] = M(UnicodeCategory.TitlecaseLetter),
            ["Lm"] = M(UnicodeCategory.ModifierLetter),
            ["Lo"] = M(UnicodeCategory.OtherLetter),
            ["Mn"] = M(UnicodeCategory.NonSpacingMark),
            ["Mc"] = M(UnicodeCategory.SpacingCombiningMark),
            ["Me"] = M(UnicodeCategory.EnclosingMark),
            ["Nd"] = M(UnicodeCategory.DecimalDigitNumber),
            ["Nl"] = M(UnicodeCategory.LetterNumber),
            ["No"] = M(UnicodeCategory.OtherNumber),
            ["Zs"] = M(UnicodeCategory.SpaceSeparator),
            ["Zl"] = M(UnicodeCategory.LineSeparator),
            ["Zp"] = M(UnicodeCategory.ParagraphSeparator),
            ["Cc"] = M(UnicodeCategory.Control),
            ["Cf"] = M(UnicodeCategory.Format),
            ["Cs"] = M(UnicodeCategory.Surrogate),
            ["Co"] = M(UnicodeCategory.PrivateUse),
            ["Pc"] = M(UnicodeCategory.ConnectorPunctuation),
            ["Pd"] = M(UnicodeCategory.DashPunctuation),
            ["Ps"] = M(UnicodeCategory.OpenPunctuation),
            ["Pe"] = M(UnicodeCategory.ClosePunctuation),
            ["Pi"] = M(UnicodeCategory.InitialQuotePunctuation),
            ["Pf"] = M(UnicodeCategory.FinalQuotePunctuation),
            ["Po"] = M(UnicodeCategory.OtherPunctuation),
            ["Sm"] = M(UnicodeCategory.MathSymbol),
            ["Sc"] = M(UnicodeCategory.CurrencySymbol),
            ["Sk"] = M(UnicodeCategory.ModifierSymbol),
            ["So"] = M(UnicodeCategory.OtherSymbol),
            ["Cn"] = M(UnicodeCategory.OtherNotAssigned),
        };

        foreach (var group in new[] { "L", "M", "N", "Z", "C", "P", "S" })
        {
            uint mask = 0;
            foreach (var entry in map)
            {
                if (entry.Key.Length == 2 && entry.Key[0] == group[0])
                {
                    mask |= entry.Value;
                }
            }

            map[group] = mask;
        }

        return map;
    }
}
