namespace Channels.Dispatch;

/// <summary>Calls one handler method with the values bound from an event.</summary>
public delegate ValueTask<HandlerResult> ChannelHandlerInvoker(ChannelEvent e);

/// <summary>
/// One handler method, as generated code describes it to the runtime: which event, which namespace,
/// which channels (a compiled matcher), and the invoker that binds parameters and calls the method.
/// </summary>
public sealed class ChannelHandlerDescriptor
{
    /// <summary>Describes a handler.</summary>
    /// <param name="kind">The event kind.</param>
    /// <param name="namespace">The Socket.IO namespace, <c>/</c> by default.</param>
    /// <param name="name">A display name for logs, e.g. <c>ChatHandlers.Chat</c>.</param>
    /// <param name="invoke">Calls the handler.</param>
    /// <param name="matcher">Tests a channel name against the handler's pattern; null when it has none.</param>
    /// <param name="eventName">For <see cref="ChannelEventKind.Event"/>, the event name.</param>
    public ChannelHandlerDescriptor(ChannelEventKind kind, string @namespace, string name, ChannelHandlerInvoker invoke, Func<string, bool>? matcher = null, string? eventName = null)
    {
        ArgumentNullException.ThrowIfNull(invoke);
        if (kind == ChannelEventKind.Event && string.IsNullOrEmpty(eventName))
        {
            throw new ArgumentException("An event handler needs an event name.", nameof(eventName));
        }

        Kind = kind;
        Namespace = @namespace;
        Name = name;
        Invoke = invoke;
        Matcher = matcher;
        EventName = eventName;
    }

    /// <summary>The event kind.</summary>
    public ChannelEventKind Kind { get; }

    /// <summary>The Socket.IO namespace.</summary>
    public string Namespace { get; }

    /// <summary>The display name, for logs.</summary>
    public string Name { get; }

    /// <summary>Calls the handler.</summary>
    public ChannelHandlerInvoker Invoke { get; }

    /// <summary>The channel matcher, or null for a handler that fires for every event of its kind.</summary>
    public Func<string, bool>? Matcher { get; }

    /// <summary>For custom events, the event name.</summary>
    public string? EventName { get; }

    /// <summary>
    /// The name of the <see cref="ChannelsOptions.EventRateLimits"/> entry this handler's events are charged
    /// to (from <see cref="OnEventAttribute.RateLimit"/> or <see cref="OnMessageAttribute.RateLimit"/>), or null.
    /// </summary>
    public string? RateLimit { get; init; }

    /// <summary>
    /// The channel pattern as the developer declared it (e.g. <c>^room-</c>), or null for a handler without
    /// one. Traces and metrics name the handler by it, never by the channel, so that their tags stay few.
    /// </summary>
    public string? Pattern { get; init; }
}

/// <summary>
/// A set of handlers, in the order they run: what the source generator emits once per assembly, and
/// what tests and low-level hosts may write by hand. Registered with
/// <see cref="ChannelsBuilderExtensions.AddHandlers(IChannelsBuilder, Func{IServiceProvider, IChannelHandlerTable})"/>.
/// </summary>
public interface IChannelHandlerTable
{
    /// <summary>The handlers, in the order they run for an event.</summary>
    IReadOnlyList<ChannelHandlerDescriptor> Handlers { get; }
}
