namespace Channels;

/// <summary>
/// Connection-state recovery (<see cref="ChannelsOptions.ConnectionStateRecovery"/>), compatible with
/// socket.io-client 4.6 and later: a connection that drops is suspended, not gone, for
/// <see cref="MaxDisconnectionDuration"/>. It keeps its id, subscriptions, context and presence; when the
/// client comes back within the window it gets every event it missed, in order, and the same socket id
/// (<c>socket.recovered</c> is true on the client, <see cref="ChannelSocket.Recovered"/> on the server).
/// Events are numbered: each event the server sends without an ack carries an offset as its last argument.
/// </summary>
public sealed class ConnectionStateRecoveryOptions
{
    /// <summary>How long a dropped connection stays suspended, waiting for its client. Default 2 minutes.</summary>
    public TimeSpan MaxDisconnectionDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How many events one socket may have missed and still recover; a client that missed more gets a fresh
    /// session (never a partial replay). Default 1,000.
    /// </summary>
    public int MaxPacketsPerSocket { get; set; } = 1_000;

    /// <summary>As <see cref="MaxPacketsPerSocket"/>, in bytes of the missed events and their attachments. Default 1 MiB.</summary>
    public long MaxBytesPerSocket { get; set; } = 1024 * 1024;

    /// <summary>
    /// How many events this server keeps for replay, all sockets together (the oldest go first); with the
    /// Redis backplane, the length of the shared stream. Default 10,000.
    /// </summary>
    public int MaxPackets { get; set; } = 10_000;

    /// <summary>As <see cref="MaxPackets"/>, in bytes, on this server. Default 64 MiB.</summary>
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How many sockets may be suspended on this server at once; past that, a dropped socket ends at once. Default 100,000.</summary>
    public int MaxSuspendedSockets { get; set; } = 100_000;
}
