using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Channels.Dispatch;

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
/// </summary>
public sealed partial class ChatHandlers(ChatRooms rooms) : IChannelHandlerTable
{
    [GeneratedRegex("^room-")]
    private static partial Regex Room();

    /// <inheritdoc />
    public IReadOnlyList<ChannelHandlerDescriptor> Handlers =>
    [
        new(ChannelEventKind.Subscribe, "/", "ChatHandlers.Join", Join, Room().IsMatch),
        new(ChannelEventKind.Message, "/", "ChatHandlers.Say", Say, Room().IsMatch),
        new(ChannelEventKind.Unsubscribe, "/", "ChatHandlers.Leave", Leave, Room().IsMatch),
    ];

    private static string NameOf(ChannelSocket socket) =>
        socket.Auth.TryGetProperty("name", out var name) && name.GetString() is { Length: > 0 } value ? value : "anonymous";

    private async ValueTask<HandlerResult> Join(ChannelEvent e)
    {
        var name = NameOf(e.Socket);
        if (!rooms.TryJoin(e.Channel!, e.Socket.Id, name))
        {
            return HandlerResult.Reject($"the nickname '{name}' is in use in this room");
        }

        await e.Socket.SendAndBroadcastChannelAsync(new ChatLine(name, "joins", "join"), e.Channel);
        return HandlerResult.Continue;
    }

    private static async ValueTask<HandlerResult> Say(ChannelEvent e)
    {
        var text = e.Payload.Count > 0 ? e.Payload.GetString(0) : null;
        if (!string.IsNullOrWhiteSpace(text))
        {
            await e.Socket.SendAndBroadcastChannelAsync(new ChatLine(NameOf(e.Socket), text), e.Channel);
        }

        return HandlerResult.Continue;
    }

    private async ValueTask<HandlerResult> Leave(ChannelEvent e)
    {
        if (rooms.Leave(e.Channel!, e.Socket.Id) is { } name)
        {
            await e.Socket.BroadcastChannelAsync(new ChatLine(name, "leaves", "leave"), e.Channel);
        }

        return HandlerResult.Continue;
    }
}
