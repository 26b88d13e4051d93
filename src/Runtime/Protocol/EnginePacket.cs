using System.Buffers;
using System.Buffers.Text;

namespace Channels.Protocol;

/// <summary>
/// One Engine.IO packet received from a client. <see cref="Data"/> is the payload after the type
/// character for a text packet, or the whole frame for a binary message.
/// </summary>
internal readonly record struct EnginePacket(EnginePacketType Type, ReadOnlyMemory<byte> Data, bool IsBinary)
{
    /// <summary>
    /// Parses a packet sent as text: a polling body's part, or a WebSocket text frame. <c>b</c> followed by
    /// base64 is a binary message (decoded into a new array); anything else is parsed by
    /// <see cref="TryParseText"/> and keeps pointing into <paramref name="frame"/>.
    /// </summary>
    public static bool TryParseTextFrame(ReadOnlyMemory<byte> frame, out EnginePacket packet)
    {
        if (IsBase64(frame.Span))
        {
            return TryDecodeBase64(frame.Span[1..], out packet);
        }

        return TryParseText(frame, out packet);
    }

    /// <summary>Whether a text frame is a binary message as <c>b</c> + base64.</summary>
    public static bool IsBase64(ReadOnlySpan<byte> frame) => !frame.IsEmpty && frame[0] == (byte)'b';

    /// <summary>Parses a text packet: a type digit followed by its payload.</summary>
    public static bool TryParseText(ReadOnlyMemory<byte> frame, out EnginePacket packet)
    {
        packet = default;
        if (frame.IsEmpty)
        {
            return false;
        }

        var type = frame.Span[0] - (byte)'0';
        if (type is < 0 or > (int)EnginePacketType.Noop || type == (int)EnginePacketType.Open)
        {
            return false;
        }

        packet = new EnginePacket((EnginePacketType)type, frame[1..], IsBinary: false);
        return true;
    }

    /// <summary>A binary frame is always a message carrying the frame's bytes as they are.</summary>
    public static EnginePacket Binary(ReadOnlyMemory<byte> frame) => new(EnginePacketType.Message, frame, IsBinary: true);

    private static bool TryDecodeBase64(ReadOnlySpan<byte> base64, out EnginePacket packet)
    {
        packet = default;
        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
        if (Base64.DecodeFromUtf8(base64, decoded, out _, out var written) != OperationStatus.Done)
        {
            return false;
        }

        packet = Binary(decoded.AsMemory(0, written));
        return true;
    }
}
