namespace Channels.Backplane;

/// <summary>What a <see cref="SocketCommand"/> does to the sockets it selects.</summary>
public enum SocketCommandKind
{
    /// <summary>Counts them.</summary>
    Count,

    /// <summary>Lists them: id, namespace and channels.</summary>
    Fetch,

    /// <summary>Subscribes each to <see cref="SocketCommand.Channel"/> (running its <c>[OnSubscribe]</c> handlers).</summary>
    Subscribe,

    /// <summary>Unsubscribes each from <see cref="SocketCommand.Channel"/> (running its <c>[OnUnsubscribe]</c> handlers).</summary>
    Unsubscribe,

    /// <summary>Disconnects each from its namespace.</summary>
    Disconnect,

    /// <summary>
    /// Emits <see cref="SocketCommand.Packet"/> to the one socket selected and waits, at most
    /// <see cref="SocketCommand.AckTimeout"/>, for the client's ack.
    /// </summary>
    EmitWithAck,
}

/// <summary>
/// A command for a set of sockets, wherever they are connected: the sockets are selected as a
/// <see cref="ChannelPublication"/> selects its recipients (a namespace, channels or one socket id, less
/// one socket). A backplane runs it on this server (<see cref="IChannelDelivery.ExecuteAsync"/>) and on
/// every other, and merges the answers.
/// </summary>
public sealed class SocketCommand
{
    /// <summary>Creates a command; see the properties for what each argument means.</summary>
    public SocketCommand(SocketCommandKind kind, PublicationTarget target, string @namespace)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        Kind = kind;
        Target = target;
        Namespace = @namespace;
    }

    /// <summary>What to do.</summary>
    public SocketCommandKind Kind { get; }

    /// <summary>Which sockets: all of <see cref="Namespace"/>, the subscribers of <see cref="Channels"/>, or <see cref="SocketId"/>.</summary>
    public PublicationTarget Target { get; }

    /// <summary>The namespace (for a socket target, the one <see cref="Packet"/> was encoded for).</summary>
    public string Namespace { get; }

    /// <summary>For <see cref="PublicationTarget.Channels"/>: the channels (a socket in several counts once).</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];

    /// <summary>For <see cref="PublicationTarget.Socket"/>: the socket id.</summary>
    public string? SocketId { get; init; }

    /// <summary>A socket left out, or null.</summary>
    public string? ExceptSocketId { get; init; }

    /// <summary>For <see cref="SocketCommandKind.Subscribe"/> and <see cref="SocketCommandKind.Unsubscribe"/>: the channel.</summary>
    public string? Channel { get; init; }

    /// <summary>For <see cref="SocketCommandKind.EmitWithAck"/>: the event, encoded without an ack id (the socket's server adds one).</summary>
    public EncodedPacket? Packet { get; init; }

    /// <summary>For <see cref="SocketCommandKind.EmitWithAck"/>: how long the client has to answer.</summary>
    public TimeSpan AckTimeout { get; init; }
}

/// <summary>What a <see cref="SocketCommand"/> found and did, on one server or merged over all.</summary>
public sealed class SocketCommandResult
{
    /// <summary>Nothing selected.</summary>
    public static SocketCommandResult None { get; } = new(0);

    /// <summary>Creates a result.</summary>
    /// <param name="count">How many sockets were selected (and, for a change, changed).</param>
    /// <param name="sockets">For <see cref="SocketCommandKind.Fetch"/>, the sockets.</param>
    /// <param name="ack">For <see cref="SocketCommandKind.EmitWithAck"/>, the client's answer.</param>
    public SocketCommandResult(int count, IReadOnlyList<SocketInfo>? sockets = null, ChannelPayload? ack = null)
    {
        Count = count;
        Sockets = sockets ?? [];
        Ack = ack;
    }

    /// <summary>How many sockets were selected; for subscribe, unsubscribe and disconnect, how many it changed.</summary>
    public int Count { get; }

    /// <summary>For <see cref="SocketCommandKind.Fetch"/>: the sockets.</summary>
    public IReadOnlyList<SocketInfo> Sockets { get; }

    /// <summary>For <see cref="SocketCommandKind.EmitWithAck"/>: the client's ack, when the socket was found.</summary>
    public ChannelPayload? Ack { get; }

    /// <summary>Two servers' results as one.</summary>
    public SocketCommandResult Merge(SocketCommandResult other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Count + other.Count, [.. Sockets, .. other.Sockets], Ack ?? other.Ack);
    }
}
