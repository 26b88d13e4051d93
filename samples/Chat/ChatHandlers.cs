using System.Collections.Concurrent;
using System.Text.Json.Serialization;

namespace Channels.Samples.Chat;

/// <summary>A line of chat: who, what, and its kind ("message", "join", "leave", "system").</summary>
public sealed record ChatLine(string Name, string Text, string Kind = "message");

/// <summary>The body of POST /system.</summary>
public sealed record SystemLine(string? Room, string Text);

[JsonSerializable(typeof(ChatLine))]
[JsonSerializable(typeof(SystemLine))]
[JsonSerializable(typeof(Dictionary<string, string[]>))]
internal sealed partial class ChatJson : JsonSerializerContext;

/// <summary>Who is in which room (in memory).</summary>
public sealed class ChatRooms
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _rooms = new();

    /// <summary>Claims a nickname in a room; false if it is in use.</summary>
    public bool TryJoin(string room, string socketId, string name) =>
        !_rooms.GetOrAdd(room, _ => new()).Values.Contains(name, StringComparer.OrdinalIgnoreCase)
        && _rooms[room].TryAdd(socketId, name);

    /// <summary>Releases a socket's nickname.</summary>
    public string? Leave(string room, string socketId) =>
        _rooms.TryGetValue(room, out var members) && members.TryRemove(socketId, out var name) ? name : null;

    /// <summary>Every room and its users.</summary>
    public Dictionary<string, string[]> Snapshot() =>
        _rooms.Where(r => !r.Value.IsEmpty).ToDictionary(r => r.Key, r => r.Value.Values.Order().ToArray());
}

/// <summary>
/// The chat's handlers: a room is joined by subscribing to "room-…" with a nickname in the auth
/// payload; messages published to the room are relayed with the sender's name; leaving announces it.
/// The source generator turns them into a reflection-free handler table at build time.
/// </summary>
public sealed partial class ChatHandlers(ChatRooms rooms)
{
    private static string NameOf(ChannelSocket socket) =>
        socket.Auth.TryGetProperty("name", out var name) && name.GetString() is { Length: > 0 } value ? value : "anonymous";

    [OnSubscribe("^room-")]
    public async ValueTask<bool> Join(ChannelSocket socket, string channel)
    {
        var name = NameOf(socket);
        if (!rooms.TryJoin(channel, socket.Id, name))
        {
            throw new ChannelRejectedException($"the nickname '{name}' is in use in this room");
        }

        await socket.SendAndBroadcastChannelAsync(new ChatLine(name, "joins", "join"), channel);
        return true;
    }

    [OnMessage("^room-")]
    public async ValueTask Say(ChannelSocket socket, string text, string channel)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            await socket.SendAndBroadcastChannelAsync(new ChatLine(NameOf(socket), text), channel);
        }
    }

    [OnUnsubscribe("^room-")]
    public async ValueTask Leave(ChannelSocket socket, string channel)
    {
        if (rooms.Leave(channel, socket.Id) is { } name)
        {
            await socket.BroadcastChannelAsync(new ChatLine(name, "leaves", "leave"), channel);
        }
    }
}
