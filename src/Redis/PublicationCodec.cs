using System.Diagnostics;
using System.Text;
using Channels.Backplane;

namespace Channels.Redis;

/// <summary>
/// A publication as bytes on a Redis channel: the sending server, an id (to drop duplicates), the target,
/// the encoded packets exactly as they go to clients, and the trace the publication was made in (W3C trace
/// context in binary: trace id, span id, flags, trace state). Version 3:
/// <c>[3][server][id:16][target][appends channel][namespace][except?][socket?][channels][packets: frame, attachments][trace?: trace id:16, span id:8, flags, state]</c>.
/// Other versions are refused (every server of a deployment runs the same version).
/// </summary>
internal static class PublicationCodec
{
    private const byte Version = 3;

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
            writer.WriteStrings(publication.Channels);
            writer.Write(publication.Packets.Count);
            foreach (var packet in publication.Packets)
            {
                writer.WritePacket(packet);
            }

            WriteTraceContext(writer, publication.TraceContext);
        }

        return stream.ToArray();
    }

    public static (string ServerId, Guid Id, ChannelPublication Publication) Decode(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw new InvalidDataException(
                $"Backplane message version {version} is not {Version}: every server sharing a Redis channel prefix must run the same Channels.SDK version.");
        }

        var serverId = reader.ReadString();
        var id = new Guid(reader.ReadBytes(16));
        var target = (PublicationTarget)reader.ReadByte();
        var appendsChannel = reader.ReadBoolean();
        var nsp = reader.ReadString();
        var except = reader.ReadString();
        var socketId = reader.ReadString();
        var channels = reader.ReadStrings();
        var packets = new EncodedPacket[reader.ReadInt32()];
        for (var i = 0; i < packets.Length; i++)
        {
            packets[i] = reader.ReadPacket();
        }

        var exceptId = except.Length == 0 ? null : except;
        var publication = target switch
        {
            PublicationTarget.All => ChannelPublication.ToAll(nsp, packets[0], exceptId),
            PublicationTarget.Socket => ChannelPublication.ToSocket(socketId, packets[0], nsp),
            _ when appendsChannel => ChannelPublication.ToEachChannel(nsp, channels, packets[0], exceptId),
            _ => ChannelPublication.ToChannels(nsp, channels, packets, exceptId),
        };
        var trace = ReadTraceContext(reader);
        return (serverId, id, trace == default ? publication : publication.WithTraceContext(trace));
    }

    private static void WriteTraceContext(BinaryWriter writer, ActivityContext context)
    {
        writer.Write(context != default);
        if (context == default)
        {
            return;
        }

        Span<byte> ids = stackalloc byte[24];
        context.TraceId.CopyTo(ids[..16]);
        context.SpanId.CopyTo(ids[16..]);
        writer.Write(ids);
        writer.Write((byte)context.TraceFlags);
        writer.Write(context.TraceState ?? "");
    }

    private static ActivityContext ReadTraceContext(BinaryReader reader)
    {
        if (!reader.ReadBoolean())
        {
            return default;
        }

        Span<byte> ids = stackalloc byte[24];
        reader.BaseStream.ReadExactly(ids);
        var flags = (ActivityTraceFlags)reader.ReadByte();
        var state = reader.ReadString();
        return new ActivityContext(
            ActivityTraceId.CreateFromBytes(ids[..16]),
            ActivitySpanId.CreateFromBytes(ids[16..]),
            flags,
            state.Length == 0 ? null : state,
            isRemote: true);
    }


}
