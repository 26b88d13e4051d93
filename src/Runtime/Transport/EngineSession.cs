using Channels.Protocol;

namespace Channels.Transport;

/// <summary>
/// One Engine.IO session, whatever carries it: its state (polling, upgrading, WebSocket, closing), its
/// bounded outbound queue, its heartbeat, and the layer above it (<see cref="Handler"/>). The transports
/// (<see cref="PollingTransport"/>, <see cref="WebSocketTransport"/>) move its packets.
/// </summary>
internal sealed partial class EngineSession
{
    private readonly EngineServer _server;
    private readonly OutboundQueue _queue;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _gate = new();
    private readonly HeartbeatScheduler.Beat _beat;
    private Action<object>? _onEnded;
    private object? _onEndedState;
    private volatile State _state;
    private bool _awaitingPong;
    private long _pongDeadline;
    private EngineCloseReason? _closeReason;
    private bool _probed;
    private int _unconnected = 1;

    public EngineSession(EngineServer server, string id, EngineTransportKind transport, string remoteAddress, Func<EngineSession, IEngineHandler> createHandler)
    {
        _server = server;
        Id = id;
        RemoteAddress = remoteAddress;
        _state = transport == EngineTransportKind.Polling ? State.Polling : State.WebSocket;
        _queue = new OutboundQueue(server.Options.MaxOutboundPackets, server.Options.MaxOutboundBytes);
        Polling = transport == EngineTransportKind.Polling ? new PollingTransport(server, this) : null;
        _beat = server.Heartbeats.Create(this);
        Handler = createHandler(this);
    }

    private enum State
    {
        Polling,
        Upgrading,
        WebSocket,
        Closing,
        Closed,
    }

    public string Id { get; }

    /// <summary>The client's address, for the cap on sessions that have not connected yet.</summary>
    public string RemoteAddress { get; }

    /// <summary>The layer above: the Socket.IO connection (or the conformance host's echo).</summary>
    public IEngineHandler Handler { get; }

    /// <summary>The long-polling side of a session opened on polling; null for one opened on WebSocket.</summary>
    public PollingTransport? Polling { get; }

    /// <summary>Cancelled when the session has ended.</summary>
    public CancellationToken Closed => _lifetime.Token;

    public bool IsClosed => _state == State.Closed;

    /// <summary>True while the session has not moved to WebSocket and is not ending.</summary>
    public bool IsPolling => _state is State.Polling or State.Upgrading;

    /// <summary>Why the session ended or is ending; null while it is open.</summary>
    public EngineCloseReason? CloseReason
    {
        get
        {
            lock (_gate)
            {
                return _closeReason;
            }
        }
    }

    public EngineTransportKind Transport => _state == State.WebSocket ? EngineTransportKind.WebSocket : EngineTransportKind.Polling;

    internal OutboundQueue Outbound => _queue;

    /// <summary>A ping went unanswered for longer than the ping timeout.</summary>
    public bool IsPingOverdue
    {
        get
        {
            var deadline = Interlocked.Read(ref _pongDeadline);
            return deadline != 0 && _server.Time.GetTimestamp() > deadline;
        }
    }

    /// <summary>Starts the heartbeat: the first ping goes out one ping interval from now.</summary>
    public void Start() => _beat.At(_server.Heartbeats.After(_server.Options.PingInterval));

    /// <summary>
    /// Queues a packet for the client. A client whose queue is full is too slow: its session is closed
    /// and false is returned; nothing waits and nothing grows.
    /// </summary>
    public bool TrySend(in EngineFrame frame)
    {
        switch (_queue.TryEnqueue(frame))
        {
            case EnqueueResult.Queued:
                _server.Metrics.Queued(1);
                return true;
            case EnqueueResult.Full when !IsClosed:
                var (frames, bytes) = _queue.Queued;
                _server.Log.SlowConsumer(Id, frames, bytes);
                Abort(EngineCloseReason.SlowConsumer);
                return false;
            default:
                return false;
        }
    }

