using System.Diagnostics;

namespace Channels.Bench.Load;

/// <summary>
/// Presence churn (issue 14): <c>members</c> clients join a channel's presence (a subscribe that the bench
/// server's <c>[OnSubscribe("^presence-")]</c> tracks) and leave it (unsubscribe), all at once, while a watcher
/// stays subscribed. Each join and leave is a diff published to the channel's subscribers. Measured in rounds
/// (untimed for <see cref="Scenarios.WarmUp"/>, then one timed): from the first subscribe to the watcher's
/// last diff, the diffs the watcher received per second (every join and leave once: the churn rate) and the
/// diffs every subscriber received per second (the fan-out of the churn). The peer, <see cref="Announced"/>: the
/// same churn announced the hand-written way, a broadcast to the channel's other subscribers from
/// <c>[OnSubscribe]</c> and <c>[OnUnsubscribe]</c> (what the chat demo's roster did), with no presence kept.
/// </summary>
internal static class PresenceChurn
{
    /// <summary>A channel the bench server tracks its subscribers in.</summary>
    public const string Tracked = "presence-bench";

    /// <summary>A channel whose joins and leaves the bench server announces with plain broadcasts.</summary>
    public const string Announced = "announce-bench";

    /// <summary>Members split across <paramref name="servers"/> in turn; the watcher on the first.</summary>
    public static async Task<double[]> RunAsync(ServerKind kind, IReadOnlyList<ServerProcess> servers, int members, string channel = Tracked)
    {
        await using var watcher = new SocketIoLoadClient(servers[0].Address);
        var clients = new List<SocketIoLoadClient>(members);
        try
        {
            await watcher.ConnectAsync(CancellationToken.None);
            await watcher.SubscribeAsync(channel);
            for (var start = 0; start < members; start += 50)
            {
                var batch = Enumerable.Range(start, Math.Min(50, members - start)).Select(i => new SocketIoLoadClient(servers[i % servers.Count].Address)).ToList();
                await Task.WhenAll(batch.Select(c => c.ConnectAsync(CancellationToken.None)));
                clients.AddRange(batch);
            }

            var warming = Stopwatch.StartNew();
            var timed = false;
            while (true)
            {
                var (watched, all) = (watcher.Received, watcher.Received + clients.Sum(c => c.Received));
                var watch = Stopwatch.StartNew();
                await Task.WhenAll(clients.Select(c => c.SubscribeAsync(channel)));
                await Task.WhenAll(clients.Select(c => c.UnsubscribeAsync(channel)));
                var timeout = TimeSpan.FromSeconds(120);
                while (watcher.Received - watched < 2L * members)
                {
                    if (watch.Elapsed > timeout)
                    {
                        throw new TimeoutException($"{kind.Name}: the watcher saw {watcher.Received - watched} of {2 * members} presence diffs after {timeout.TotalSeconds} s");
                    }

                    await Task.Delay(2);
                }

                var seconds = watch.Elapsed.TotalSeconds;
                if (timed)
                {
                    var delivered = watcher.Received + clients.Sum(c => c.Received) - all;
                    return [2.0 * members / seconds, delivered / seconds];
                }

                timed = warming.Elapsed >= Scenarios.WarmUp;
            }
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
        }
    }
}
