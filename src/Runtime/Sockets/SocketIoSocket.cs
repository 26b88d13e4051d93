using System.Text.Json;
using Channels.Protocol;

namespace Channels.Sockets;

/// <summary>The runtime's <see cref="ChannelSocket"/>: one Socket.IO socket on one namespace of a connection.</summary>
internal sealed class SocketIoSocket : ChannelSocket
{
    private readonly SocketIoConnection _connection;
    private readonly Lock _gate = new();
    private readonly List<string> _channels = [];
    private readonly Dictionary<long, TaskCompletionSource<ChannelPayload>> _acks = [];
    private readonly CancellationTokenSource _disconnected = new();
    private List<EncodedPacket>? _held = [];
    private long _nextAckId;
    private int _finishing;

    public SocketIoSocket(SocketIoConnection connection, string @namespace, JsonElement auth)
    {
        _connection = connection;
        Namespace = @namespace;
        Auth = auth;
        Id = Transport.EngineServer.NewId();
    }

    public override string Id { get; }

    public override string Namespace { get; }

    public override HttpContext HttpContext => _connection.HttpContext;

    public override JsonElement Auth { get; }

    public override IDictionary<string, object?> Context { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    public override IReadOnlyCollection<string> Channels
    {
        get
        {
            lock (_gate)
            {
                return [.. _channels];
            }
        }
    }

    public override CancellationToken Disconnected => _disconnected.Token;

    internal ChannelsServer Server => _connection.Server;

    /// <summary>The channel the message being dispatched was published to, if any.</summary>
    internal string? CurrentChannel { get; set; }

    internal int ChannelCount
    {
        get
        {
            lock (_gate)
            {
                return _channels.Count;
            }
        }
    }

    internal bool IsSubscribed(string channel)
    {
        lock (_gate)
        {
            return _channels.Contains(channel);
        }
    }

    internal void AddChannel(string channel)
    {
        lock (_gate)
        {
            _channels.Add(channel);
        }
    }

    internal bool RemoveChannel(string channel)
    {
        lock (_gate)
        {
            return _channels.Remove(channel);
        }
    }

    /// <summary>
    /// Writes a packet to this client. While the connect handlers run, packets are held and sent after
    /// the CONNECT reply, as the protocol requires.
    /// </summary>
    internal bool Deliver(EncodedPacket packet)
    {
        // Once connected (the common case), no lock: _held only ever goes from a list to null, after the
        // CONNECT reply and the held packets are queued.
        if (Volatile.Read(ref _held) is not null)
        {
            lock (_gate)
            {
                if (_held is not null)
                {
                    if (_held.Count >= Server.Options.MaxOutboundPackets)
                    {
                        return false;
                    }

                    _held.Add(packet);
                    return true;
                }
            }
        }

        Server.Metrics.Queued(1);
        return _connection.Session.TrySend(EngineFrame.FromPacket(packet));
    }

    /// <summary>Sends the CONNECT reply, then whatever the connect handlers sent.</summary>
    internal void CompleteConnect()
    {
        lock (_gate)
        {
            _connection.Session.TrySend(EngineFrame.FromPacket(SocketIoFrames.Connect(Namespace, Id)));
            foreach (var packet in _held!)
            {
                _connection.Session.TrySend(EngineFrame.FromPacket(packet));
            }

            Volatile.Write(ref _held, null);
        }
    }

    /// <summary>True the first time only: the close sequence runs once.</summary>
    internal bool BeginFinish() => Interlocked.Exchange(ref _finishing, 1) == 0;

    internal void EndFinish()
    {
        List<TaskCompletionSource<ChannelPayload>> pending;
        lock (_gate)
        {
            pending = [.. _acks.Values];
            _acks.Clear();
            _channels.Clear();
        }

        foreach (var ack in pending)
        {
            ack.TrySetCanceled(_disconnected.Token);
        }

        _disconnected.Cancel();
    }

    internal void ResolveAck(long id, ChannelPayload payload)
    {
        TaskCompletionSource<ChannelPayload>? ack;
        lock (_gate)
        {
            _acks.Remove(id, out ack);
        }

        ack?.TrySetResult(payload);
    }

    public override ValueTask SendAsync<T>(T message)
    {
        Deliver(Server.EncodeMessage(Namespace, message, channel: null));
        return ValueTask.CompletedTask;
    }

    public override ValueTask BroadcastAsync<T>(T message) =>
        Server.Backplane.PublishAsync(ChannelPublication.ToAll(Namespace, Server.EncodeMessage(Namespace, message, channel: null), Id));

    public override ValueTask SendAndBroadcastAsync<T>(T message) =>
        Server.Backplane.PublishAsync(ChannelPublication.ToAll(Namespace, Server.EncodeMessage(Namespace, message, channel: null)));

    public override ValueTask BroadcastChannelAsync<T>(T message, string? channel = null) => PublishToChannelsAsync(message, channel, Id);

    public override ValueTask SendAndBroadcastChannelAsync<T>(T message, string? channel = null) => PublishToChannelsAsync(message, channel, null);

    private ValueTask PublishToChannelsAsync<T>(T message, string? channel, string? except)
    {
        IReadOnlyList<string> channels = (channel ?? CurrentChannel) is { } one ? [one] : [.. Channels];
        if (channels.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var packets = new EncodedPacket[channels.Count];
        for (var i = 0; i < packets.Length; i++)
        {
            packets[i] = Server.EncodeMessage(Namespace, message, channels[i]);
        }

        return Server.Backplane.PublishAsync(ChannelPublication.ToChannels(Namespace, channels, packets, except));
    }

    public override async ValueTask<bool> SubscribeAsync(string channel) =>
        (await _connection.SubscribeAsync(this, channel, fromClient: false)).Ok;

    public override async ValueTask<bool> UnsubscribeAsync(string channel) =>
        (await _connection.UnsubscribeAsync(this, channel, fromClient: false)).Ok;

    public override ValueTask EmitAsync(string eventName, params object?[] args)
    {
        Deliver(Server.EncodeEvent(Namespace, eventName, args, ackId: -1));
        return ValueTask.CompletedTask;
    }

    public override async Task<ChannelPayload> EmitWithAckAsync(string eventName, object?[] args, CancellationToken cancellationToken = default)
    {
        var ack = new TaskCompletionSource<ChannelPayload>(TaskCreationOptions.RunContinuationsAsynchronously);
        long id;
        lock (_gate)
        {
            if (_acks.Count >= Server.Options.MaxOutboundPackets)
            {
                throw new InvalidOperationException("Too many acks are pending on this socket.");
            }

            id = _nextAckId++;
            _acks[id] = ack;
        }

        try
        {
            Deliver(Server.EncodeEvent(Namespace, eventName, args, id));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disconnected.Token);
            return await ack.Task.WaitAsync(linked.Token);
        }
        finally
        {
            lock (_gate)
            {
                _acks.Remove(id);
            }
        }
    }

    public override ValueTask DisconnectAsync() => _connection.DisconnectAsync(this);

    public override string ToString() => $"{Namespace}#{Id}";
}
