namespace Channels.Protocol;

/// <summary>
/// One Engine.IO packet received from a client. <see cref="Data"/> is the payload after the type
/// character for a text packet, or the whole frame for a binary message.
/// </summary>
internal readonly record struct EnginePacket(EnginePacketType Type, ReadOnlyMemory<byte> Data, bool IsBinary)
{
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
}
