using System.Buffers;
using System.Text.Json;

namespace Channels.Recovery;

/// <summary>
/// A suspended socket as the session store keeps it: enough for any server to restore it (its id,
/// namespace and channels) and to find what its client missed (where it began, the last offset addressed to
/// it, the log's head when it dropped, and when that was).
/// </summary>
internal sealed record SessionRecord(
    string SocketId,
    string Namespace,
    IReadOnlyList<string> Channels,
    StreamOffset Start,
    string? LastOffset,
    StreamOffset Head,
    long SuspendedAtMs)
{
    /// <summary>
    /// Where the replay for a client that says it last got <paramref name="offset"/> begins; null when the
    /// offset cannot be right (not an offset, or one ahead of anything this socket was sent), which means a
    /// fresh session.
    /// </summary>
    public StreamOffset? ReplayStart(string? offset)
    {
        if (offset is null)
        {
            // A client sends no offset when it never got an event: from the start (or, if it was never sent
            // one either, from the moment it dropped).
            return LastOffset is null ? Head : Start;
        }

        if (!StreamOffset.TryParse(offset, out var given) || given > Head)
        {
            return null;
        }

        // It got the last event addressed to it (sent or not), so everything addressed to it: nothing between
        // that and the drop was for it.
        if (string.Equals(offset, LastOffset, StringComparison.Ordinal))
        {
            return Head;
        }

        // An offset from before this socket began (kept by the client from an older session) means it got nothing here.
        return given < Start ? Start : given;
    }

    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("sid"u8, SocketId);
            json.WriteString("nsp"u8, Namespace);
            json.WriteStartArray("channels"u8);
            foreach (var channel in Channels)
            {
                json.WriteStringValue(channel);
            }

            json.WriteEndArray();
            json.WriteString("start"u8, Start.ToString());
            if (LastOffset is not null)
            {
                json.WriteString("last"u8, LastOffset);
            }

            json.WriteString("head"u8, Head.ToString());
            json.WriteNumber("at"u8, SuspendedAtMs);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The record, or null when the bytes are not one (another version, or damaged).</summary>
    public static SessionRecord? Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            var root = document.RootElement;
            var channels = new List<string>();
            foreach (var channel in root.GetProperty("channels"u8).EnumerateArray())
            {
                channels.Add(channel.GetString()!);
            }

            return StreamOffset.TryParse(root.GetProperty("start"u8).GetString(), out var start)
                && StreamOffset.TryParse(root.GetProperty("head"u8).GetString(), out var head)
                ? new SessionRecord(
                    root.GetProperty("sid"u8).GetString()!,
                    root.GetProperty("nsp"u8).GetString()!,
                    channels,
                    start,
                    root.TryGetProperty("last"u8, out var last) ? last.GetString() : null,
                    head,
                    root.GetProperty("at"u8).GetInt64())
                : null;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
