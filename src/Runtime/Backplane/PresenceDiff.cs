using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Channels.Backplane;

/// <summary>
/// The presence event subscribers receive, <c>["presence", channel, {"joins":{id: meta, …},"leaves":{id: meta, …}}]</c>,
/// encoded once as a publication to the channel, so that it reaches the subscribers on every server as any
/// channel message does. Metadata is written as the UTF-8 JSON it is stored as.
/// </summary>
public static class PresenceDiff
{
    /// <summary>The event name, reserved: <c>presence</c>.</summary>
    public const string EventName = "presence";

    /// <summary>
    /// A publication of the diff to the subscribers of <paramref name="channel"/> in <paramref name="namespace"/>
    /// (the two strings are apart, in the wire's order, so that they cannot be swapped unnoticed).
    /// </summary>
    public static ChannelPublication Publication(
        string channel,
        IReadOnlyCollection<KeyValuePair<string, ReadOnlyMemory<byte>>> joins,
        IReadOnlyCollection<KeyValuePair<string, ReadOnlyMemory<byte>>> leaves,
        string @namespace) =>
        ChannelPublication.ToChannels(@namespace, [channel], [Encode(@namespace, channel, joins, leaves)]);

    /// <summary>The event packet, addressed to <paramref name="namespace"/>.</summary>
    internal static EncodedPacket Encode(
        string @namespace,
        string channel,
        IReadOnlyCollection<KeyValuePair<string, ReadOnlyMemory<byte>>> joins,
        IReadOnlyCollection<KeyValuePair<string, ReadOnlyMemory<byte>>> leaves)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(joins);
        ArgumentNullException.ThrowIfNull(leaves);
        var buffer = new ArrayBufferWriter<byte>(64);
        buffer.Write("42"u8);
        if (@namespace != "/")
        {
            buffer.Write(Encoding.UTF8.GetBytes(@namespace + ","));
        }

        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStringValue(EventName);
            json.WriteStringValue(channel);
            json.WriteStartObject();
            WriteMembers(json, "joins", joins);
            WriteMembers(json, "leaves", leaves);
            json.WriteEndObject();
            json.WriteEndArray();
        }

        return new EncodedPacket(buffer.WrittenMemory);
    }

    /// <summary>Writes <c>"name":{id: meta, …}</c>.</summary>
    internal static void WriteMembers(Utf8JsonWriter json, string name, IEnumerable<KeyValuePair<string, ReadOnlyMemory<byte>>> members)
    {
        json.WriteStartObject(name);
        foreach (var (id, meta) in members)
        {
            json.WritePropertyName(id);
            json.WriteRawValue(meta.Span, skipInputValidation: false);
        }

        json.WriteEndObject();
    }
}
