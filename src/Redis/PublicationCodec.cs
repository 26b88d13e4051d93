using System.Text;
using Channels.Backplane;

namespace Channels.Redis;

/// <summary>
/// A publication as bytes on a Redis channel: the sending server, an id (to drop duplicates), the target,
/// and the encoded packets exactly as they go to clients. Version 2:
/// <c>[2][server][id:16][target][appends channel][namespace][except?][socket?][channels][packets: frame, attachments]</c>.
/// </summary>
internal static class PublicationCodec
{
    private const byte Version = 2;

    public static byte[] Encode(string serverId, Guid id, ChannelPublication publication)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(serverId);
            writer.Write(id.ToByteArray());
            writer.Write((byte)publication.Target);
            writer.Write(publication.AppendsChannel);
            writer.Write(publication.Namespace);
            writer.Write(publication.ExceptSocketId ?? "");
            writer.Write(publication.SocketId ?? "");
            writer.Write(publication.Channels.Count);
            foreach (var channel in publication.Channels)
            {
                writer.Write(channel);
            }

            writer.Write(publication.Packets.Count);
            foreach (var packet in publication.Packets)
            {
                WriteBytes(writer, packet.Frame.Span);
                writer.Write(packet.Attachments.Count);
                foreach (var attachment in packet.Attachments)
                {
                    WriteBytes(writer, attachment.Span);
                }
            }
        }

        return stream.ToArray();
    }

    public static (string ServerId, Guid Id, ChannelPublication Publication) Decode(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        if (reader.ReadByte() != Version)
        {
            throw new InvalidDataException("Unknown backplane message version.");
        }

        var serverId = reader.ReadString();
        var id = new Guid(reader.ReadBytes(16));
        var target = (PublicationTarget)reader.ReadByte();
        var appendsChannel = reader.ReadBoolean();
        var nsp = reader.ReadString();
        var except = reader.ReadString();
        var socketId = reader.ReadString();
        var channels = new string[reader.ReadInt32()];
        for (var i = 0; i < channels.Length; i++)
        {
            channels[i] = reader.ReadString();
        }

        var packets = new EncodedPacket[reader.ReadInt32()];
        for (var i = 0; i < packets.Length; i++)
        {
            var frame = ReadBytes(reader);
            var attachments = new ReadOnlyMemory<byte>[reader.ReadInt32()];
            for (var j = 0; j < attachments.Length; j++)
            {
                attachments[j] = ReadBytes(reader);
            }

            packets[i] = new EncodedPacket(frame, attachments);
        }

        var exceptId = except.Length == 0 ? null : except;
        var publication = target switch
        {
            PublicationTarget.All => ChannelPublication.ToAll(nsp, packets[0], exceptId),
            PublicationTarget.Socket => ChannelPublication.ToSocket(socketId, packets[0], nsp),
            _ when appendsChannel => ChannelPublication.ToEachChannel(nsp, channels, packets[0], exceptId),
            _ => ChannelPublication.ToChannels(nsp, channels, packets, exceptId),
        };
        return (serverId, id, publication);
    }

    private static void WriteBytes(BinaryWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader reader) => reader.ReadBytes(reader.ReadInt32());
}
