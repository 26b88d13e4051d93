using Channels.Backplane;

namespace Channels.Diagnostics;

/// <summary>
/// Watches what sockets do, for the Admin UI (<c>Admin/AdminUIServer</c>). Registered only by
/// <c>AddAdminUI</c>: without it the runtime holds null, and each hook is one null check. The hooks run on
/// the socket's connection loop (or, for <see cref="EventSent"/>, wherever the packet is queued) and must not
/// block.
/// </summary>
internal interface ISocketObserver
{
    /// <summary>A socket has connected (its CONNECT reply is queued) and is in the registry.</summary>
    ValueTask ConnectedAsync(ChannelSocket socket);

    /// <summary>A socket has left its namespace and the registry; <paramref name="reason"/> is socket.io's text.</summary>
    void Disconnected(ChannelSocket socket, string reason);

    /// <summary>A socket now holds <paramref name="channel"/>.</summary>
    void Subscribed(ChannelSocket socket, string channel);

    /// <summary>A socket no longer holds <paramref name="channel"/>.</summary>
    void Unsubscribed(ChannelSocket socket, string channel);

    /// <summary>An event from the client, before its handlers run.</summary>
    void EventReceived(ChannelSocket socket, string eventName, ChannelPayload args);

    /// <summary>A packet queued for the client (events only are of interest).</summary>
    void EventSent(ChannelSocket socket, EncodedPacket packet);
}
