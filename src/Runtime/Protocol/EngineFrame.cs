using Channels.Backplane;

namespace Channels.Protocol;

/// <summary>
/// What the server sends on a session, as encoded bytes: an optional text packet (type character
/// included, e.g. <c>42["x"]</c> or <c>2</c>) followed by zero or more binary messages. The frames of one
/// item are written together, so a packet's attachments always follow it.
/// </summary>
internal readonly struct EngineFrame
{
    public EngineFrame(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary = null)
    {
        Text = text;
        Binary = binary;
    }

    /// <summary>The text packet, or empty when the item is binary only.</summary>
    public ReadOnlyMemory<byte> Text { get; }

    /// <summary>Binary messages sent after <see cref="Text"/>.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>>? Binary { get; }

    /// <summary>Bytes this item holds while queued.</summary>
    public long Size
    {
        get
        {
            long size = Text.Length;
            if (Binary is { } binary)
            {
                for (var i = 0; i < binary.Count; i++)
                {
                    size += binary[i].Length;
                }
            }

            return size;
        }
    }

    public static EngineFrame FromPacket(EncodedPacket packet) => new(packet.Frame, packet.Attachments.Count == 0 ? null : packet.Attachments);

    public static readonly EngineFrame Ping = new("2"u8.ToArray());
    public static readonly EngineFrame Close = new("1"u8.ToArray());
    public static readonly EngineFrame Noop = new("6"u8.ToArray());
    public static readonly EngineFrame ProbeReply = new("3probe"u8.ToArray());
}
