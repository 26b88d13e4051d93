namespace Channels.Redis;

/// <summary>Settings of the Redis backplane.</summary>
public sealed class RedisBackplaneOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>.</summary>
    public string Configuration { get; set; } = "127.0.0.1:6379";

    /// <summary>The prefix of every Redis channel the backplane uses, so several apps can share a Redis. Default <c>channels</c>.</summary>
    public string ChannelPrefix { get; set; } = "channels";

    /// <summary>
    /// When Redis cannot be reached at start-up: false (the default) fails the start with a clear error;
    /// true starts in local-only mode with a warning and keeps trying to connect.
    /// </summary>
    public bool AllowLocalOnlyStart { get; set; }

    /// <summary>
    /// How long a server-side command that needs every server's answer (count, fetch, subscribe,
    /// unsubscribe, disconnect, emit-with-ack to a socket elsewhere) waits for the other servers before it
    /// fails with a <see cref="TimeoutException"/>. Default 5 seconds.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The longest a server that died (without its close sequences) keeps its sockets in channels' presence:
    /// the other servers remove its members, and publish their leaves, within this time. Each server refreshes
    /// a heartbeat in Redis every quarter of it. Default 30 seconds; at least 100 ms.
    /// </summary>
    public TimeSpan PresenceTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
