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
[JsonSerializable(typeof(ChatMember))]
[JsonSerializable(typeof(Dictionary<string, string[]>))]
internal sealed partial class ChatJson : JsonSerializerContext;

/// <summary>A member of a room's presence: the nickname shown in its list of users.</summary>
public sealed record ChatMember(string Name);

/// <summary>
/// The chat's handlers (the seed's chat demo): a room is the channel "room-{name}", joined by
/// subscribing with a nickname in the auth payload; who is there is the room's presence (on every
/// instance, with Redis); messages published to it are relayed with the sender's name; joining and
/// leaving are announced to the others. With connection-state recovery on, a page whose connection drops
/// for a moment neither leaves nor joins again: it gets the lines it missed when it is back.
/// </summary>
public sealed partial class ChatHandlers
{
    private static string NameOf(ChannelSocket socket) =>
        socket.Auth.TryGetProperty("name", out var name) && name.GetString()?.Trim() is { Length: > 0 and <= 32 } value ? value : "anonymous";

    [OnSubscribe("^room-")]
    public async ValueTask<bool> Join(ChannelSocket socket, string channel)
    {
        var name = NameOf(socket);
        var members = await socket.Server.Channel(channel).PresenceAsync();
        if (members.Values.Any(m => m.TryGetProperty("name", out var taken) && string.Equals(taken.GetString(), name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ChannelRejectedException($"The nickname '{name}' is in use in this room.");
        }

        await socket.TrackAsync(channel, new ChatMember(name));
        await socket.Others.Channel(channel).SendAsync(new ChatLine(name, "joins", "join"));
        return true;
    }

    [OnMessage("^room-")]
    public async ValueTask Say(ChannelSocket socket, string text, string channel)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            await socket.Everyone.Channel(channel).SendAsync(new ChatLine(NameOf(socket), text.Length > 2000 ? text[..2000] : text));
        }
    }

    [OnUnsubscribe("^room-")]
    public ValueTask Leave(ChannelSocket socket, string channel) =>
        socket.Others.Channel(channel).SendAsync(new ChatLine(NameOf(socket), "leaves", "leave"));
}
