namespace Channels.Transport;

/// <summary>Why an Engine.IO session ended (as engine.io's close reasons, one value each).</summary>
internal enum EngineCloseReason
{
    /// <summary>The client's transport went away: the WebSocket closed or the connection dropped.</summary>
    TransportClose,

    /// <summary>Reading or writing the transport failed.</summary>
    TransportError,

    /// <summary>The client sent a CLOSE packet: it left on purpose.</summary>
    ClientClose,

    /// <summary>No pong within the ping timeout.</summary>
    PingTimeout,

    /// <summary>The client sent something that is not valid at that point (a bad packet or body).</summary>
    InvalidPacket,

    /// <summary>The client broke the transport's rules (a second concurrent GET or POST).</summary>
    InvalidRequest,

    /// <summary>A packet or polling body over <see cref="ChannelsOptions.MaxPayloadBytes"/>.</summary>
    PayloadTooLarge,

    /// <summary>The outbound queue filled up: the client reads too slowly.</summary>
    SlowConsumer,

    /// <summary>The client went on sending past its rate limits.</summary>
    RateLimited,

    /// <summary>The client aborted its pending polling GET.</summary>
    PollAborted,

    /// <summary>The session joined no namespace within <see cref="ChannelsOptions.ConnectTimeout"/>.</summary>
    ConnectTimeout,

    /// <summary>The server closed the session (its last socket left, or it is shutting down).</summary>
    ServerClose,

    /// <summary>The server closed the session and the client did not collect the CLOSE packet in time.</summary>
    CloseTimeout,
}

/// <summary>Texts for logs.</summary>
internal static class EngineCloseReasonText
{
    public static string ToText(this EngineCloseReason reason) => reason switch
    {
        EngineCloseReason.TransportClose => "transport close",
        EngineCloseReason.TransportError => "transport error",
        EngineCloseReason.ClientClose => "client close",
        EngineCloseReason.PingTimeout => "ping timeout",
        EngineCloseReason.InvalidPacket => "invalid packet",
        EngineCloseReason.InvalidRequest => "invalid request",
        EngineCloseReason.PayloadTooLarge => "payload too large",
        EngineCloseReason.SlowConsumer => "slow consumer: outbound queue full",
        EngineCloseReason.RateLimited => "rate limited: went on sending past its limits",
        EngineCloseReason.PollAborted => "poll aborted by client",
        EngineCloseReason.ConnectTimeout => "connect timeout",
        EngineCloseReason.ServerClose => "server close",
        EngineCloseReason.CloseTimeout => "close timeout",
        _ => reason.ToString(),
    };
}
