namespace Channels.Sockets;

/// <summary>
/// Presence calls on a socket of this connection: on the connection's loop (inline from its own handlers),
/// so that they are ordered with its subscribe, unsubscribe and close sequence.
/// </summary>
internal sealed partial class SocketIoConnection
{
    private ChannelPresence Presence => _requests.Presence ?? throw new InvalidOperationException("Presence is not available in this app.");

    /// <summary>Serializes the metadata (checking its size) where it is called, then tracks on the loop.</summary>
    public ValueTask TrackAsync<T>(SocketIoSocket socket, string channel, T meta)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var bytes = Presence.Serialize(meta);
        return TrackOnLoopAsync(socket, channel, bytes);
    }

    private async ValueTask TrackOnLoopAsync(SocketIoSocket socket, string channel, byte[] meta)
    {
        var ran = await _loop.RunAsync(
            async () =>
            {
                await Presence.TrackAsync(socket, channel, meta);
                return true;
            },
            whenEnded: false,
            Session.Closed);
        if (!ran)
        {
            throw new InvalidOperationException($"Socket {socket.Id} is disconnected: it cannot be tracked in channel '{channel}'.");
        }
    }

    public async ValueTask UntrackAsync(SocketIoSocket socket, string channel)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        await _loop.RunAsync(() => Presence.UntrackAsync(socket, channel), whenEnded: false, Session.Closed);
    }
}
