using System.Text;
using Channels.Backplane;

namespace Channels.Redis;

/// <summary>
/// A <see cref="SocketCommand"/> and its answers as bytes on Redis. A request:
/// <c>[1][server][id:16][kind][target][namespace][socket?][except?][channel?][channels][ack timeout ms][packet?]</c>;
/// a reply: <c>[1][id:16][count][error?][timed out][sockets][ack?]</c>.
/// </summary>
internal static class SocketCommandCodec
{
    private const byte Version = 1;

    public static byte[] EncodeRequest(string serverId, Guid id, SocketCommand command) => Write(writer =>
    {
        writer.Write(serverId);
        writer.Write(id.ToByteArray());
        writer.Write((byte)command.Kind);
        writer.Write((byte)command.Target);
        writer.Write(command.Namespace);
        writer.Write(command.SocketId ?? "");
        writer.Write(command.ExceptSocketId ?? "");
        writer.Write(command.Channel ?? "");
        writer.WriteStrings(command.Channels);
        writer.Write((long)command.AckTimeout.TotalMilliseconds);
        writer.Write(command.Packet is not null);
        if (command.Packet is { } packet)
        {
            writer.WritePacket(packet);
        }
    });

    public static (string ServerId, Guid Id, SocketCommand Command) DecodeRequest(byte[] bytes)
    {
        using var reader = Open(bytes);
        var serverId = reader.ReadString();
        var id = new Guid(reader.ReadBytes(16));
        var kind = (SocketCommandKind)reader.ReadByte();
        var target = (PublicationTarget)reader.ReadByte();
        var nsp = reader.ReadString();
        var socketId = NullIfEmpty(reader.ReadString());
        var except = NullIfEmpty(reader.ReadString());
        var channel = NullIfEmpty(reader.ReadString());
        var channels = reader.ReadStrings();
        var ackTimeout = TimeSpan.FromMilliseconds(reader.ReadInt64());
        var packet = reader.ReadBoolean() ? reader.ReadPacket() : null;
        if (!Enum.IsDefined(kind) || !Enum.IsDefined(target))
        {
            throw new InvalidDataException("Unknown command or target.");
        }

        var command = new SocketCommand(kind, target, nsp)
        {
            Channels = channels,
            SocketId = socketId,
            ExceptSocketId = except,
            Channel = channel,
            Packet = packet,
            AckTimeout = ackTimeout,
        };
        return (serverId, id, command);
    }

    public static byte[] EncodeReply(Guid id, SocketCommandResult result, string? error, bool timedOut) => Write(writer =>
    {
        writer.Write(id.ToByteArray());
        writer.Write(result.Count);
        writer.Write(error ?? "");
        writer.Write(timedOut);
        writer.Write(result.Sockets.Count);
        foreach (var socket in result.Sockets)
        {
            writer.Write(socket.Id);
            writer.Write(socket.Namespace);
            writer.WriteStrings(socket.Channels);
        }

        writer.Write(result.Ack is not null);
        if (result.Ack is { } ack)
        {
            writer.WriteBytes(ack.ToJson());
            writer.WriteAttachments(ack.Attachments);
        }
    });

    public static (Guid Id, SocketCommandResult Result, string? Error, bool TimedOut) DecodeReply(byte[] bytes)
    {
        using var reader = Open(bytes);
        var id = new Guid(reader.ReadBytes(16));
        var count = reader.ReadInt32();
        var error = NullIfEmpty(reader.ReadString());
        var timedOut = reader.ReadBoolean();
        var sockets = new SocketInfo[reader.ReadInt32()];
        for (var i = 0; i < sockets.Length; i++)
        {
            sockets[i] = new SocketInfo(reader.ReadString(), reader.ReadString(), reader.ReadStrings());
        }

        var ack = reader.ReadBoolean() ? ChannelPayload.FromJson(reader.ReadBytes(), reader.ReadAttachments()) : null;
        return (id, new SocketCommandResult(count, sockets, ack), error, timedOut);
    }

    private static byte[] Write(Action<BinaryWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            body(writer);
        }

        return stream.ToArray();
    }

    private static BinaryReader Open(byte[] bytes)
    {
        var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        if (reader.ReadByte() != Version)
        {
            reader.Dispose();
            throw new InvalidDataException("Unknown backplane command version.");
        }

        return reader;
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
