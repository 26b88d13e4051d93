namespace Channels.Dispatch;

/// <summary>The kinds of event a handler can be bound to, one per attribute.</summary>
public enum ChannelEventKind
{
    /// <summary><c>[OnConnect]</c>: a client connects to the namespace; may reject.</summary>
    Connect,

    /// <summary><c>[OnMessage]</c>: a message from the client.</summary>
    Message,

    /// <summary><c>[OnSubscribe]</c>: the client asks to subscribe to a channel; may reject.</summary>
    Subscribe,

    /// <summary><c>[OnUnsubscribe]</c>: a subscription ends.</summary>
    Unsubscribe,

    /// <summary><c>[OnError]</c>: a handler threw, or the client sent something invalid.</summary>
    Error,

    /// <summary><c>[OnDisconnect]</c>: the client left cleanly.</summary>
    Disconnect,

    /// <summary><c>[OnFinish]</c>: the connection ended, whatever ended it; always last.</summary>
    Finish,

    /// <summary><c>[OnEvent(name)]</c>: a custom Socket.IO event; the result answers the client's ack.</summary>
    Event,
}
