namespace Channels;

/// <summary>
/// Sends to clients from anywhere in the app (controllers, background services). Works with no clients
/// connected, and across servers when a backplane is configured.
/// </summary>
public interface IChannelPublisher
{
    /// <summary>Sends <c>["message", message]</c> to one socket, by id.</summary>
    ValueTask SendAsync<T>(string socketId, T message);

    /// <summary>Sends <c>["message", message]</c> to every client of the default namespace.</summary>
    ValueTask BroadcastAsync<T>(T message);

    /// <summary>Sends <c>["message", message, channel]</c> to every subscriber of <paramref name="channel"/> in the default namespace.</summary>
    ValueTask BroadcastChannelAsync<T>(T message, string channel);
}
