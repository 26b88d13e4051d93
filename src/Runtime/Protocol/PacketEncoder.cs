using System.Text;
using System.Text.Json;
using Channels.Backplane;

namespace Channels.Protocol;

/// <summary>
/// Encodes the packets the server sends, once each, through the app's JSON options: messages, custom
/// events and acks. A broadcast encodes here once and hands the same bytes to every recipient. Binary
/// values, at the top level or nested in a value, become attachments (<see cref="BinaryConverters"/>).
/// </summary>
internal sealed class PacketEncoder(JsonSerializerOptions appOptions)
{
    private readonly JsonSerializerOptions _options = BinaryConverters.ForPackets(appOptions);

    /// <summary><c>["message", message]</c> or <c>["message", message, channel]</c>.</summary>
    public EncodedPacket Message<T>(string @namespace, T message, string? channel)
    {
        var writer = PacketWriter.Rent(_options);
        try
        {
            writer.WriteString("message");
            writer.WriteValue(message);
            if (channel is not null)
            {
                writer.WriteString(channel);
            }
        }
        catch
        {
            writer.Return();
            throw;
        }

        return writer.Finish(ack: false, @namespace, ackId: -1);
    }

    /// <summary><c>["name", …args]</c>, with an ack id when one is given (-1 for none).</summary>
    public EncodedPacket Event(string @namespace, string eventName, object?[] args, long ackId)
    {
        var writer = PacketWriter.Rent(_options);
        try
        {
            writer.WriteString(eventName);
            foreach (var arg in args)
            {
                writer.WriteObject(arg);
            }
        }
        catch
        {
            writer.Return();
            throw;
        }

        return writer.Finish(ack: false, @namespace, ackId);
    }

    /// <summary>An ACK carrying one <see cref="ChannelAck"/>.</summary>
    public EncodedPacket Ack(string @namespace, long ackId, ChannelAck ack)
    {
        var writer = PacketWriter.Rent(_options);
        writer.WriteValue(ack);
        return writer.Finish(ack: true, @namespace, ackId);
    }

    /// <summary>An ACK carrying a handler's value (a payload's arguments as they are), or no argument.</summary>
    public EncodedPacket AckValue(string @namespace, long ackId, object? value, bool hasValue)
    {
        var writer = PacketWriter.Rent(_options);
        try
        {
            if (hasValue)
            {
                writer.WriteObject(value);
            }
        }
        catch
        {
            writer.Return();
            throw;
        }

        return writer.Finish(ack: true, @namespace, ackId);
    }

    /// <summary>
    /// The packet with <paramref name="channel"/> appended as its last argument: <c>["message",x]</c> becomes
    /// <c>["message",x,"room-1"]</c>, escaped as <see cref="PacketWriter"/> writes strings; attachments are shared.
    /// </summary>
    public static EncodedPacket WithChannel(EncodedPacket packet, string channel) => new(AppendString(packet, channel), packet.Attachments);

    private static byte[] AppendString(EncodedPacket packet, string text)
    {
        var frame = packet.Frame.Span;
        var name = JsonEncodedText.Encode(text).EncodedUtf8Bytes;
        var bytes = new byte[frame.Length + name.Length + 3];
        frame[..^1].CopyTo(bytes);
        var at = frame.Length - 1;
        bytes[at++] = (byte)',';
        bytes[at++] = (byte)'"';
        name.CopyTo(bytes.AsSpan(at));
        at += name.Length;
        bytes[at++] = (byte)'"';
        bytes[at] = (byte)']';
        return bytes;
    }

    /// <summary>
    /// The packet with a recovery offset appended as its last argument, as socket.io does: <c>42["ev",x]</c>
    /// becomes <c>42["ev",x,"1700000000000-0"]</c> (the offset of a binary event goes in its JSON part). Any
    /// other packet (an ack, an event that asks for an ack, CONNECT, DISCONNECT) is returned as it is: those
    /// are never replayed.
    /// </summary>
    public static EncodedPacket WithOffset(EncodedPacket packet, string offset) =>
        IsReplayable(packet.Frame.Span) ? new EncodedPacket(AppendString(packet, offset), packet.Attachments) { Offset = offset } : packet;

    /// <summary>Whether a frame is an event without an ack id (<c>42[</c>, <c>42/nsp,[</c>, <c>451-[</c>), the packets that carry offsets.</summary>
    public static bool IsReplayable(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 3 || frame[0] != (byte)'4' || frame[1] is not ((byte)'2' or (byte)'5'))
        {
            return false;
        }

        var at = 2;
        if (frame[1] == (byte)'5')
        {
            var dash = frame.IndexOf((byte)'-');
            if (dash < 0)
            {
                return false;
            }

            at = dash + 1;
        }

        if (at < frame.Length && frame[at] == (byte)'/')
        {
            var comma = frame[at..].IndexOf((byte)',');
            if (comma < 0)
            {
                return false;
            }

            at += comma + 1;
        }

        return at < frame.Length && frame[at] == (byte)'[' && frame[^1] == (byte)']';
    }

    /// <summary>
    /// The same packet addressed to another namespace: a send by socket id encoded where the socket's
    /// namespace is not known (another server, through a backplane) is re-addressed by the server that
    /// holds the socket.
    /// </summary>
    public static EncodedPacket Readdress(EncodedPacket packet, string fromNamespace, string toNamespace)
    {
        if (string.Equals(fromNamespace, toNamespace, StringComparison.Ordinal))
        {
            return packet;
        }

        // 4 <type> [<attachments>-] [<nsp>,] …: the header ends after the type and the attachment count.
        var frame = packet.Frame.Span;
        var headerEnd = 2;
        if (frame.Length > 2 && frame[1] is (byte)'5' or (byte)'6')
        {
            headerEnd = frame.IndexOf((byte)'-') + 1;
        }

        var rest = frame[headerEnd..];
        if (fromNamespace != "/")
        {
            rest = rest[(Encoding.UTF8.GetByteCount(fromNamespace) + 1)..];
        }

        var prefix = toNamespace == "/" ? [] : Encoding.UTF8.GetBytes(toNamespace + ",");
        var bytes = new byte[headerEnd + prefix.Length + rest.Length];
        frame[..headerEnd].CopyTo(bytes);
        prefix.CopyTo(bytes.AsSpan(headerEnd));
        rest.CopyTo(bytes.AsSpan(headerEnd + prefix.Length));
        return new EncodedPacket(bytes, packet.Attachments);
    }
}
