namespace Channels.Backplane;

/// <summary>
/// What connection-state recovery (<see cref="ChannelsOptions.ConnectionStateRecovery"/>) needs from a
/// backplane: a log of publications, each given an offset (<see cref="ChannelPublication.Offset"/>) and
/// delivered in offset order, and a store of suspended sessions that exactly one server can take. The
/// in-memory backplane keeps both in the server's memory; the Redis backplane keeps them in Redis (a stream
/// and keys with an expiry) so that a client recovers on any server.
/// </summary>
public interface IRecoveryBackplane
{
    /// <summary>The offset of the newest publication this server has delivered (<c>0-0</c> before any): a socket made now has missed nothing up to it.</summary>
    string Head { get; }

    /// <summary>
    /// The publications logged after <paramref name="offset"/>, oldest first, each with its
    /// <see cref="ChannelPublication.Offset"/>; at most <paramref name="maxCount"/> (more is an error: null).
    /// Null when the log no longer holds every publication after the offset (trimmed, or the offset is not
    /// one the log gave).
    /// </summary>
    ValueTask<IReadOnlyList<ChannelPublication>?> ReadAfterAsync(string offset, int maxCount, CancellationToken cancellationToken);

    /// <summary>Stores a suspended session under its private id, for <paramref name="timeToLive"/>.</summary>
    ValueTask SaveSessionAsync(string pid, ReadOnlyMemory<byte> session, TimeSpan timeToLive, CancellationToken cancellationToken);

    /// <summary>Reads and deletes a session in one step (only one caller ever gets it); null when there is none.</summary>
    ValueTask<byte[]?> TakeSessionAsync(string pid, CancellationToken cancellationToken);
}
