using System.Text.Json;
using System.Text;
using Channels.Backplane;

namespace Channels.Protocol;

/// <summary>Encodes the small fixed-shape Socket.IO packets the server sends: CONNECT, CONNECT_ERROR, DISCONNECT.</summary>
internal static class SocketIoFrames
{
    /// <summary><c>40[nsp,]{"sid":"…"}</c>, and <c>"pid":"…"</c> (the private id of connection-state recovery) when there is one.</summary>
    public static EncodedPacket Connect(string @namespace, string socketId, string? pid = null) =>
        Build(SocketIoPacketType.Connect, @namespace, json =>
        {
            json.WriteString("sid"u8, socketId);
            if (pid is not null)
            {
                json.WriteString("pid"u8, pid);
            }
        });

    /// <summary><c>44[nsp,]{"message":"…"}</c>, with optional <c>data</c>.</summary>
    public static EncodedPacket ConnectError(string @namespace, string message, JsonElement? data = null) =>
        Build(SocketIoPacketType.ConnectError, @namespace, json =>
        {
            json.WriteString("message"u8, message);
            if (data is { } value)
            {
                json.WritePropertyName("data"u8);
                value.WriteTo(json);
            }
        });

    /// <summary><c>41[nsp,]</c></summary>
    public static EncodedPacket Disconnect(string @namespace) =>
        new(Encoding.UTF8.GetBytes(@namespace == "/" ? "41" : $"41{@namespace},"));

    private static EncodedPacket Build(SocketIoPacketType type, string @namespace, Action<Utf8JsonWriter> writeBody)
    {
        using var stream = new MemoryStream();
        stream.WriteByte((byte)'4');
        stream.WriteByte((byte)('0' + (int)type));
        if (@namespace != "/")
        {
            stream.Write(Encoding.UTF8.GetBytes(@namespace));
            stream.WriteByte((byte)',');
        }

        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            writeBody(json);
            json.WriteEndObject();
        }

        return new EncodedPacket(stream.ToArray());
    }
}
