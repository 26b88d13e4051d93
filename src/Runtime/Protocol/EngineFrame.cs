using System.Buffers.Text;
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

    /// <summary>The length of a binary message of <paramref name="length"/> bytes written as text (<c>b</c> + base64).</summary>
    public static int Base64Length(int length) => 1 + Base64.GetMaxEncodedToUtf8Length(length);

    /// <summary>
    /// Writes a binary message as text, <c>b</c> followed by its base64: how polling bodies carry binary, and
    /// WebSocket text frames for a client that asked for base64 (<c>b64</c> in its query). Returns the length.
    /// </summary>
    public static int WriteBase64(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        destination[0] = (byte)'b';
        Base64.EncodeToUtf8(data, destination[1..], out _, out var written);
        return 1 + written;
    }

    public static EngineFrame FromPacket(EncodedPacket packet) => new(packet.Frame, packet.Attachments.Count == 0 ? null : packet.Attachments);

    public static readonly EngineFrame Ping = new("2"u8.ToArray());
    public static readonly EngineFrame Close = new("1"u8.ToArray());
    public static readonly EngineFrame Noop = new("6"u8.ToArray());
    public static readonly EngineFrame ProbeReply = new("3probe"u8.ToArray());
}
