namespace Channels.Protocol;

/// <summary>
/// Turns the Engine.IO messages of one session into whole Socket.IO packets: parses each text packet and
/// gathers the binary messages that follow one announcing attachments, so the layer above only ever sees
/// complete packets. One per session; not thread-safe (a session delivers its messages in order).
/// </summary>
internal sealed class SocketIoDecoder(int maxAttachments)
{
    private SocketIoPacket? _partial;
    private ReadOnlyMemory<byte>[]? _attachments;
    private int _received;

    /// <summary>Takes the next message. Returns a whole packet, or null while attachments are still due.</summary>
    /// <exception cref="SocketIoDecodeException">The message is invalid here; the session should be closed.</exception>
    public SocketIoPacket? Decode(EnginePacket message)
    {
        if (message.IsBinary)
        {
            if (_partial is null)
            {
                throw new SocketIoDecodeException("binary message without a packet announcing it");
            }

            _attachments![_received++] = message.Data;
            if (_received < _attachments.Length)
            {
                return null;
            }

            var complete = _partial.WithAttachments(_attachments);
            _partial = null;
            _attachments = null;
            return complete;
        }

        if (_partial is not null)
        {
            throw new SocketIoDecodeException("text packet while binary attachments were expected");
        }

        if (!SocketIoParser.TryParse(message.Data, maxAttachments, out var packet, out var error))
        {
            throw new SocketIoDecodeException(error!);
        }

        if (packet!.Type is SocketIoPacketType.ConnectError)
        {
            throw new SocketIoDecodeException("CONNECT_ERROR is sent by servers only");
        }

        if (packet.AttachmentCount == 0)
        {
            return packet;
        }

        _partial = packet;
        _attachments = new ReadOnlyMemory<byte>[packet.AttachmentCount];
        _received = 0;
        return null;
    }
}

/// <summary>A message that is not a valid Socket.IO packet at this point of the session.</summary>
internal sealed class SocketIoDecodeException(string reason) : Exception(reason);
