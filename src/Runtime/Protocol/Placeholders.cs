using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Channels.Protocol;

/// <summary>
/// The attachment placeholders of a received packet, <c>{"_placeholder":true,"num":N}</c>, wherever they are
/// in an argument. For typed binding each placeholder is replaced by its attachment as a base64 string,
/// which System.Text.Json binds to <c>byte[]</c>, <c>ReadOnlyMemory&lt;byte&gt;</c> and
/// <c>Memory&lt;byte&gt;</c> with any type info (source-generated or not) and no converter.
/// </summary>
internal static class Placeholders
{
    /// <summary>
    /// Reads a placeholder object; <paramref name="reader"/> is on its <c>StartObject</c> and, on success, is
    /// left on its <c>EndObject</c>. An object with any other property, or a nested value, is no placeholder.
    /// </summary>
    public static bool TryRead(ref Utf8JsonReader reader, out int num)
    {
        num = -1;
        var placeholder = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isFlag = reader.ValueTextEquals("_placeholder"u8);
            if (!isFlag && !reader.ValueTextEquals("num"u8))
            {
                return false;
            }

            reader.Read();
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                return false;
            }

            if (isFlag)
            {
                placeholder = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out num))
            {
                return false;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject && placeholder && num >= 0;
    }

    /// <summary>
    /// <paramref name="json"/> with every placeholder that names one of <paramref name="attachments"/>
    /// replaced by that attachment as a base64 string, in a buffer rented from the shared pool (the caller
    /// returns it). False, and no buffer, when there is no such placeholder. Each attachment may be named
    /// once (socket.io's encoder gives every buffer its own number), so the result is at most the JSON plus
    /// the attachments in base64; a placeholder naming no attachment is left as it is.
    /// </summary>
    /// <exception cref="JsonException">An attachment is named twice.</exception>
    public static bool TryInline(ReadOnlySpan<byte> json, IReadOnlyList<ReadOnlyMemory<byte>> attachments, [NotNullWhen(true)] out byte[]? buffer, out int length)
    {
        buffer = null;
        length = 0;
        List<(int Start, int End, int Num)>? found = null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                continue;
            }

            var start = (int)reader.TokenStartIndex;
            var probe = reader;
            if (!TryRead(ref probe, out var num) || num >= attachments.Count)
            {
                continue;
            }

            found ??= [];
            if (found.Exists(f => f.Num == num))
            {
                throw new JsonException($"attachment {num} is named by more than one placeholder");
            }

            found.Add((start, (int)probe.BytesConsumed, num));
            reader = probe;
        }

        if (found is null)
        {
            return false;
        }

        length = json.Length;
        foreach (var (start, end, num) in found)
        {
            length += 2 + Base64.GetMaxEncodedToUtf8Length(attachments[num].Length) - (end - start);
        }

        buffer = ArrayPool<byte>.Shared.Rent(length);
        var output = buffer.AsSpan();
        var read = 0;
        var at = 0;
        foreach (var (start, end, num) in found)
        {
            json[read..start].CopyTo(output[at..]);
            at += start - read;
            output[at++] = (byte)'"';
            Base64.EncodeToUtf8(attachments[num].Span, output[at..], out _, out var written);
            at += written;
            output[at++] = (byte)'"';
            read = end;
        }

        json[read..].CopyTo(output[at..]);
        length = at + json.Length - read;
        return true;
    }
}
