using System.Globalization;
using System.Text;

namespace Channels.Testing;

/// <summary>
/// A Socket.IO v5 packet as a client reads and writes it: <c>type[attachments-][/nsp,][id][json]</c>.
/// The client side of the protocol (the server's parser is the runtime's own, never shared with this).
/// </summary>
internal readonly record struct ClientPacket(int Type, string Namespace, long? AckId, int Attachments, string Json)
{
    public const int Connect = 0;
    public const int Disconnect = 1;
    public const int Event = 2;
    public const int Ack = 3;
    public const int ConnectError = 4;
    public const int BinaryEvent = 5;
    public const int BinaryAck = 6;

    /// <summary>Writes a packet in the Engine.IO message form (with the leading <c>4</c>).</summary>
    public static string Write(int type, string @namespace, long? ackId, string? json)
    {
        var text = new StringBuilder("4").Append(type.ToString(CultureInfo.InvariantCulture));
        if (@namespace != "/")
        {
            text.Append(@namespace).Append(',');
        }

        if (ackId is { } id)
        {
            text.Append(id.ToString(CultureInfo.InvariantCulture));
        }

        return text.Append(json).ToString();
    }

    /// <summary>Parses the Socket.IO packet of an Engine.IO message (the text after its leading <c>4</c>).</summary>
    public static ClientPacket Parse(string text)
    {
        if (text.Length == 0 || text[0] is < '0' or > '6')
        {
            throw new FormatException($"not a Socket.IO packet: {Excerpt(text)}");
        }

        var type = text[0] - '0';
        var i = 1;
        var attachments = 0;
        if (type is BinaryEvent or BinaryAck)
        {
            var dash = text.IndexOf('-', i);
            attachments = int.Parse(text.AsSpan(i, dash - i), CultureInfo.InvariantCulture);
            i = dash + 1;
        }

        var @namespace = "/";
        if (i < text.Length && text[i] == '/')
        {
            var comma = text.IndexOf(',', i);
            var end = comma < 0 ? text.Length : comma;
            @namespace = text[i..end];
            i = comma < 0 ? end : end + 1;
        }

        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        long? ackId = i > start ? long.Parse(text.AsSpan(start, i - start), CultureInfo.InvariantCulture) : null;
        return new ClientPacket(type, @namespace, ackId, attachments, text[i..]);
    }

    public static string Excerpt(string text) => text.Length <= 200 ? text : text[..200] + $"… ({text.Length} characters)";
}
