using System.Text.Json;
using System.Text.Json.Serialization;
using Channels;

namespace ChannelsApp;

/// <summary>A line said in a room.</summary>
public sealed record ChatLine(string Name, string Text);

/// <summary>Every type the handlers receive or send (source-generated JSON: fast, and ready for NativeAOT).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ChatLine))]
internal sealed partial class AppJson : JsonSerializerContext;

/// <summary>
/// The app's handlers. A room is the channel <c>room-{name}</c>: a client subscribes to it, and what it
/// publishes there goes to everyone in the room. Channels no <c>[OnSubscribe]</c> pattern matches are refused.
/// </summary>
public sealed partial class ChatHandlers
{
    /// <summary>Opens the rooms: names of letters, digits and dashes.</summary>
    [OnSubscribe("^room-")]
    public static bool Join(string channel) => channel.Length <= 40 && channel.AsSpan(5).IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789-") < 0;

    /// <summary>Relays a line to the room, the sender included.</summary>
    [OnMessage("^room-")]
    public static ValueTask Say(ChannelSocket socket, ChatLine line, string channel) =>
        string.IsNullOrWhiteSpace(line.Text) ? ValueTask.CompletedTask : socket.Everyone.Channel(channel).SendAsync(line);

    /// <summary>Answers <c>emitWithAck("ping")</c>: a custom event whose return value is the ack.</summary>
    [OnEvent("ping")]
    public static string Ping() => "pong";
}
