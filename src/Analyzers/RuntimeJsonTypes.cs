using System.Collections.Generic;

namespace Channels.Analyzers;

/// <summary>
/// The types the runtime's own JSON context (<c>Channels.ChannelsJsonContext</c>, internal to Channels.SDK,
/// so not visible to the analyzer through metadata) declares: payloads of these types need no app context.
/// The one copy of that list outside the runtime; a test compares it with the runtime's attributes.
/// </summary>
internal static class RuntimeJsonTypes
{
    /// <summary>Fully qualified, as <c>SymbolDisplayFormat.FullyQualifiedFormat</c> writes them.</summary>
    public static readonly HashSet<string> Declared = new HashSet<string>(System.StringComparer.Ordinal)
    {
        "bool", "int", "long", "double", "decimal", "string",
        "global::System.Guid", "global::System.DateTime", "global::System.DateTimeOffset",
        "global::System.Text.Json.JsonElement", "string[]", "byte[]",
        "global::System.ReadOnlyMemory<byte>", "global::System.Memory<byte>",
        "global::System.Collections.Generic.Dictionary<string, string>", "global::Channels.ChannelAck",
    };

    /// <summary>
    /// Whether a payload of <paramref name="type"/> resolves without an app context: one of <see cref="Declared"/>
    /// (or its nullable form), or <c>object</c>, which System.Text.Json handles itself.
    /// </summary>
    public static bool Contains(string type)
    {
        var underlying = type.EndsWith("?", System.StringComparison.Ordinal) ? type.Substring(0, type.Length - 1) : type;
        return underlying == "object" || Declared.Contains(underlying);
    }
}
