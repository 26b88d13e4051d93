using Channels.Generators.Model;

namespace Channels.Generators.Parser;

/// <summary>
/// The longer CHN messages, each written as the fix: what the rule allows, so that the message alone says what
/// to write (the help link may be absent, and an IDE shows the message first).
/// </summary>
internal static partial class HandlerParser
{
    /// <summary>
    /// CHN0005 for an event kind that has no payload: what its parameters can bind, read from
    /// <see cref="ReadParameters"/> (the types every kind binds, the channel where the kind has one, the exception
    /// for <c>[OnError]</c>). <c>[OnConnect]</c> points to <c>ChannelSocket.Auth</c>, where the CONNECT payload is.
    /// </summary>
    public static string UnbindableMessage(string parameter, string type, EventKind kind)
    {
        var attribute = kind.AttributeName();
        var bindable = "ChannelSocket, HttpContext, IDictionary<string, object?> (the connection's context), CancellationToken";
        if (ChannelFor(kind, hasPattern: true) != ChannelAvailability.None)
        {
            bindable += ", string channel (by that name)";
        }

        if (kind == EventKind.Error)
        {
            bindable += ", the Exception (or a subtype, to handle only that type)";
        }

        var start = $"Parameter '{parameter}' of type '{type}' cannot be bound for [{attribute}], which has no payload. Its parameters can be: {bindable}";
        return kind == EventKind.Connect
            ? start + ". The CONNECT payload (socket.io-client's auth option) is ChannelSocket.Auth: take a ChannelSocket and read socket.Auth"
            : start + $". Remove '{parameter}' or give it one of these types";
    }

    /// <summary>CHN0015: which handler attribute already receives a reserved event, if any.</summary>
    public static string ReservedEventMessage(string eventName)
    {
        var instead = eventName switch
        {
            "connect" => "[OnConnect]",
            "disconnect" or "disconnecting" => "[OnDisconnect]",
            "subscribe" => "[OnSubscribe]",
            "unsubscribe" => "[OnUnsubscribe]",
            "message" or "publish" => "[OnMessage]",
            _ => null,
        };
        return instead is null
            ? $"'{eventName}' is a reserved event name; choose another name"
            : $"'{eventName}' is a reserved event name; use {instead} for it, or choose another name";
    }

    /// <summary>CHN0017: a <c>string channel</c> where the event has none.</summary>
    public static string NoChannelMessage(string parameter, EventKind kind) => kind == EventKind.Event
        ? $"[{kind.AttributeName()}] events have no channel to bind to '{parameter}'; rename it to take the event's argument, or remove it"
        : $"[{kind.AttributeName()}] events have no channel to bind to '{parameter}'; remove it";
}
