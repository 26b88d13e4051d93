using System.Buffers;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using System.Text;
using Channels.Backplane;

namespace Channels.Protocol;

/// <summary>
/// Encodes one outgoing Socket.IO EVENT or ACK: the JSON array is written first (binary values become
/// placeholders and attachments, at the top level here and nested anywhere through
/// <see cref="BinaryConverters"/>), then the header, into one exact-size frame. Instances are cached per
/// thread; use <see cref="Rent"/> and <see cref="Finish"/> in one synchronous stretch.
/// </summary>
internal sealed class PacketWriter
{
    [ThreadStatic]
    private static PacketWriter? s_cached;

    /// <summary>The writer between <see cref="Rent"/> and <see cref="Return"/> on this thread, for the converters.</summary>
    [ThreadStatic]
    private static PacketWriter? s_current;

    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _json;
    private readonly List<ReadOnlyMemory<byte>> _attachments = [];
    private PacketWriter? _outer;

    private PacketWriter() => _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });

    public JsonSerializerOptions Options { get; private set; } = ChannelsJsonContext.Default.Options;

    public static PacketWriter Rent(JsonSerializerOptions options)
    {
        var writer = s_cached ?? new PacketWriter();
        s_cached = null;
        writer._outer = s_current;
        s_current = writer;
        writer.Options = options;
        writer._json.WriteStartArray();
        return writer;
    }

    /// <summary>Writes a string item (an event name or a channel).</summary>
    public void WriteString(string value) => _json.WriteStringValue(value);

    /// <summary>Writes a typed value through the options' type info resolver.</summary>
    public void WriteValue<T>(T value)
    {
        if (value is null)
        {
            _json.WriteNullValue();
            return;
        }

        if (TryWriteSpecial(value))
        {
            return;
        }

        if (typeof(T) == typeof(object))
        {
            WriteObject(value);
            return;
        }

        JsonSerializer.Serialize(_json, value, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));
    }

    /// <summary>Writes a value whose type is known only at run time.</summary>
    public void WriteObject(object? value)
    {
        if (value is null)
        {
            _json.WriteNullValue();
        }
        else if (!TryWriteSpecial(value))
        {
            JsonSerializer.Serialize(_json, value, Options.GetTypeInfo(value.GetType()));
        }
    }

    /// <summary>Writes each argument a payload holds, keeping its attachments.</summary>
    public void WriteArguments(ChannelPayload payload)
    {
        var offset = _attachments.Count;
        for (var i = 0; i < payload.Count; i++)
        {
            var raw = payload.GetRawJson(i);
            if (offset == 0 || payload.Attachments.Count == 0)
            {
                _json.WriteRawValue(raw.Span, skipInputValidation: true);
            }
            else
            {
                var node = JsonNode.Parse(raw.Span);
                Renumber(node, offset);
                if (node is null)
                {
                    _json.WriteNullValue();
                }
                else
                {
                    node.WriteTo(_json);
                }
            }
        }

        _attachments.AddRange(payload.Attachments);
    }

    /// <summary>Ends the array and encodes the whole frame.</summary>
    public EncodedPacket Finish(bool ack, string @namespace, long ackId)
    {
        try
        {
            _json.WriteEndArray();
            _json.Flush();
            var binary = _attachments.Count > 0;
            var type = (ack, binary) switch
            {
                (false, false) => SocketIoPacketType.Event,
                (false, true) => SocketIoPacketType.BinaryEvent,
                (true, false) => SocketIoPacketType.Ack,
                (true, true) => SocketIoPacketType.BinaryAck,
            };

            Span<byte> count = stackalloc byte[20];
            Span<byte> id = stackalloc byte[20];
            var countLength = 0;
            var idLength = 0;
            if (binary)
            {
                _attachments.Count.TryFormat(count, out countLength);
            }

            if (ackId >= 0)
            {
                ackId.TryFormat(id, out idLength);
            }

            var nspLength = @namespace == "/" ? 0 : Encoding.UTF8.GetByteCount(@namespace) + 1;
            var frame = new byte[2 + (binary ? countLength + 1 : 0) + nspLength + idLength + _buffer.WrittenCount];
            frame[0] = (byte)'4';
            frame[1] = (byte)('0' + (int)type);
            var at = 2;
            if (binary)
            {
                count[..countLength].CopyTo(frame.AsSpan(at));
                at += countLength;
                frame[at++] = (byte)'-';
            }

            if (nspLength > 0)
            {
                at += Encoding.UTF8.GetBytes(@namespace, frame.AsSpan(at));
                frame[at++] = (byte)',';
            }

            id[..idLength].CopyTo(frame.AsSpan(at));
            at += idLength;
            _buffer.WrittenSpan.CopyTo(frame.AsSpan(at));

            return new EncodedPacket(frame, binary ? _attachments.ToArray() : null);
        }
        finally
        {
            Return();
        }
    }

    /// <summary>
    /// Writes a binary value met while serializing: a placeholder and an attachment when
    /// <paramref name="json"/> is the writer of the packet being encoded on this thread, a base64 string
    /// (System.Text.Json's own form) anywhere else.
    /// </summary>
    public static void WriteBinary(Utf8JsonWriter json, ReadOnlyMemory<byte> bytes)
    {
        if (s_current is { } current && ReferenceEquals(current._json, json))
        {
            current.WritePlaceholder(bytes);
        }
        else
        {
            json.WriteBase64StringValue(bytes.Span);
        }
    }

    /// <summary>Abandons a packet (for example when serialization threw) and returns the writer.</summary>
    public void Return()
    {
        s_current = _outer;
        _outer = null;
        _json.Reset();
        _buffer.ResetWrittenCount();
        _attachments.Clear();
        Options = ChannelsJsonContext.Default.Options;
        if (_buffer.Capacity <= 64 * 1024)
        {
            s_cached = this;
        }
    }

    private bool TryWriteSpecial(object value)
    {
        switch (value)
        {
            case string s:
                _json.WriteStringValue(s);
                return true;
            case JsonElement element:
                element.WriteTo(_json);
                return true;
            case byte[] bytes:
                WritePlaceholder(bytes);
                return true;
            case ReadOnlyMemory<byte> memory:
                WritePlaceholder(memory);
                return true;
            case Memory<byte> memory:
                WritePlaceholder(memory);
                return true;
            case ArraySegment<byte> segment:
                WritePlaceholder(segment);
                return true;
            case ChannelPayload payload:
                WriteArguments(payload);
                return true;
            default:
                return false;
        }
    }

    private void WritePlaceholder(ReadOnlyMemory<byte> bytes)
    {
        _json.WriteStartObject();
        _json.WriteBoolean("_placeholder"u8, true);
        _json.WriteNumber("num"u8, _attachments.Count);
        _json.WriteEndObject();
        _attachments.Add(bytes);
    }

    private static void Renumber(JsonNode? node, int offset)
    {
        switch (node)
        {
            case JsonObject obj when obj.TryGetPropertyValue("_placeholder", out var flag) && flag is JsonValue && obj["num"] is JsonValue num:
                obj["num"] = num.GetValue<int>() + offset;
                break;
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Renumber(child, offset);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Renumber(child, offset);
                }

                break;
        }
    }
}
