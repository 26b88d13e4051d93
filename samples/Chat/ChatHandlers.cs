using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Channels.Samples.Chat;

/// <summary>A line of chat: who, what, and its kind ("message", "join", "leave", "system").</summary>
public sealed record ChatLine(string Name, string Text, string Kind = "message");

/// <summary>The body of POST /system: a room ("lobby") or null for everyone, and the text.</summary>
public sealed record SystemLine(string? Room, string Text);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ChatLine))]
[JsonSerializable(typeof(SystemLine))]
[JsonSerializable(typeof(Dictionary<string, string[]>))]
internal sealed partial class ChatJson : JsonSerializerContext;

/// <summary>Who is in which room, by socket id (in memory).</summary>
public sealed class ChatRooms
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _rooms = new(StringComparer.Ordinal);

    /// <summary>Claims a nickname in a room; false if someone there already uses it.</summary>
    public bool TryJoin(string room, string socketId, string name)
    {
        var members = _rooms.GetOrAdd(room, _ => new(StringComparer.Ordinal));
        lock (members)
        {
            return !members.Values.Contains(name, StringComparer.OrdinalIgnoreCase) && members.TryAdd(socketId, name);
        }
    }

    /// <summary>Releases a socket's nickname; returns it.</summary>
    public string? Leave(string room, string socketId) =>
        _rooms.TryGetValue(room, out var members) && members.TryRemove(socketId, out var name) ? name : null;

    /// <summary>The users of a room, sorted.</summary>
    public string[] Users(string room) =>
        _rooms.TryGetValue(room, out var members) ? [.. members.Values.Order(StringComparer.OrdinalIgnoreCase)] : [];

    /// <summary>Every room with users, and who is there.</summary>
    public Dictionary<string, string[]> Snapshot() =>
        _rooms.Where(r => !r.Value.IsEmpty).ToDictionary(r => r.Key["room-".Length..], r => Users(r.Key), StringComparer.Ordinal);
}

/// <summary>
/// The chat's handlers (the seed's chat demo): a room is the channel "room-{name}", joined by
/// subscribing with a nickname in the auth payload; messages published to it are relayed with the
/// sender's name; joining and leaving are announced to the others.
/// </summary>
public sealed partial class ChatHandlers(ChatRooms rooms)
{
    private static string NameOf(ChannelSocket socket) =>
        socket.Auth.TryGetProperty("name", out var name) && name.GetString()?.Trim() is { Length: > 0 and <= 32 } value ? value : "anonymous";

    [OnSubscribe("^room-")]
    public async ValueTask<bool> Join(ChannelSocket socket, string channel)
    {
        var name = NameOf(socket);
        if (!rooms.TryJoin(channel, socket.Id, name))
        {
            throw new ChannelRejectedException($"The nickname '{name}' is in use in this room.");
        }

        await socket.Others.Channel(channel).SendAsync(new ChatLine(name, "joins", "join"));
        return true;
    }

    [OnEvent("who")]
    public string[] Who(string room) => rooms.Users("room-" + room);

    [OnMessage("^room-")]
    public async ValueTask Say(ChannelSocket socket, string text, string channel)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            await socket.Everyone.Channel(channel).SendAsync(new ChatLine(NameOf(socket), text.Length > 2000 ? text[..2000] : text));
        }
    }

    [OnUnsubscribe("^room-")]
    public async ValueTask Leave(ChannelSocket socket, string channel)
    {
        if (rooms.Leave(channel, socket.Id) is { } name)
        {
            await socket.Others.Channel(channel).SendAsync(new ChatLine(name, "leaves", "leave"));
        }
    }
}
