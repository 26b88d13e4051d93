namespace Channels;

/// <summary>
/// A named per-connection limit on the events of the handlers that name it (see
/// <see cref="ChannelsOptions.EventRateLimits"/>): a token bucket of <see cref="Burst"/> permits refilled at
/// <see cref="PermitsPerSecond"/>. An event over it is refused with
/// <c>{"ok":false,"error":"rate limit 'NAME' exceeded"}</c> in its ack and runs no handler; a client
/// refused more than <see cref="MaxRefusalsInARow"/> times in a row is disconnected. Counted per
/// connection: a client that reconnects starts with a full bucket (the connection caps bound that).
/// </summary>
public sealed class EventRateLimit
{
    /// <summary>How many permits come back per second. Must be more than zero. Default 10.</summary>
    public double PermitsPerSecond { get; set; } = 10;

    /// <summary>The most permits a connection can hold, so the largest burst it may send at once. Default 20.</summary>
    public int Burst { get; set; } = 20;

    /// <summary>
    /// How many events in a row (with none accepted between them) may be refused before the client is
    /// disconnected as abusive. Default 100; a client that pauses gets permits back and is never cut off.
    /// </summary>
    public int MaxRefusalsInARow { get; set; } = 100;
}
