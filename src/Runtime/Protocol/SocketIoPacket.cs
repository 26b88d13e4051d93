namespace Channels.Protocol;

/// <summary>
/// One Socket.IO packet received from a client, after validation. For EVENT and ACK packets
/// <see cref="Arguments"/> holds the array items; binary packets get their attachments attached as
/// they arrive.
/// </summary>
internal sealed class SocketIoPacket
{
    public SocketIoPacket(SocketIoPacketType type, string @namespace, long ackId, int attachmentCount, ReadOnlyMemory<byte> json, ChannelPayload? arguments)
    {
        Type = type;
        Namespace = @namespace;
        AckId = ackId;
        AttachmentCount = attachmentCount;
        Json = json;
        Arguments = arguments;
    }

    public SocketIoPacketType Type { get; }

    /// <summary>The namespace, <c>/</c> when the packet names none.</summary>
    public string Namespace { get; }

    /// <summary>The ack id, or -1 when the packet has none.</summary>
    public long AckId { get; }

    /// <summary>How many binary messages follow this packet.</summary>
    public int AttachmentCount { get; }

    /// <summary>The JSON payload, empty when there is none.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>For EVENT packets the arguments after the event name; for ACK packets every item.</summary>
    public ChannelPayload? Arguments { get; }

    /// <summary>For EVENT packets, the event name.</summary>
    public string? EventName { get; init; }

    public bool HasAck => AckId >= 0;

    /// <summary>What the packet holds in memory: its JSON and its attachments, in bytes.</summary>
    public int Size
    {
        get
        {
            var bytes = Json.Length;
            foreach (var attachment in Arguments?.Attachments ?? [])
            {
                bytes += attachment.Length;
            }

            return bytes;
        }
    }

    /// <summary>This packet with its binary attachments, which arrived after it.</summary>
    public SocketIoPacket WithAttachments(ReadOnlyMemory<byte>[] attachments) =>
        new(Type, Namespace, AckId, AttachmentCount, Json, Arguments?.WithAttachments(attachments)) { EventName = EventName };
}
