using System.Text.Json;
using Channels.Backplane;
using Channels.Protocol;
using Channels.Recovery;
using Channels.Transport;

namespace Channels.Sockets;

/// <summary>
/// The runtime's <see cref="ChannelSocket"/>: one Socket.IO socket on one namespace of a connection.
/// Sends go straight to the session's queue; broadcasts are encoded once and go through the backplane;
/// whatever runs handlers (subscribe, unsubscribe, disconnect) runs on the connection's loop.
/// </summary>
internal sealed class SocketIoSocket : ChannelSocket, IChannelMember
{
    private SocketIoConnection _connection;
    private readonly PacketEncoder _encoder;
    private readonly IChannelBackplane _backplane;
    private readonly ChannelPublisher _server;
    private readonly int _maxHeld;
    private readonly Lock _gate = new();
    private Dictionary<string, object?>? _context;
    private readonly CancellationTokenSource _disconnected = new();
    private JsonElement _auth;
    private Dictionary<long, TaskCompletionSource<ChannelPayload>>? _acks;
    private List<EncodedPacket>? _held = [];
    private long _nextAckId;
    private int _finishing;
    private string? _lastOffset;
    private bool _recovered;

    /// <summary>
    /// A socket on <paramref name="connection"/>. With connection-state recovery on, <paramref name="recovery"/>
    /// gives its private id (<see cref="Pid"/>) and where it starts in the replay log; a socket recovered from
    /// another server keeps the id it had there.
    /// </summary>
    public SocketIoSocket(SocketIoConnection connection, string @namespace, JsonElement auth, ChannelPublisher server, int maxHeld, RecoveryIdentity? recovery = null)
    {
        _connection = connection;
        _server = server;
        _encoder = server.Encoder;
        _backplane = server.Backplane;
        _maxHeld = maxHeld;
        Namespace = @namespace;
        _auth = auth;
        Id = recovery?.SocketId ?? EngineServer.NewId();
        Pid = recovery?.Pid;
        StartOffset = recovery?.Start ?? default;
        _recovered = recovery?.Recovered ?? false;
    }

    public override string Id { get; }

    public override string Namespace { get; }

    public override HttpContext HttpContext => _connection.HttpContext;

    public override JsonElement Auth => _auth;

    public override bool Recovered => Volatile.Read(ref _recovered);

    /// <summary>The private id of connection-state recovery (sent in the CONNECT reply only), or null when recovery is off.</summary>
    public string? Pid { get; }

    /// <summary>Where in the replay log the socket began: it never missed anything before.</summary>
    public StreamOffset StartOffset { get; }

    /// <summary>
    /// The offset of the last event addressed to the client (queued, held, or refused by a connection already
    /// dead), or null before the first. A replay's events are not counted: a client that got them has their
    /// offsets, which then differ from this one.
    /// </summary>
    public string? LastOffset => Volatile.Read(ref _lastOffset);

    /// <summary>Made at the first use: most sockets never keep anything in it.</summary>
    public override IDictionary<string, object?> Context =>
        Volatile.Read(ref _context) ?? Interlocked.CompareExchange(ref _context, new Dictionary<string, object?>(StringComparer.Ordinal), null) ?? _context!;

    public override IReadOnlyCollection<string> Channels => Subscriptions.ToArray();

    public override CancellationToken Disconnected => _disconnected.Token;

    public override ChannelTarget Others => ChannelTarget.ToNamespace(_server, Namespace, except: Id);

    public override ChannelTarget Everyone => ChannelTarget.ToNamespace(_server, Namespace);

    public override IChannelPublisher Server => _server;

    public SubscriptionSet Subscriptions { get; } = new();

    /// <summary>The Engine.IO session the socket is on (for the Admin UI: its id, transport, address).</summary>
    internal EngineSession Session => _connection.Session;

    ChannelSocket IChannelMember.Socket => this;

