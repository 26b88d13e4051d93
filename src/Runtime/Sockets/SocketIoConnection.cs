using System.Text.Json;
using Channels.Backplane;
using Channels.Diagnostics;
using Channels.Dispatch;
using Channels.Protocol;
using Channels.Transport;

namespace Channels.Sockets;

/// <summary>
/// The Socket.IO layer of one Engine.IO session: which namespaces the client joined (CONNECT), where each
/// packet goes, and the close sequence of each socket. Whole packets from the decoder run on the
/// connection's <see cref="ConnectionLoop"/>, one at a time, in order, and so do the server's own
/// subscribe, unsubscribe and disconnect calls and the close sequence at the end or at shutdown. Acks
/// from the client are resolved at once, never queued behind events.
/// </summary>
internal sealed partial class SocketIoConnection : IEngineHandler, IConnectionLoopOwner
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly ChannelsOptions _options;
    private readonly ChannelDispatcher _dispatcher;
    private readonly ChannelRequests _requests;
    private readonly ChannelRegistry _registry;
    private readonly PacketEncoder _encoder;
    private readonly ChannelPublisher _server;
    private readonly ChannelsLog _log;
    private readonly ConnectionLoop _loop;
    private readonly PacketReceiver _receiver;
    private readonly EventRateLimiter? _eventLimits;
    private readonly SuspendedSockets? _recovery;
    private NamespaceSockets _sockets;
    private readonly Lock _gate = new();
    private ITimer? _connectTimer;
    private DisconnectReason? _closeReason;

    public SocketIoConnection(
        EngineSession session,
        HttpContextSnapshot request,
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
        ISocketObserver? observer,
        SuspendedSockets? recovery = null)
    {
        Session = session;
        Request = request;
        _options = options;
        _dispatcher = dispatcher;
        _requests = requests;
        _registry = registry;
        _encoder = encoder;
        _server = server;
        _log = log;
        MessageLog = messageLog;
        Observer = observer;
        _recovery = recovery;
        _loop = new ConnectionLoop(this, options.MaxPendingEvents, options.MaxPendingEventBytes, session.Id, log, metrics);
        _receiver = new PacketReceiver(this, _loop, options, encoder, log, time);
        _eventLimits = options.EventRateLimits.Count == 0 ? null : new EventRateLimiter(options.EventRateLimits, time, AbortAbusive);

        // Disposed at the first connect or at close: a connection does not carry it once connected.
        _connectTimer = time.CreateTimer(
            static state => ((SocketIoConnection)state!).OnConnectTimeout(),
            this,
            options.ConnectTimeout,
            Timeout.InfiniteTimeSpan);
    }

    public EngineSession Session { get; }

    /// <summary>The request that opened the connection, copied; its <see cref="HttpContext"/> is built when first read.</summary>
    public HttpContextSnapshot Request { get; }

    public HttpContext HttpContext => Request.HttpContext;

    /// <summary>The message log, when the app turned it on.</summary>
    public MessageLog? MessageLog { get; }

    /// <summary>What watches the sockets (the Admin UI), or null.</summary>
    internal ISocketObserver? Observer { get; }

    // ---- receiving (the transport's side): see PacketReceiver ----

    public ValueTask OnMessageAsync(EnginePacket message) => _receiver.ReceiveAsync(message);

    public void OnClosed(EngineCloseReason reason) => End(DisconnectReasons.FromSession(reason));

    /// <summary>The loop runs what is queued, then each socket's close sequence (<see cref="OnLoopEndedAsync"/>).</summary>
    private void End(DisconnectReason reason)
    {
        Interlocked.Exchange(ref _connectTimer, null)?.Dispose();
        lock (_gate)
        {
            _closeReason ??= reason;
        }

        // A handler awaiting this client's ack would otherwise hold the loop (and the close sequence) meanwhile.
        foreach (var socket in ConnectedSockets())
        {
            socket.CancelPendingAcks();
        }

        _loop.Complete();
    }

    private void OnConnectTimeout()
    {
        if (Interlocked.Exchange(ref _connectTimer, null) is { } timer)
        {
            timer.Dispose();
            Session.Abort(EngineCloseReason.ConnectTimeout);
        }
    }

    /// <summary>The socket connected to <paramref name="namespace"/>, if any.</summary>
    internal SocketIoSocket? FindSocket(string @namespace)
    {
        lock (_gate)
        {
            return _sockets.Get(@namespace);
        }
    }

    private SocketIoSocket[] ConnectedSockets()
    {
        lock (_gate)
        {
            return _sockets.ToArray();
        }
    }

    // ---- on the loop ----

    public ValueTask HandleAsync(SocketIoPacket packet)
    {
        switch (packet.Type)
        {
            case SocketIoPacketType.Connect:
                return ConnectAsync(packet);
            case SocketIoPacketType.Disconnect:
                return FindSocket(packet.Namespace) is { } leaving
                    ? FinishAsync(leaving, DisconnectReason.ClientNamespaceDisconnect)
                    : ViolationAsync($"DISCONNECT from namespace {packet.Namespace}, which is not connected");
            default:
                return FindSocket(packet.Namespace) is { } socket
                    ? HandleEventAsync(socket, packet)
                    : ViolationAsync($"event for namespace {packet.Namespace}, which is not connected");
        }
    }

    /// <summary>Reports an invalid packet to the <c>[OnError]</c> handlers of every socket still connected.</summary>
    public async ValueTask HandleInvalidAsync(string reason)
    {
        foreach (var socket in ConnectedSockets())
        {
            await _dispatcher.ErrorAsync(socket, new ChannelProtocolException($"Invalid packet: {reason}"), channel: null);
        }
    }

    /// <summary>
    /// A packet that does not fit the connection's state (as the reference server, this closes the
    /// connection): logged, reported to the connected sockets' <c>[OnError]</c>, session closed.
    /// </summary>
    private async ValueTask ViolationAsync(string reason)
    {
        _log.InvalidPacket(Session.Id, reason);
        await HandleInvalidAsync(reason);
        Session.Abort(EngineCloseReason.InvalidPacket);
    }

    private async ValueTask ConnectAsync(SocketIoPacket packet)
    {
        var nsp = packet.Namespace;
        if (!_dispatcher.HasNamespace(nsp))
        {
            _log.UnknownNamespace(nsp);
            Session.TrySend(EngineFrame.FromPacket(SocketIoFrames.ConnectError(nsp, "Invalid namespace")));
            return;
        }

        if (FindSocket(nsp) is not null)
        {
            await ViolationAsync($"second CONNECT to {nsp}");
            return;
        }

        if (packet.Json.Length > _options.MaxAuthBytes)
        {
            _log.RequestRefused(Session.Id, "connect", $"auth payload of {packet.Json.Length} bytes is over the limit of {_options.MaxAuthBytes}");
            Session.TrySend(EngineFrame.FromPacket(SocketIoFrames.ConnectError(nsp, "auth payload too large")));
            return;
        }

        var auth = packet.Json.IsEmpty ? EmptyObject : JsonElement.Parse(packet.Json.Span);
        if (_recovery is not null && RecoveryRequest(auth) is var (pid, offset) && await TryRecoverAsync(_recovery, nsp, auth, pid, offset))
        {
            return;
        }

        var socket = new SocketIoSocket(this, nsp, auth, _server, _options.MaxOutboundPackets, _recovery?.NewIdentity());
        if (_recovery is not null)
        {
            // Found by id from the start: with recovery, the connect handlers' own sends go through the replay log.
            _registry.AddSocket(socket);
        }

        var result = await _dispatcher.ConnectAsync(socket);
        if (socket.IsFinishing)
        {
            // A connect handler called DisconnectAsync: the close sequence has run; the client is told no.
            Session.TrySend(EngineFrame.FromPacket(SocketIoFrames.ConnectError(nsp, "Disconnected by the server")));
            return;
        }

        if (result.Rejected)
        {
            _log.RequestRefused(socket.Id, "connect", result.RejectionMessage ?? "rejected by handler");
            Session.TrySend(EngineFrame.FromPacket(SocketIoFrames.ConnectError(nsp, result.RejectionMessage ?? "Connection rejected")));
            await _requests.RemoveAllAsync(socket);
            _registry.RemoveSocket(socket);
            socket.EndFinish();
            return;
        }

        lock (_gate)
        {
            _sockets.Set(nsp, socket);
        }

        Interlocked.Exchange(ref _connectTimer, null)?.Dispose();
        Session.MarkEstablished();
        _registry.AddSocket(socket);
        socket.CompleteConnect();
        _log.SocketConnected(socket.Id, nsp);
        if (Observer is not null)
        {
            await Observer.ConnectedAsync(socket);
        }
    }

    /// <summary>A client refused by a named rate limit too many times in a row: logged once, then cut off.</summary>
    private void AbortAbusive()
    {
        _log.RateLimited(Session.Id);
        Session.Abort(EngineCloseReason.RateLimited);
    }

    // ---- ending ----

    /// <summary>Every socket still connected goes through the close sequence; at shutdown, the session is closed after.</summary>
    public async ValueTask OnLoopEndedAsync()
    {
        DisconnectReason reason;
        lock (_gate)
        {
            reason = _closeReason ?? DisconnectReason.TransportClose;
        }

        foreach (var socket in ConnectedSockets())
        {
            if (_recovery is not null && _recovery.Keeps(reason) && await _recovery.SuspendAsync(socket, this, reason))
            {
                // Not gone: it keeps its id, channels and context, waiting for its client (SuspendedSockets).
                lock (_gate)
                {
                    _sockets.Remove(socket.Namespace);
                }

                continue;
            }

            await FinishAsync(socket, reason);
        }

        if (reason == DisconnectReason.ServerShuttingDown)
        {
            Session.Close(EngineCloseReason.ServerClose);
        }
    }

    /// <summary>
    /// The close sequence: <c>[OnDisconnect]</c> if the client left, <c>[OnUnsubscribe]</c> per channel
    /// held, <c>[OnFinish]</c> with the channels still listed, then the subscriptions go.
    /// </summary>
    private async ValueTask FinishAsync(SocketIoSocket socket, DisconnectReason reason, bool runHandlers = true, bool handedOff = false)
    {
        if (!socket.BeginFinish())
        {
            return;
        }

        if (reason == DisconnectReason.ServerNamespaceDisconnect)
        {
            // Only now: a DISCONNECT queued for a socket that has already left would end its successor.
            socket.Deliver(SocketIoFrames.Disconnect(socket.Namespace));
        }

        if (runHandlers)
        {
            if (reason.ClientLeft())
            {
                await _dispatcher.DisconnectAsync(socket);
            }

            foreach (var channel in socket.Subscriptions.ToArray())
            {
                await _dispatcher.UnsubscribeAsync(socket, channel);
            }

            await _dispatcher.FinishAsync(socket);
        }

        await _requests.RemoveAllAsync(socket, handedOff);
        lock (_gate)
        {
            _sockets.Remove(socket.Namespace);
        }

        _registry.RemoveSocket(socket);
        socket.EndFinish();
        _log.SocketDisconnected(socket.Id, socket.Namespace, reason.ToText());
        Observer?.Disconnected(socket, reason.ToText());
    }

    /// <summary>
    /// Shutdown: the loop finishes what is queued, runs each socket's close sequence, then closes the
    /// Engine.IO session (a CLOSE packet after whatever is queued). No Socket.IO DISCONNECT: socket.io-client
    /// treats that as "kicked by the server" and would not reconnect to the next instance; a transport
    /// close makes it reconnect.
    /// </summary>
    public Task ShutdownAsync()
    {
        End(DisconnectReason.ServerShuttingDown);
        return _loop.Completion;
    }

    /// <summary>Ends when the loop has run the close sequence of every socket.</summary>
    public Task Completion => _loop.Completion;

    /// <summary>Calls <paramref name="callback"/> once the loop has run the close sequence of every socket (no task per connection).</summary>
    internal void OnCompleted(Action<object> callback, object state) => _loop.OnEnded(callback, state);
}
