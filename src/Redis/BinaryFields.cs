using Channels.Backplane;

namespace Channels.Redis;

/// <summary>
/// The fields both Redis codecs write (<see cref="PublicationCodec"/>, <see cref="SocketCommandCodec"/>): a
/// length-prefixed byte block, a counted list of strings, and an encoded packet (its frame, then its counted
/// attachments).
/// </summary>
internal static class BinaryFields
{
    public static void WriteBytes(this BinaryWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    public static byte[] ReadBytes(this BinaryReader reader) => reader.ReadBytes(reader.ReadInt32());

    public static void WriteStrings(this BinaryWriter writer, IReadOnlyList<string> strings)
    {
        writer.Write(strings.Count);
        foreach (var s in strings)
        {
            writer.Write(s);
        }
    }

    public static string[] ReadStrings(this BinaryReader reader)
    {
        var strings = new string[reader.ReadInt32()];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = reader.ReadString();
        }

        return strings;
    }

    public static void WriteAttachments(this BinaryWriter writer, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        writer.Write(attachments.Count);
        foreach (var attachment in attachments)
        {
            writer.WriteBytes(attachment.Span);
        }
    }

    public static ReadOnlyMemory<byte>[] ReadAttachments(this BinaryReader reader)
    {
        var attachments = new ReadOnlyMemory<byte>[reader.ReadInt32()];
        for (var i = 0; i < attachments.Length; i++)
        {
            attachments[i] = reader.ReadBytes();
        }

        return attachments;
    }

    public static void WritePacket(this BinaryWriter writer, EncodedPacket packet)
    {
        writer.WriteBytes(packet.Frame.Span);
        writer.WriteAttachments(packet.Attachments);
    }

    public static EncodedPacket ReadPacket(this BinaryReader reader) => new(reader.ReadBytes(), reader.ReadAttachments());
}
