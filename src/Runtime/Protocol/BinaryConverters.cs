using System.Text.Json;
using System.Text.Json.Serialization;

namespace Channels.Protocol;

/// <summary>
/// Binary values nested in what the server sends (a <c>byte[]</c> property of a record, a buffer in a list)
/// go out as Socket.IO attachments, as socket.io does: these converters, in the runtime's copy of the app's
/// JSON options, write a placeholder and hand the bytes to the <see cref="PacketWriter"/> that is encoding
/// the packet. Anywhere else (the app's own serialization never sees them) they write base64 strings and read
/// base64 strings, as System.Text.Json's own converters do.
/// </summary>
internal static class BinaryConverters
{
    /// <summary>
    /// A copy of <paramref name="options"/> for encoding packets: the same resolvers and settings, with the
    /// attachment converters added after the app's own (a converter the app registers for these types wins).
    /// </summary>
    public static JsonSerializerOptions ForPackets(JsonSerializerOptions options)
    {
        var copy = new JsonSerializerOptions(options);
        copy.Converters.Add(new ByteArrayConverter());
        copy.Converters.Add(new ReadOnlyMemoryConverter());
        copy.Converters.Add(new MemoryConverter());
        copy.MakeReadOnly();
        return copy;
    }

    private sealed class ByteArrayConverter : JsonConverter<byte[]>
    {
        public override byte[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetBytesFromBase64();

        public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options) =>
            PacketWriter.WriteBinary(writer, value);
    }

    private sealed class ReadOnlyMemoryConverter : JsonConverter<ReadOnlyMemory<byte>>
    {
        public override ReadOnlyMemory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? default : reader.GetBytesFromBase64();

        public override void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> value, JsonSerializerOptions options) =>
            PacketWriter.WriteBinary(writer, value);
    }

    private sealed class MemoryConverter : JsonConverter<Memory<byte>>
    {
        public override Memory<byte> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? default : reader.GetBytesFromBase64();

        public override void Write(Utf8JsonWriter writer, Memory<byte> value, JsonSerializerOptions options) =>
            PacketWriter.WriteBinary(writer, value);
    }
}
