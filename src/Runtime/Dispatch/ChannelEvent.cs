namespace Channels.Dispatch;

/// <summary>
/// Everything a handler can bind from, for one event: passed by value to each
/// <see cref="ChannelHandlerInvoker"/>, so dispatching allocates nothing of its own.
/// </summary>
public readonly struct ChannelEvent
{
    /// <summary>Creates the event data.</summary>
    public ChannelEvent(ChannelEventKind kind, ChannelSocket socket, string? channel, ChannelPayload payload, Exception? exception, IServiceProvider services)
    {
        Kind = kind;
        Socket = socket;
        Channel = channel;
        Payload = payload;
        Exception = exception;
        Services = services;
    }

    /// <summary>The kind of event.</summary>
    public ChannelEventKind Kind { get; }

    /// <summary>The connection the event belongs to.</summary>
    public ChannelSocket Socket { get; }

    /// <summary>The channel concerned, if any: the channel subscribed to, published to, or matched.</summary>
    public string? Channel { get; }

    /// <summary>The message or event arguments; empty for other kinds.</summary>
    public ChannelPayload Payload { get; }

    /// <summary>For <see cref="ChannelEventKind.Error"/>, what went wrong.</summary>
    public Exception? Exception { get; }

    /// <summary>The application's services: the root provider, or the event's scope for scoped handlers.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Cancelled when the connection ends.</summary>
    public CancellationToken CancellationToken => Socket.Disconnected;
}
