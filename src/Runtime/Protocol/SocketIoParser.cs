using System.Text;
using System.Text.Json;

namespace Channels.Protocol;

/// <summary>
/// Decodes the text of a Socket.IO packet (<c>&lt;type&gt;[&lt;attachments&gt;-][&lt;nsp&gt;,][&lt;ack id&gt;][JSON]</c>)
/// and validates it as the reference parser does. Works on the bytes after the Engine.IO <c>4</c>.
/// </summary>
internal static class SocketIoParser
{
    private const int MaxAckIdDigits = 15;
    private const int MaxNamespaceLength = 256;

    private static readonly string[] ReservedEvents =
        ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];

    public static bool TryParse(ReadOnlyMemory<byte> data, int maxAttachments, out SocketIoPacket? packet, out string? error)
    {
        packet = null;
        var span = data.Span;
        if (span.IsEmpty || span[0] < (byte)'0' || span[0] > (byte)'6')
        {
            error = ProtocolErrors.UnknownType;
            return false;
        }

        var type = (SocketIoPacketType)(span[0] - '0');
        var i = 1;

        var attachments = 0;
        if (type is SocketIoPacketType.BinaryEvent or SocketIoPacketType.BinaryAck)
        {
            var dash = span[i..].IndexOf((byte)'-');
            if (dash <= 0 || dash > 4 || !TryParseDigits(span.Slice(i, dash), out var count))
            {
                error = ProtocolErrors.BadAttachments;
                return false;
            }

            if (count > maxAttachments)
            {
                error = ProtocolErrors.TooManyAttachments;
                return false;
            }

            attachments = (int)count;
            i += dash + 1;
        }

        var nsp = "/";
        if (i < span.Length && span[i] == (byte)'/')
        {
            var comma = span[i..].IndexOf((byte)',');
            var length = comma < 0 ? span.Length - i : comma;
            if (length > MaxNamespaceLength)
            {
                error = ProtocolErrors.BadNamespace;
                return false;
            }

            nsp = Encoding.UTF8.GetString(span.Slice(i, length));
            i += comma < 0 ? length : length + 1;
        }

        long ackId = -1;
        var digits = 0;
        while (i + digits < span.Length && IsDigit(span[i + digits]))
        {
            digits++;
        }

        if (digits > 0)
        {
            if (digits > MaxAckIdDigits || !TryParseDigits(span.Slice(i, digits), out ackId))
            {
                error = ProtocolErrors.BadAckId;
                return false;
            }

            i += digits;
        }

        var json = data[i..];
        if (!TryValidate(type, json, ackId, out var arguments, out var eventName, out error))
        {
            return false;
        }

        packet = new SocketIoPacket(type, nsp, ackId, attachments, json, arguments) { EventName = eventName };
        return true;
    }

    private static bool TryValidate(SocketIoPacketType type, ReadOnlyMemory<byte> json, long ackId, out ChannelPayload? arguments, out string? eventName, out string? error)
    {
        arguments = null;
        eventName = null;
        error = null;
        var kind = JsonValueKind.Undefined;
        if (!json.IsEmpty && !TryGetKind(json.Span, out kind))
        {
            error = ProtocolErrors.BadJson;
            return false;
        }

        var valid = type switch
        {
            SocketIoPacketType.Connect => kind is JsonValueKind.Undefined or JsonValueKind.Object && ackId < 0,
            SocketIoPacketType.Disconnect => kind is JsonValueKind.Undefined && ackId < 0,
            SocketIoPacketType.ConnectError => kind is JsonValueKind.String or JsonValueKind.Object,
            SocketIoPacketType.Event or SocketIoPacketType.BinaryEvent => kind is JsonValueKind.Array,
            SocketIoPacketType.Ack or SocketIoPacketType.BinaryAck => kind is JsonValueKind.Array && ackId >= 0,
            _ => false,
        };
        if (!valid)
        {
            error = ProtocolErrors.BadPayload;
            return false;
        }

        if (kind != JsonValueKind.Array)
        {
            return true;
        }

        var items = SplitArray(json.Span);
        if (type is SocketIoPacketType.Ack or SocketIoPacketType.BinaryAck)
        {
            arguments = new ChannelPayload(json, items);
            return true;
        }

        if (items.Length == 0 || !TryGetEventName(json.Span.Slice(items[0].Start, items[0].Length), out eventName))
        {
            error = ProtocolErrors.BadPayload;
            return false;
        }

        if (Array.IndexOf(ReservedEvents, eventName) >= 0)
        {
            error = ProtocolErrors.ReservedEvent;
            return false;
        }

        arguments = new ChannelPayload(json, items[1..]);
        return true;
    }

    private static bool TryGetEventName(ReadOnlySpan<byte> raw, out string? name)
    {
        var reader = new Utf8JsonReader(raw);
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                // Valid JSON can still escape a lone surrogate ("\udc00"), which is no string at all.
                try
                {
                    name = reader.GetString();
                    return true;
                }
                catch (InvalidOperationException)
                {
                    name = null;
                    return false;
                }

            case JsonTokenType.Number:
                name = Encoding.UTF8.GetString(raw);
                return true;
            default:
                name = null;
                return false;
        }
    }

    /// <summary>Reads the whole document (which validates it) and reports the kind of its root.</summary>
    private static bool TryGetKind(ReadOnlySpan<byte> json, out JsonValueKind kind)
    {
        kind = JsonValueKind.Undefined;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read())
            {
                return false;
            }

            kind = reader.TokenType switch
            {
                JsonTokenType.StartObject => JsonValueKind.Object,
                JsonTokenType.StartArray => JsonValueKind.Array,
                JsonTokenType.String => JsonValueKind.String,
                JsonTokenType.Number => JsonValueKind.Number,
                JsonTokenType.True => JsonValueKind.True,
                JsonTokenType.False => JsonValueKind.False,
                _ => JsonValueKind.Null,
            };
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The byte range of each item of a JSON array that is already known to be valid.</summary>
    internal static (int Start, int Length)[] SplitArray(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var count = 0;
        Span<(int, int)> small = stackalloc (int, int)[8];
        List<(int, int)>? large = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var item = (start, (int)reader.BytesConsumed - start);
            if (count < small.Length)
            {
                small[count] = item;
            }
            else
            {
                large ??= [.. small];
                large.Add(item);
            }

            count++;
        }

        return large is null ? small[..count].ToArray() : [.. large];
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool TryParseDigits(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (var b in digits)
        {
            if (!IsDigit(b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }
}
