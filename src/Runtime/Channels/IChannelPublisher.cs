namespace Channels;

/// <summary>
/// The server API, from anywhere in the app (controllers, background services): choose the sockets, then
/// act on them. Works with no clients connected, and across servers when a backplane is configured.
/// </summary>
/// <example><code>
/// await publisher.Channel("room-1").SendAsync(line);               // ["message", line, "room-1"]
/// await publisher.Namespace("/admin").EmitAsync("alert", text);    // ["alert", text]
/// await publisher.Socket(id).DisconnectAsync();
/// var ids = await publisher.Channel("room-1").FetchSocketsAsync();
/// </code></example>
public interface IChannelPublisher
{
    /// <summary>Every socket of the default namespace, <c>/</c>.</summary>
    ChannelTarget All { get; }

    /// <summary>Every socket of <paramref name="namespace"/> (narrow it with <see cref="ChannelTarget.Channel"/>).</summary>
    ChannelTarget Namespace(string @namespace);

    /// <summary>The subscribers of <paramref name="channel"/> in the default namespace.</summary>
    ChannelTarget Channel(string channel);

    /// <summary>One socket, by id, in whichever namespace and on whichever server it is connected.</summary>
    ChannelTarget Socket(string socketId);

    /// <summary>Sends <c>["message", message]</c> to one socket, by id: <c>Socket(socketId).SendAsync(message)</c>.</summary>
    ValueTask SendAsync<T>(string socketId, T message);

    /// <summary>Sends <c>["message", message]</c> to every client of the default namespace: <c>All.SendAsync(message)</c>.</summary>
    ValueTask BroadcastAsync<T>(T message);

    /// <summary>
    /// Sends <c>["message", message, channel]</c> to every subscriber of <paramref name="channel"/> in the
    /// default namespace: <c>Channel(channel).SendAsync(message)</c>.
    /// </summary>
    ValueTask BroadcastChannelAsync<T>(T message, string channel);

    /// <summary>A text message to one socket; its two strings can be swapped unnoticed, so this form warns.</summary>
    [Obsolete("A socket id and a text message side by side can be swapped unnoticed: write Socket(socketId).SendAsync(message).")]
    ValueTask SendAsync(string socketId, string message) => Socket(socketId).SendAsync(message);

    /// <summary>A text message to a channel; its two strings can be swapped unnoticed, so this form warns.</summary>
    [Obsolete("A text message and a channel side by side can be swapped unnoticed: write Channel(channel).SendAsync(message).")]
    ValueTask BroadcastChannelAsync(string message, string channel) => Channel(channel).SendAsync(message);
}
