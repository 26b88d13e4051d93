using System.Diagnostics;

namespace Channels.Bench.Load;

/// <summary>What one soak run saw (<see cref="Soak.RunAsync"/>).</summary>
internal sealed record SoakResult(
    int Stayers,
    long Broadcasts,
    long Lost,
    long Duplicated,
    int Churned,
    long ChurnedLost,
    double P50,
    double P99,
    double RssStartMegabytes,
    double RssEndMegabytes,
    double RssSlopeMegabytesPerMinute,
    double RetainedStartMegabytes,
    double RetainedEndMegabytes)
{
    /// <summary>Nothing lost or duplicated, for the clients that stayed and for those that came in with the churn.</summary>
    public bool Clean => Lost == 0 && Duplicated == 0 && ChurnedLost == 0;
}

/// <summary>
/// The long run: <c>clients</c> connected and subscribed to one channel for <c>duration</c>, a broadcast
/// every second, and churn (a share of the clients leaving and others joining each minute, spread over the
/// minute). Every broadcast carries its sequence number and send time; each client checks that it got
/// every number once, in order, from its first one on. The server's resident memory is sampled every
/// 10 s; the slope is fitted over the samples after the first fifth of the run (the warm-up). Resident
/// memory also grows with the collector's budget, not only with what is kept; so it is read once more
/// after a full collection when all clients have connected and at the end, with as many connected:
/// "retained" at the start and the end.
/// </summary>
internal static class Soak
{
    private const string Channel = "soak";

    public static async Task<SoakResult> RunAsync(ServerKind kind, ServerProcess server, int clients, TimeSpan duration, double churnPerMinute, Action<string> progress)
    {
        var log = new LatencyLog();
        var stayers = await ConnectAsync(kind, server, clients, log, progress);
        await server.CollectGarbageAsync();
        var retainedStart = server.ResidentBytes;
        var churned = new List<(ILoadClient Client, SequenceCheck Check)>();
        var leaving = new Queue<(ILoadClient Client, SequenceCheck Check)>(stayers.Take((int)Math.Ceiling(clients * churnPerMinute * duration.TotalMinutes)));
        await using var publisher = kind.CreateClient(server.Address);
        await publisher.ConnectAsync(CancellationToken.None);
        await publisher.SubscribeAsync(Channel);

        var samples = new List<(double Minutes, long Rss)>();
        var watch = Stopwatch.StartNew();
        var churnInterval = TimeSpan.FromMinutes(1) / Math.Max(1, clients * churnPerMinute);
        var nextChurn = churnInterval;
        var nextSample = TimeSpan.Zero;
        long sequence = 0;
        while (watch.Elapsed < duration)
        {
            await publisher.PublishAsync(Channel, $"t{Stopwatch.GetTimestamp()}s{sequence++}");
            while (watch.Elapsed >= nextChurn && leaving.Count > 0)
            {
                // One leaves for good (it stops counting, its check is set aside); a new one takes its place.
                var (gone, goneCheck) = leaving.Dequeue();
                goneCheck.Left = true;
                await gone.DisposeAsync();
                var (client, check) = await ConnectOneAsync(kind, server, log);
                check.ExpectFrom = sequence;
                churned.Add((client, check));
                nextChurn += churnInterval;
            }

            if (watch.Elapsed >= nextSample)
            {
                samples.Add((watch.Elapsed.TotalMinutes, server.ResidentBytes));
                progress($"{watch.Elapsed:mm\\:ss} broadcast {sequence}, churned {churned.Count}, rss {server.ResidentBytes / 1048576.0:N0} MB");
                nextSample += TimeSpan.FromSeconds(10);
            }

            var due = TimeSpan.FromSeconds(sequence);
            if (due > watch.Elapsed)
            {
                await Task.Delay(due - watch.Elapsed);
            }
        }

        // The last broadcast has had a second to arrive; give stragglers up to 30 s more.
        var stay = stayers.Where(s => !s.Check.Left).ToList();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30) && stay.Concat(churned).Any(c => c.Check.LostOf(sequence) > 0))
        {
            await Task.Delay(100);
        }

        await server.CollectGarbageAsync();
        var retainedEnd = server.ResidentBytes;
        var result = new SoakResult(
            stay.Count,
            sequence,
            stay.Sum(s => s.Check.LostOf(sequence)),
            stay.Concat(churned).Sum(s => s.Check.Duplicated),
            churned.Count,
            churned.Sum(s => s.Check.LostOf(sequence)),
            log.Percentile(0.50),
            log.Percentile(0.99),
            samples[0].Rss / 1048576.0,
            samples[^1].Rss / 1048576.0,
            Slope(samples.Where(s => s.Minutes >= duration.TotalMinutes / 5).ToList()) / 1048576.0,
            retainedStart / 1048576.0,
            retainedEnd / 1048576.0);
        await Task.WhenAll(stay.Concat(churned).Select(c => c.Client.DisposeAsync().AsTask()));
        return result;
    }

    /// <summary>Least-squares slope of resident bytes over minutes.</summary>
    private static double Slope(List<(double Minutes, long Rss)> samples)
    {
        if (samples.Count < 2)
        {
            return double.NaN;
        }

        var meanX = samples.Average(s => s.Minutes);
        var meanY = samples.Average(s => (double)s.Rss);
        var covariance = samples.Sum(s => (s.Minutes - meanX) * (s.Rss - meanY));
        var variance = samples.Sum(s => (s.Minutes - meanX) * (s.Minutes - meanX));
        return covariance / variance;
    }

    private static async Task<List<(ILoadClient Client, SequenceCheck Check)>> ConnectAsync(ServerKind kind, ServerProcess server, int count, LatencyLog log, Action<string> progress)
    {
        var clients = new List<(ILoadClient, SequenceCheck)>(count);
        var watch = Stopwatch.StartNew();
        for (var start = 0; start < count; start += 100)
        {
            clients.AddRange(await Task.WhenAll(Enumerable.Range(start, Math.Min(100, count - start)).Select(_ => ConnectOneAsync(kind, server, log))));
            if (clients.Count % 2000 == 0)
            {
                progress($"{clients.Count} connected in {watch.Elapsed.TotalSeconds:N0} s");
            }
        }

        return clients;
    }

    private static async Task<(ILoadClient Client, SequenceCheck Check)> ConnectOneAsync(ServerKind kind, ServerProcess server, LatencyLog log)
    {
        var check = new SequenceCheck();
        var client = kind.CreateClient(server.Address);
        client.Latencies = log;
        client.Sequences = check;
        await client.ConnectAsync(CancellationToken.None);
        await client.SubscribeAsync(Channel);
        return (client, check);
    }
}

