using Channels.Backplane;
using Channels.Protocol;

namespace Channels;

/// <summary>
/// A set of sockets, chosen first, then acted on: every socket of a namespace, the subscribers of some
/// channels, or one socket by id, less one socket. Get one from <see cref="IChannelPublisher"/> or
/// <see cref="ChannelSocket.Others"/>; it is immutable, so narrowing returns a new target. Every action
/// reaches the sockets wherever they are connected (across servers when a backplane is configured).
/// </summary>
/// <example><code>
/// await publisher.Channel("room-1").Except(socket.Id).SendAsync(line);
/// var here = await publisher.Namespace("/admin").CountAsync();
/// await publisher.Socket(id).DisconnectAsync();
/// </code></example>
public sealed partial class ChannelTarget
{
    private readonly ChannelPublisher _server;
    private readonly PublicationTarget _target;
    private readonly string _namespace;
    private readonly string[] _channels;
    private readonly string? _socketId;
    private readonly string? _except;

    private ChannelTarget(ChannelPublisher server, PublicationTarget target, string @namespace, string[] channels, string? socketId, string? except)
    {
        _server = server;
        _target = target;
        _namespace = @namespace;
        _channels = channels;
        _socketId = socketId;
        _except = except;
    }

    internal static ChannelTarget ToNamespace(ChannelPublisher server, string @namespace, string? except = null) =>
        new(server, PublicationTarget.All, @namespace, [], null, except);

    internal static ChannelTarget ToSocket(ChannelPublisher server, string socketId) =>
        new(server, PublicationTarget.Socket, "/", [], socketId, null);

