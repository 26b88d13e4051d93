using System.Diagnostics.CodeAnalysis;

namespace Channels;

/// <summary>Marks a handler that runs once when a client connects to the namespace. It may reject the client.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnConnectAttribute : Attribute;

/// <summary>Base of the handler attributes that take a channel pattern.</summary>
public abstract class ChannelPatternAttribute : Attribute
{
    /// <summary>Binds the handler to channels matching <paramref name="pattern"/>, or to every channel when null.</summary>
    protected ChannelPatternAttribute([StringSyntax(StringSyntaxAttribute.Regex)] string? pattern) => Pattern = pattern;

    /// <summary>
    /// A .NET regular expression tested against the channel with <c>Regex.IsMatch</c> semantics
    /// (search, not anchored); compiled to plain C# at build time. Null: every event of the kind.
    /// </summary>
    public string? Pattern { get; }
}

/// <summary>Marks a handler for each message from the client.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnMessageAttribute([StringSyntax(StringSyntaxAttribute.Regex)] string? pattern = null) : ChannelPatternAttribute(pattern)
{
    /// <summary>
    /// The name of a limit in <see cref="ChannelsOptions.EventRateLimits"/> that each message this handler
    /// would receive is charged to, per connection; over it the message is refused with an error ack and
    /// no handler runs. Null (the default): only the connection-wide limits apply.
    /// </summary>
    public string? RateLimit { get; set; }
}

/// <summary>Marks a handler that runs when a client asks to subscribe to a channel. It may reject the subscription.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnSubscribeAttribute([StringSyntax(StringSyntaxAttribute.Regex)] string? pattern = null) : ChannelPatternAttribute(pattern);

/// <summary>Marks a handler that runs when a subscription ends (asked, or at disconnect).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnUnsubscribeAttribute([StringSyntax(StringSyntaxAttribute.Regex)] string? pattern = null) : ChannelPatternAttribute(pattern);

/// <summary>Marks a handler that receives exceptions thrown by handlers and errors caused by invalid client input.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnErrorAttribute([StringSyntax(StringSyntaxAttribute.Regex)] string? pattern = null) : ChannelPatternAttribute(pattern);

/// <summary>Marks a handler that runs when the client disconnected cleanly.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnDisconnectAttribute([StringSyntax(StringSyntaxAttribute.Regex)] string? pattern = null) : ChannelPatternAttribute(pattern);

/// <summary>Marks a handler that runs last, always, whatever ended the connection.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnFinishAttribute([StringSyntax(StringSyntaxAttribute.Regex)] string? pattern = null) : ChannelPatternAttribute(pattern);

/// <summary>
/// Marks a handler for a custom Socket.IO event. Its parameters that are not framework types bind to
/// the event's arguments in order; its return value answers the client's ack.
/// </summary>
/// <param name="name">The event name.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OnEventAttribute(string name) : Attribute
{
    /// <summary>The event name.</summary>
    public string Name { get; } = name;

    /// <summary>
    /// The name of a limit in <see cref="ChannelsOptions.EventRateLimits"/> that each call of this event is
    /// charged to, per connection; over it the call is refused with an error ack and no handler runs.
    /// Null (the default): only the connection-wide limits apply.
    /// </summary>
    public string? RateLimit { get; set; }
}

/// <summary>How handler instances live.</summary>
public enum HandlerLifetime
{
    /// <summary>One instance for the app (the default).</summary>
    Singleton,

    /// <summary>A new DI scope and instance for each event.</summary>
    Scoped,
}

/// <summary>Settings for a handler class: its lifetime and its Socket.IO namespace.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ChannelHandlersAttribute : Attribute
{
    /// <summary>How instances live. Default <see cref="HandlerLifetime.Singleton"/>.</summary>
    public HandlerLifetime Lifetime { get; set; } = HandlerLifetime.Singleton;

    /// <summary>The Socket.IO namespace the handlers serve. Default <c>/</c>.</summary>
    public string Namespace { get; set; } = "/";
}
