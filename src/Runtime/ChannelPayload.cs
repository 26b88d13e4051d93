using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Channels.Protocol;

namespace Channels;

/// <summary>
/// The arguments of a message or event as they arrived: raw JSON per argument, with binary
/// attachments resolved from their placeholders. Generated handler code binds parameters from it;
/// nothing is deserialized until a handler asks for a type.
/// </summary>
public sealed class ChannelPayload
{
    private static readonly ReadOnlyMemory<byte>[] NoAttachments = [];
    private readonly ReadOnlyMemory<byte> _json;
    private readonly (int Start, int Length)[] _items;

    internal ChannelPayload(ReadOnlyMemory<byte> json, (int Start, int Length)[] items, ReadOnlyMemory<byte>[]? attachments = null)
    {
        _json = json;
        _items = items;
        Attachments = attachments ?? NoAttachments;
    }

    /// <summary>
    /// A payload from the UTF-8 JSON array of its arguments (placeholders left as they are) and the binary
    /// attachments they refer to: what a backplane rebuilds after carrying a payload between servers.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="json"/> is not one JSON array.</exception>
    public static ChannelPayload FromJson(ReadOnlyMemory<byte> json, IReadOnlyList<ReadOnlyMemory<byte>>? attachments = null)
    {
        if (!IsOneArray(json.Span))
        {
            throw new ArgumentException("The arguments must be one JSON array.", nameof(json));
        }

        return new(json, Protocol.SocketIoParser.SplitArray(json.Span), attachments is null ? null : [.. attachments]);
    }

    /// <summary>The arguments as one UTF-8 JSON array, placeholders left as they are (the inverse of <see cref="FromJson"/>).</summary>
    public byte[] ToJson()
    {
        var length = 2 + Math.Max(0, _items.Length - 1);
        foreach (var (_, itemLength) in _items)
        {
            length += itemLength;
        }

        var bytes = new byte[length];
        var at = 0;
        bytes[at++] = (byte)'[';
        for (var i = 0; i < _items.Length; i++)
        {
            if (i > 0)
            {
                bytes[at++] = (byte)',';
            }

            GetRawJson(i).Span.CopyTo(bytes.AsSpan(at));
            at += _items[i].Length;
        }

        bytes[at] = (byte)']';
        return bytes;
    }

    private static bool IsOneArray(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>An empty payload.</summary>
    public static ChannelPayload Empty { get; } = new(ReadOnlyMemory<byte>.Empty, []);

    /// <summary>How many arguments there are.</summary>
    public int Count => _items.Length;

    /// <summary>The binary attachments, in placeholder order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments { get; }

    /// <summary>The raw UTF-8 JSON of argument <paramref name="index"/>, placeholders left as they are.</summary>
    public ReadOnlyMemory<byte> GetRawJson(int index)
    {
        var (start, length) = _items[index];
        return _json.Slice(start, length);
    }

    /// <summary>The JSON kind of argument <paramref name="index"/>.</summary>
    public JsonValueKind GetValueKind(int index)
    {
        var first = GetRawJson(index).Span[0];
        return first switch
        {
            (byte)'"' => JsonValueKind.String,
            (byte)'{' => JsonValueKind.Object,
            (byte)'[' => JsonValueKind.Array,
            (byte)'t' => JsonValueKind.True,
            (byte)'f' => JsonValueKind.False,
            (byte)'n' => JsonValueKind.Null,
            _ => JsonValueKind.Number,
        };
    }

    /// <summary>
    /// Argument <paramref name="index"/> as a string: the value of a JSON string, <see langword="null"/>
    /// for JSON null, and the JSON text itself for any other value.
    /// </summary>
    /// <exception cref="ChannelProtocolException">The client's string is not valid text (an escaped lone surrogate).</exception>
    public string? GetString(int index) =>
        TryGetString(index, out var value) ? value : throw new ChannelProtocolException($"argument {index} is not valid text");

    /// <summary>As <see cref="GetString"/>, false instead of an exception when the string is not valid text.</summary>
    internal bool TryGetString(int index, out string? value)
    {
        var raw = GetRawJson(index).Span;
        switch (raw[0])
        {
            case (byte)'"':
                var reader = new Utf8JsonReader(raw);
                reader.Read();
                try
                {
                    value = reader.GetString();
                    return true;
                }
                catch (InvalidOperationException)
                {
                    value = null;
                    return false;
                }

            case (byte)'n':
                value = null;
                return true;
            default:
                value = Encoding.UTF8.GetString(raw);
                return true;
        }
    }

    /// <summary>Argument <paramref name="index"/> as a <see cref="JsonElement"/> that outlives this payload.</summary>
    public JsonElement GetElement(int index)
    {
        var reader = new Utf8JsonReader(GetRawJson(index).Span);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>
    /// Deserializes argument <paramref name="index"/> with a source-generated type info. Binary attachments
    /// bind wherever their placeholders are: to <c>byte[]</c>, <c>ReadOnlyMemory&lt;byte&gt;</c> or
    /// <c>Memory&lt;byte&gt;</c> members and items (each placeholder is read as its attachment in base64, so a
    /// <c>string</c> member gets the base64 text).
    /// </summary>
    /// <exception cref="JsonException">The JSON does not fit <typeparamref name="T"/>, or an attachment is named twice.</exception>
    public T? Deserialize<T>(int index, JsonTypeInfo<T> typeInfo)
    {
        var raw = GetRawJson(index).Span;
        if (Attachments.Count == 0 || !Placeholders.TryInline(raw, Attachments, out var buffer, out var length))
        {
            return JsonSerializer.Deserialize(raw, typeInfo);
        }

        try
        {
            return JsonSerializer.Deserialize(buffer.AsSpan(0, length), typeInfo);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// When argument <paramref name="index"/> is a binary attachment placeholder, gets its bytes.
    /// </summary>
    public bool TryGetBinary(int index, out ReadOnlyMemory<byte> bytes)
    {
        bytes = default;
        var raw = GetRawJson(index).Span;
        if (raw[0] != (byte)'{' || !TryReadPlaceholder(raw, out var num) || num >= Attachments.Count)
        {
            return false;
        }

        bytes = Attachments[num];
        return true;
    }

    internal ReadOnlyMemory<byte> Json => _json;

    /// <summary>The same arguments with the binary attachments their placeholders refer to.</summary>
    internal ChannelPayload WithAttachments(ReadOnlyMemory<byte>[] attachments) => new(_json, _items, attachments);

    /// <summary>The same payload without its first <paramref name="count"/> arguments (which share the attachments).</summary>
    internal ChannelPayload Skip(int count) =>
        new(_json, count >= _items.Length ? [] : _items[count..], Attachments as ReadOnlyMemory<byte>[] ?? [.. Attachments]);

    internal static bool TryReadPlaceholder(ReadOnlySpan<byte> json, out int num)
    {
        num = -1;
        var reader = new Utf8JsonReader(json);
        return reader.Read() && reader.TokenType == JsonTokenType.StartObject && Placeholders.TryRead(ref reader, out num);
    }
}