    /// <summary>
    /// Writes a packet to this client. While the connect handlers run, packets are held and sent after
    /// the CONNECT reply, as the protocol requires.
    /// </summary>
    public bool Deliver(EncodedPacket packet)
    {
        _connection.Observer?.EventSent(this, packet);
        if (packet.Offset is { } offset)
        {
            // Addressed to this socket, whether or not it gets out (a connection already dead, a full hold):
            // a client whose offset is this one got everything addressed to it. Deliveries that carry offsets
            // come one at a time, in offset order (the replay log's order).
            Volatile.Write(ref _lastOffset, offset);
        }

        // Once connected (the common case), no lock: _held only ever goes from a list to null, after the
        // CONNECT reply and the held packets are queued.
        if (Volatile.Read(ref _held) is not null)
        {
            lock (_gate)
            {
                if (_held is not null)
                {
                    if (_held.Count >= _maxHeld)
                    {
                        return false;
                    }

                    _held.Add(packet);
                    return true;
                }
            }
        }

        return _connection.Session.TrySend(EngineFrame.FromPacket(packet));
    }

    /// <summary>
    /// Sends what a recovered client missed (<paramref name="replay"/>), the CONNECT reply, then whatever was
    /// held meanwhile (the connect handlers' sends, deliveries during the recovery), leaving out the held
    /// deliveries the replay already covered (offsets up to <paramref name="replayedUpTo"/>).
    /// </summary>
    internal void CompleteConnect(IReadOnlyList<EncodedPacket>? replay = null, StreamOffset? replayedUpTo = null)
    {
        lock (_gate)
        {
            var session = _connection.Session;
            foreach (var packet in replay ?? [])
            {
                session.TrySend(EngineFrame.FromPacket(packet));
            }

            session.TrySend(EngineFrame.FromPacket(SocketIoFrames.Connect(Namespace, Id, Pid)));
            foreach (var packet in _held!)
            {
                if (replayedUpTo is { } upTo && StreamOffset.TryParse(packet.Offset, out var at) && at <= upTo)
                {
                    continue;
                }

                session.TrySend(EngineFrame.FromPacket(packet));
            }

            Volatile.Write(ref _held, null);
        }
    }

    /// <summary>
    /// A suspended socket's client is back on <paramref name="connection"/>: deliveries are held (as during a
    /// connect) until <see cref="CompleteConnect"/> has sent the replay and the CONNECT reply.
    /// </summary>
    internal void Reattach(SocketIoConnection connection, JsonElement auth)
    {
        lock (_gate)
        {
            _connection = connection;
            _auth = auth;
            _held = [];
            Volatile.Write(ref _recovered, true);
        }
    }

    /// <summary>True the first time only: the close sequence runs once.</summary>
    internal bool BeginFinish() => Interlocked.Exchange(ref _finishing, 1) == 0;

    /// <summary>The close sequence has started (or run).</summary>
    internal bool IsFinishing => Volatile.Read(ref _finishing) == 1;

    /// <summary>The connection is ending: acks the server still waits for will not come.</summary>
    internal void CancelPendingAcks()
    {
        TaskCompletionSource<ChannelPayload>[] pending;
        lock (_gate)
        {
            pending = _acks is null ? [] : [.. _acks.Values];
        }

        foreach (var ack in pending)
        {
            ack.TrySetCanceled();
        }
    }

    /// <summary>The socket has left: pending acks are cancelled and <see cref="Disconnected"/> fires.</summary>
    internal void EndFinish()
    {
        CancelPendingAcks();
        lock (_gate)
        {
            _acks = null;
        }

        Subscriptions.Close();
        _disconnected.Cancel();
    }

    internal void ResolveAck(long id, ChannelPayload payload)
    {
        TaskCompletionSource<ChannelPayload>? ack = null;
        lock (_gate)
        {
            _acks?.Remove(id, out ack);
        }

        ack?.TrySetResult(payload);
    }

    public override ValueTask SendAsync<T>(T message) => Send(_encoder.Message(Namespace, message, channel: null));

    /// <summary>
    /// A packet for this client alone (not a delivery of a publication), noted in the message log. With
    /// connection-state recovery, an event goes through the replay log like a publication, to get its offset.
    /// </summary>
    private ValueTask Send(EncodedPacket packet)
    {
        if (Pid is not null && PacketEncoder.IsReplayable(packet.Frame.Span))
        {
            return _backplane.PublishAsync(ChannelPublication.ToSocket(Id, packet, Namespace));
        }

        _connection.MessageLog?.Out(this, packet);
        Deliver(packet);
        return ValueTask.CompletedTask;
    }