/// <summary>
/// The sequence numbers one client received, checked as they arrive (one connection delivers in order):
/// a number above the next expected one counts the gap as lost, one below it as a duplicate. A client
/// expects every number from <see cref="ExpectFrom"/> (0 for those connected before the first broadcast;
/// for one that joins later, the first broadcast sent after its subscription was acknowledged).
/// </summary>
internal sealed class SequenceCheck
{
    private readonly Lock _gate = new();
    private long _next = -1;
    private long _first = -1;
    private long _lost;

    public long ExpectFrom { get; set; }

    public long Next => Volatile.Read(ref _next);

    public long Duplicated { get; private set; }

    /// <summary>Set when the churn took the client away: its numbers stop counting.</summary>
    public bool Left { get; set; }

    /// <summary>What was lost once <paramref name="broadcasts"/> numbers were sent: the gaps, before the first and after the last.</summary>
    public long LostOf(long broadcasts)
    {
        lock (_gate)
        {
            return _first < 0
                ? Math.Max(0, broadcasts - ExpectFrom)
                : _lost + Math.Max(0, _first - ExpectFrom) + Math.Max(0, broadcasts - _next);
        }
    }

    /// <summary>Takes the digits after the <c>s</c> of a <c>t&lt;ticks&gt;s&lt;sequence&gt;</c> payload.</summary>
    public void Record(ReadOnlySpan<byte> payload)
    {
        var s = payload.IndexOf((byte)'s');
        if (s < 0)
        {
            return;
        }

        long number = 0;
        foreach (var b in payload[(s + 1)..])
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                break;
            }

            number = (number * 10) + (b - '0');
        }

        lock (_gate)
        {
            if (_first < 0)
            {
                _first = number;
            }
            else if (number < _next)
            {
                Duplicated++;
                return;
            }
            else
            {
                _lost += number - _next;
            }

            Volatile.Write(ref _next, number + 1);
        }
    }
}
