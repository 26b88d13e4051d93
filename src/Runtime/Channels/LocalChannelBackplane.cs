using System.Collections.Concurrent;
using Channels.Backplane;
using Channels.Recovery;

namespace Channels;

/// <summary>
/// The backplane of a single server: publications go straight to this server's sockets. With
/// connection-state recovery on, each is first given its offset in the in-memory replay log, and suspended
/// sessions are kept in memory.
/// </summary>
internal sealed class LocalChannelBackplane(ChannelRegistry registry, RecoveryLog? log = null, TimeProvider? time = null) : IChannelBackplane, IRecoveryBackplane
{
    private readonly ConcurrentDictionary<string, (byte[] Session, DateTimeOffset Expires)> _sessions = new(StringComparer.Ordinal);

    public ValueTask PublishAsync(ChannelPublication publication)
    {
        if (log is null)
        {
            registry.Deliver(publication);
            return ValueTask.CompletedTask;
        }

        // Numbered and delivered under one lock, so that every socket gets its events in offset order.
        lock (log.Gate)
        {
            registry.Deliver(log.Append(publication));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ChannelOccupiedAsync(string @namespace, string channel) => ValueTask.CompletedTask;

    public ValueTask ChannelVacatedAsync(string @namespace, string channel) => ValueTask.CompletedTask;

    public ValueTask<SocketCommandResult> ExecuteAsync(SocketCommand command, CancellationToken cancellationToken) =>
        registry.ExecuteAsync(command, cancellationToken);

    public string Head => (log?.Head ?? StreamOffset.Zero).ToString();

    public ValueTask<IReadOnlyList<ChannelPublication>?> ReadAfterAsync(string offset, int maxCount, CancellationToken cancellationToken)
    {
        if (log is null || !StreamOffset.TryParse(offset, out var after))
        {
            return ValueTask.FromResult<IReadOnlyList<ChannelPublication>?>(null);
        }

        lock (log.Gate)
        {
            return ValueTask.FromResult(log.ReadAfter(after, maxCount));
        }
    }

    /// <summary>
    /// Keeps a session until it is taken. No sweep: every session saved here is taken, by its client's
    /// recovery or by the end of its window (<c>SuspendedSockets</c>), whose number is bounded; an expired one
    /// is refused when taken.
    /// </summary>
    public ValueTask SaveSessionAsync(string pid, ReadOnlyMemory<byte> session, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        _sessions[pid] = (session.ToArray(), Now + timeToLive);
        return ValueTask.CompletedTask;
    }

    public ValueTask<byte[]?> TakeSessionAsync(string pid, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_sessions.TryRemove(pid, out var taken) && taken.Expires >= Now ? taken.Session : null);

    private DateTimeOffset Now => (time ?? TimeProvider.System).GetUtcNow();
}
