using System.Collections.Concurrent;
using Channels.Backplane;
using Channels.Diagnostics;
using Channels.Dispatch;
using Channels.Protocol;
using Channels.Transport;

namespace Channels.Sockets;

/// <summary>
/// The Socket.IO layer's root: puts a <see cref="SocketIoConnection"/> on each Engine.IO session, with
/// the dependencies each one uses, keeps the live ones, and ends them all at shutdown.
/// </summary>
internal sealed class SocketIoServer(
    ChannelsOptions options,
    ChannelDispatcher dispatcher,
    ChannelRequests requests,
    ChannelRegistry registry,
    PacketEncoder encoder,
    ChannelPublisher server,
    ChannelsLog log,
    MessageLog? messageLog,
    ChannelsMetrics metrics,
    TimeProvider time,
    IServiceProvider services,
    ISocketObserver? observer = null,
    SuspendedSockets? recovery = null)
{
    private readonly ConcurrentDictionary<SocketIoConnection, byte> _connections = new();
    private Action<object>? _untrack;

    /// <summary>Takes an ended connection out of the table (one delegate for them all).</summary>
    private Action<object> Untrack => _untrack ??= connection => _connections.TryRemove((SocketIoConnection)connection, out _);

    /// <summary>The Engine.IO session's handler: a new connection, tracked until its session ends.</summary>
    public IEngineHandler CreateConnection(EngineSession session, HttpContext http)
    {
        var connection = new SocketIoConnection(
            session,
            new HttpContextSnapshot(http, services),
            options,
            dispatcher,
            requests,
            registry,
            encoder,
            server,
            log,
            messageLog,
            metrics,
            time,
            observer,
            recovery);
        _connections[connection] = 0;

        // Tracked until its close sequence has run, not merely until its session closed: shutdown waits for it.
        connection.OnCompleted(Untrack, connection);
        return connection;
    }

    /// <summary>Ends every connection, each running its close sequence on its own loop, before the host stops.</summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        var connections = _connections.Keys.ToArray();
        log.ShuttingDown(connections.Length);
        try
        {
            await Task.WhenAll(connections.Select(c => c.ShutdownAsync())).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout: say so, and let the host stop rather than fail its shutdown.
            log.ShutdownTimedOut(_connections.Count);
        }

        if (recovery is not null)
        {
            await recovery.ShutdownAsync();
        }
    }
}