    /// <summary>Handles a packet from either transport, in order.</summary>
    public ValueTask ReceiveAsync(EnginePacket packet)
    {
        switch (packet.Type)
        {
            case EnginePacketType.Message:
                _server.Metrics.Received(packet.Data.Length);
                return Handler.OnMessageAsync(packet);
            case EnginePacketType.Pong:
                OnPong();
                return ValueTask.CompletedTask;
            case EnginePacketType.Close:
                Abort(EngineCloseReason.ClientClose, EngineFrame.Noop);
                return ValueTask.CompletedTask;
            case EnginePacketType.Noop:
            case EnginePacketType.Ping:
                return ValueTask.CompletedTask;
            default:
                _server.Log.InvalidPacket(Id, $"unexpected packet type {packet.Type}");
                Abort(EngineCloseReason.InvalidPacket);
                return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Ends the session after what is queued has been written: a CLOSE packet goes last, then the
    /// transport ends. A client that never collects it is dropped after the ping timeout.
    /// </summary>
    public void Close(EngineCloseReason reason)
    {
        lock (_gate)
        {
            if (_state is State.Closing or State.Closed)
            {
                return;
            }

            _closeReason = reason;
            _queue.TryEnqueueControl(EngineFrame.Close);
            _state = State.Closing;
            _queue.Complete();
        }

        _ = Task.Delay(_server.Options.PingTimeout, _server.Time, Closed).ContinueWith(
            static (_, state) => ((EngineSession)state!).Abort(EngineCloseReason.CloseTimeout),
            this,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Ends the session now. A pending polling GET is answered with <paramref name="pollReply"/> (CLOSE
    /// by default); the first reason given is the one that stays.
    /// </summary>
    public void Abort(EngineCloseReason reason, EngineFrame? pollReply = null)
    {
        bool wasPolling;
        EngineCloseReason final;
        lock (_gate)
        {
            if (_state == State.Closed)
            {
                return;
            }

            wasPolling = _state is State.Polling or State.Upgrading;
            _state = State.Closed;
            final = _closeReason ??= reason;
        }

        // The pending GET learns its reply before the queue completes, which would wake it with a CLOSE.
        var farewell = Polling?.End(pollReply ?? EngineFrame.Close, owesFarewell: wasPolling && pollReply is not null) ?? false;
        _beat.Cancel();
        _queue.Complete();
        _lifetime.Cancel();
        if (Interlocked.Exchange(ref _onEnded, null) is { } onEnded)
        {
            onEnded(_onEndedState!);
        }
        if (farewell)
        {
            // Kept in the table for a moment, so the client's next GET still gets its NOOP (see PollingTransport).
            _ = Task.Delay(PollingTransport.FarewellGrace, _server.Time).ContinueWith(
                static (_, state) => ((EngineSession)state!).Polling!.TryEndFarewell(),
                this,
                TaskScheduler.Default);
        }
        else
        {
            _server.Remove(this);
        }

        MarkEstablished();
        _server.Log.SessionClosed(Id, final.ToText());
        Handler.OnClosed(final);
    }

    /// <summary>
    /// Calls <paramref name="callback"/> once when the session ends (at once if it has ended), for the
    /// transport that must cut a write short: one field, where a registration on <see cref="Closed"/> would
    /// hold a callback node and the token's registration table for the session's whole life.
    /// </summary>
    public void OnEnded(Action<object> callback, object state)
    {
        _onEndedState = state;
        Volatile.Write(ref _onEnded, callback);
        if (IsClosed && Interlocked.Exchange(ref _onEnded, null) is { } ended)
        {
            ended(state);
        }
    }

    /// <summary>The layer above has a connected socket: the session no longer counts as unconnected.</summary>
    public void MarkEstablished()
    {
        if (Interlocked.Exchange(ref _unconnected, 0) == 1)
        {
            _server.ReleaseUnconnected(this);
        }
    }

    /// <summary>Takes the session out of the server's table (after a polling farewell).</summary>
    internal void Forget() => _server.Remove(this);

    // ---- upgrade ----

    /// <summary>A WebSocket with this sid asks to take over. Only one, only from polling.</summary>
    public bool TryBeginUpgrade()
    {
        lock (_gate)
        {
            if (_state != State.Polling)
            {
                return false;
            }

            _state = State.Upgrading;
            return true;
        }
    }

    /// <summary>The probe on the new WebSocket was answered: the client may now send UPGRADE.</summary>
    public void ProbeAnswered()
    {
        lock (_gate)
        {
            _probed = _state == State.Upgrading;
        }
    }

    /// <summary>
    /// The client sent UPGRADE on the new WebSocket, after a probe: from now on only the WebSocket is used,
    /// and a GET still pending on polling is answered with a NOOP, so the queue never has two readers.
    /// </summary>
    public bool CompleteUpgrade()
    {
        lock (_gate)
        {
            // A POST still being handled would feed the decoder beside the WebSocket: real clients drain
            // their POSTs before sending UPGRADE.
            if (_state != State.Upgrading || !_probed || Polling!.IsPosting)
            {
                return false;
            }

            _state = State.WebSocket;
        }

        Polling!.Retire();
        return true;
    }

    public void CancelUpgrade()
    {
        lock (_gate)
        {
            if (_state != State.Upgrading)
            {
                return;
            }

            _state = State.Polling;
            _probed = false;
        }

        Polling!.CancelInterrupt();
    }
}
