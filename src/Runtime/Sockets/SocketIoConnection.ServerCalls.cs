using Channels.Backplane;

namespace Channels.Sockets;

/// <summary>
/// The server's own calls on a socket of this connection (<see cref="ChannelSocket"/>'s API): each runs on
/// the connection's loop, inline when the caller is a handler of this connection, queued otherwise.
/// </summary>
internal sealed partial class SocketIoConnection
{
    /// <summary>Whether the caller runs inside the item the connection's loop is running (a handler of this connection).</summary>
    public bool InLoop => _loop.IsCurrent;

    public ValueTask<bool> SubscribeAsync(SocketIoSocket socket, string channel) =>
        _loop.RunAsync(async () => (await _requests.SubscribeAsync(socket, channel, fromClient: false)).Ok, whenEnded: false, Session.Closed);

    public ValueTask<bool> UnsubscribeAsync(SocketIoSocket socket, string channel) =>
        _loop.RunAsync(async () => (await _requests.UnsubscribeAsync(socket, channel, fromClient: false)).Ok, whenEnded: false, Session.Closed);

    /// <summary>The server ends one socket: DISCONNECT to the client, then the close sequence (once).</summary>
    public async ValueTask DisconnectAsync(SocketIoSocket socket)
    {
        if (_recovery is not null && await _recovery.EndNowAsync(socket))
        {
            return;
        }

        await _loop.RunAsync(
            async () =>
            {
                await FinishAsync(socket, DisconnectReason.ServerNamespaceDisconnect);
                return true;
            },
            whenEnded: false,
            Session.Closed);
    }
}