    public override ValueTask BroadcastAsync<T>(T message) =>
        _backplane.PublishAsync(ChannelPublication.ToAll(Namespace, _encoder.Message(Namespace, message, channel: null), Id));

    public override ValueTask SendAndBroadcastAsync<T>(T message) =>
        _backplane.PublishAsync(ChannelPublication.ToAll(Namespace, _encoder.Message(Namespace, message, channel: null)));

    public override ValueTask BroadcastChannelAsync<T>(T message, string? channel = null) => PublishToChannelsAsync(message, channel, Id);

    public override ValueTask SendAndBroadcastChannelAsync<T>(T message, string? channel = null) => PublishToChannelsAsync(message, channel, null);

    private ValueTask PublishToChannelsAsync<T>(T message, string? channel, string? except)
    {
        if ((channel ?? Subscriptions.Current) is { } one)
        {
            return _backplane.PublishAsync(ChannelPublication.ToChannels(Namespace, [one], [_encoder.Message(Namespace, message, one)], except));
        }

        // Every channel held: the message is encoded once, each channel appended where it is delivered.
        var channels = Subscriptions.ToArray();
        return channels.Length switch
        {
            0 => ValueTask.CompletedTask,
            1 => _backplane.PublishAsync(ChannelPublication.ToChannels(Namespace, channels, [_encoder.Message(Namespace, message, channels[0])], except)),
            _ => _backplane.PublishAsync(ChannelPublication.ToEachChannel(Namespace, channels, _encoder.Message(Namespace, message, channel: null), except)),
        };
    }

    public override ValueTask<bool> SubscribeAsync(string channel) => _connection.SubscribeAsync(this, channel);

    public override ValueTask<bool> UnsubscribeAsync(string channel) => _connection.UnsubscribeAsync(this, channel);

    public override ValueTask TrackAsync<T>(string channel, T meta) => _connection.TrackAsync(this, channel, meta);

    public override ValueTask UntrackAsync(string channel) => _connection.UntrackAsync(this, channel);

    public override ValueTask EmitAsync(string eventName, params object?[] args) => Send(_encoder.Event(Namespace, eventName, args, ackId: -1));

    public override Task<ChannelPayload> EmitWithAckAsync(string eventName, object?[] args, CancellationToken cancellationToken = default) =>
        EmitWithAckAsync(_encoder.Event(Namespace, eventName, args, ackId: -1), cancellationToken);

    public async Task<ChannelPayload> EmitWithAckAsync(EncodedPacket packet, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _held) is not null && _connection.InLoop)
        {
            // Packets sent during [OnConnect] wait for the CONNECT reply, which waits for the handler: its
            // client cannot answer before the handler returns.
            throw new InvalidOperationException(
                "An ack cannot be awaited in [OnConnect]: the client receives the event, and answers it, only after the connect handlers return. " +
                "Emit without an ack there, or ask from a later event.");
        }

        var ack = new TaskCompletionSource<ChannelPayload>(TaskCreationOptions.RunContinuationsAsynchronously);
        long id;
        lock (_gate)
        {
            if (_disconnected.IsCancellationRequested)
            {
                throw new OperationCanceledException("The socket is disconnected.", _disconnected.Token);
            }

            _acks ??= [];
            if (_acks.Count >= _maxHeld)
            {
                throw new InvalidOperationException("Too many acks are pending on this socket.");
            }

            id = _nextAckId++;
            _acks[id] = ack;
        }

        try
        {
            await Send(PacketAckId.With(packet, id));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disconnected.Token);
            return await ack.Task.WaitAsync(linked.Token);
        }
        finally
        {
            lock (_gate)
            {
                _acks?.Remove(id);
            }
        }
    }

    public override ValueTask DisconnectAsync() => _connection.DisconnectAsync(this);

    public override string ToString() => $"{Namespace}#{Id}";
}