    /// <summary>
    /// The subscribers of <paramref name="channel"/> in this target's namespace; on a channel target, the
    /// subscribers of any of its channels or of this one (each socket counted once).
    /// </summary>
    /// <exception cref="InvalidOperationException">This target is one socket.</exception>
    public ChannelTarget Channel(string channel)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        return _target switch
        {
            PublicationTarget.Socket => throw new InvalidOperationException("A socket target has no channels: use publisher.Channel(channel) for a channel's subscribers."),
            PublicationTarget.Channels when Array.IndexOf(_channels, channel) >= 0 => this,
            _ => new(_server, PublicationTarget.Channels, _namespace, [.. _channels, channel], null, _except),
        };
    }

    /// <summary>The same sockets less <paramref name="socketId"/> (the sender of a broadcast, typically).</summary>
    /// <exception cref="InvalidOperationException">This target is one socket, or already leaves one out.</exception>
    public ChannelTarget Except(string socketId)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketId);
        if (_target == PublicationTarget.Socket || _except is not null)
        {
            throw new InvalidOperationException(_except is null
                ? "A socket target cannot leave a socket out."
                : $"This target already leaves out socket '{_except}'; one socket can be left out.");
        }

        return new(_server, _target, _namespace, _channels, null, socketId);
    }

    /// <summary>
    /// Sends <c>["message", message]</c>; to a channel's subscribers <c>["message", message, channel]</c>,
    /// with the channel the recipient holds (a socket in several of the channels receives it once).
    /// </summary>
    public ValueTask SendAsync<T>(T message)
    {
        var encoder = _server.Encoder;
        var nsp = PacketNamespace();
        var publication = _target switch
        {
            PublicationTarget.All => ChannelPublication.ToAll(nsp, encoder.Message(nsp, message, channel: null), _except),
            PublicationTarget.Socket => ChannelPublication.ToSocket(_socketId!, encoder.Message(nsp, message, channel: null), nsp),
            _ when _channels.Length == 1 => ChannelPublication.ToChannels(nsp, _channels, [encoder.Message(nsp, message, _channels[0])], _except),
            _ => ChannelPublication.ToEachChannel(nsp, _channels, encoder.Message(nsp, message, channel: null), _except),
        };
        return _server.Backplane.PublishAsync(publication);
    }

    /// <summary>
    /// Emits a custom event <c>[eventName, …args]</c>. Arguments serialize through the app's JSON options;
    /// <c>byte[]</c> and <see cref="ReadOnlyMemory{T}"/> of bytes travel as binary attachments.
    /// </summary>
    public ValueTask EmitAsync(string eventName, params object?[] args)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        ArgumentNullException.ThrowIfNull(args);
        var nsp = PacketNamespace();
        var packet = _server.Encoder.Event(nsp, eventName, args, ackId: -1);
        var publication = _target switch
        {
            PublicationTarget.All => ChannelPublication.ToAll(nsp, packet, _except),
            PublicationTarget.Socket => ChannelPublication.ToSocket(_socketId!, packet, nsp),
            _ => ChannelPublication.ToChannels(nsp, _channels, [.. _channels.Select(_ => packet)], _except),
        };
        return _server.Backplane.PublishAsync(publication);
    }

    /// <summary>
    /// Emits a custom event to the one socket of this target and waits for the client's ack.
    /// </summary>
    /// <exception cref="InvalidOperationException">This target is not one socket, or no server holds the socket.</exception>
    /// <exception cref="TimeoutException">The client did not answer within <paramref name="timeout"/>.</exception>
    public async Task<ChannelPayload> EmitWithAckAsync(string eventName, object?[] args, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        if (_target != PublicationTarget.Socket)
        {
            throw new InvalidOperationException("Acks come from one socket: use publisher.Socket(id).EmitWithAckAsync(…).");
        }

        var nsp = PacketNamespace();
        var result = await ExecuteAsync(
            new SocketCommand(SocketCommandKind.EmitWithAck, _target, nsp)
            {
                SocketId = _socketId,
                Packet = _server.Encoder.Event(nsp, eventName, args, ackId: -1),
                AckTimeout = timeout,
            },
            cancellationToken);
        return result.Ack ?? throw new InvalidOperationException($"No server holds a socket with the id '{_socketId}'.");
    }

    /// <summary>Subscribes each socket to <paramref name="channel"/>, running its <c>[OnSubscribe]</c> handlers; returns how many it subscribed.</summary>
    public async ValueTask<int> SubscribeAsync(string channel, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        return (await ExecuteAsync(Command(SocketCommandKind.Subscribe, channel), cancellationToken)).Count;
    }

    /// <summary>Unsubscribes each socket from <paramref name="channel"/>, running its <c>[OnUnsubscribe]</c> handlers; returns how many held it.</summary>
    public async ValueTask<int> UnsubscribeAsync(string channel, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        return (await ExecuteAsync(Command(SocketCommandKind.Unsubscribe, channel), cancellationToken)).Count;
    }

    /// <summary>Disconnects each socket from its namespace (the client receives DISCONNECT); returns how many.</summary>
    public async ValueTask<int> DisconnectAsync(CancellationToken cancellationToken = default) =>
        (await ExecuteAsync(Command(SocketCommandKind.Disconnect), cancellationToken)).Count;

    /// <summary>How many sockets this target holds now, on every server.</summary>
    public async ValueTask<int> CountAsync(CancellationToken cancellationToken = default) =>
        (await ExecuteAsync(Command(SocketCommandKind.Count), cancellationToken)).Count;

    /// <summary>The sockets this target holds now, on every server: ids, namespaces and channels.</summary>
    public async ValueTask<IReadOnlyList<SocketInfo>> FetchSocketsAsync(CancellationToken cancellationToken = default) =>
        (await ExecuteAsync(Command(SocketCommandKind.Fetch), cancellationToken)).Sockets;

    /// <inheritdoc />
    public override string ToString()
    {
        var who = _target switch
        {
            PublicationTarget.All => $"every socket of {_namespace}",
            PublicationTarget.Socket => $"socket '{_socketId}'",
            _ => $"the subscribers of {string.Join(", ", _channels.Select(static c => $"'{c}'"))} in {_namespace}",
        };
        return _except is null ? who : $"{who}, except '{_except}'";
    }

    /// <summary>
    /// The namespace to encode for. A socket's is known only where it is connected: elsewhere the packet is
    /// encoded for <c>/</c> and re-addressed by the server that holds the socket.
    /// </summary>
    private string PacketNamespace() =>
        _target == PublicationTarget.Socket ? _server.Registry.FindSocket(_socketId!)?.Namespace ?? "/" : _namespace;

    private SocketCommand Command(SocketCommandKind kind, string? channel = null) =>
        new(kind, _target, PacketNamespace()) { Channels = _channels, SocketId = _socketId, ExceptSocketId = _except, Channel = channel };

    private ValueTask<SocketCommandResult> ExecuteAsync(SocketCommand command, CancellationToken cancellationToken) =>
        _server.Backplane.ExecuteAsync(command, cancellationToken);
}
