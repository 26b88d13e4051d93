using System.Globalization;
using System.Threading.Channels;
using Channels.Backplane;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Channels.Redis;

/// <summary>
/// Connection-state recovery across servers: with <see cref="ChannelsOptions.ConnectionStateRecovery"/> on,
/// every publication is added to one Redis stream (<c>{prefix}:stream</c>, trimmed to about
/// <see cref="ConnectionStateRecoveryOptions.MaxPackets"/> entries) and its entry id is its offset. Every
/// server, this one included, reads the stream in order and delivers what it holds, woken by a notice on
/// <c>{prefix}:stream-notify</c>, so that each socket gets its events in offset order. Suspended sessions
/// are keys (<c>{prefix}:session:{pid}</c>) with an expiry, taken with <c>GETDEL</c> by exactly one server.
/// </summary>
internal sealed partial class RedisBackplane : IRecoveryBackplane
{
    // XADD and the notice in one step, so that the notices come in stream order.
    private const string AppendScript =
        "local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'p', ARGV[2]) redis.call('PUBLISH', KEYS[2], id) return id";

    private const int ReadBatch = 256;

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private string _lastRead = "0-0";
    private Task? _reader;
    private int _readerStarted;

    private bool RecoveryOn => _recovery is not null;

    private RedisKey StreamKey => _options.ChannelPrefix + ":stream";

    private string StreamNotifyChannel => _options.ChannelPrefix + ":stream-notify";

    private RedisKey SessionKey(string pid) => _options.ChannelPrefix + ":session:" + pid;

    public string Head => Volatile.Read(ref _lastRead);

    /// <summary>
    /// Adds a publication to the stream; this server delivers it when it reads it back. Fire and forget, as
    /// the backplane's other publications: one multiplexer connection keeps this server's publications in
    /// order, and the publisher does not wait a round trip per message (awaiting it measured 0.06× the fan-out
    /// of recovery off, fire and forget 1.01×; docs/benchmarks.md). Without Redis: delivered here, without an offset.
    /// </summary>
    private async ValueTask AppendAsync(ChannelPublication publication)
    {
        if (_redis is { IsConnected: true } redis)
        {
            try
            {
                await redis.GetDatabase().ScriptEvaluateAsync(
                    AppendScript,
                    [StreamKey, StreamNotifyChannel],
                    [_recovery!.MaxPackets, PublicationCodec.Encode(_serverId, Guid.NewGuid(), publication)],
                    CommandFlags.FireAndForget);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                PublishFailed(ex, publication.Target.ToString());
            }
        }

        _local.Deliver(publication);
    }

    /// <summary>Starts reading the stream from its end (after a start) or from where it stopped (after an outage).</summary>
    private async Task StartReadingAsync()
    {
        if (_redis is not { } redis)
        {
            return;
        }

        // Once: RestoreAsync runs at start and again after every reconnect, possibly at the same time, and two
        // readers would deliver every entry twice.
        if (Interlocked.CompareExchange(ref _readerStarted, 1, 0) == 0)
        {
            try
            {
                var last = await redis.GetDatabase().StreamRangeAsync(StreamKey, "-", "+", count: 1, messageOrder: Order.Descending);
                Volatile.Write(ref _lastRead, last.Length > 0 ? last[0].Id.ToString() : "0-0");
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                SubscribeFailed(ex);
            }

            _reader = Task.Run(ReadStreamAsync);
        }

        _wake.Writer.TryWrite(true);
    }

    private async Task ReadStreamAsync()
    {
        try
        {
            await foreach (var _ in _wake.Reader.ReadAllAsync(_stopping.Token))
            {
                while (_redis is { IsConnected: true } redis)
                {
                    StreamEntry[] entries;
                    try
                    {
                        entries = await redis.GetDatabase().StreamReadAsync(StreamKey, Head, ReadBatch);
                    }
                    catch (Exception ex) when (ex is RedisException or TimeoutException)
                    {
                        StreamReadFailed(ex);
                        break;
                    }

                    foreach (var entry in entries)
                    {
                        DeliverEntry(entry);
                        Volatile.Write(ref _lastRead, entry.Id.ToString());
                    }

                    if (entries.Length < ReadBatch)
                    {
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private void DeliverEntry(StreamEntry entry)
    {
        if (Decode(entry) is { } publication)
        {
            DeliverTraced(publication);
        }
    }

    private ChannelPublication? Decode(StreamEntry entry)
    {
        try
        {
            var bytes = (byte[]?)entry["p"] ?? throw new InvalidDataException("a stream entry without a publication");
            return PublicationCodec.Decode(bytes).Publication.WithOffset(entry.Id.ToString());
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or ArgumentException)
        {
            InvalidMessage(ex, StreamKey.ToString());
            return null;
        }
    }

    public async ValueTask<IReadOnlyList<ChannelPublication>?> ReadAfterAsync(string offset, int maxCount, CancellationToken cancellationToken)
    {
        if (_redis is not { IsConnected: true } redis || !TryParseId(offset, out var after))
        {
            return null;
        }

        var db = redis.GetDatabase();
        StreamInfo info;
        try
        {
            info = await db.StreamInfoAsync(StreamKey);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            return after == default ? [] : null;
        }

        // Every entry after the offset must still be there, and the offset must be one the stream gave.
        if ((TryParseId(info.MaxDeletedEntryId.ToString(), out var deleted) && Compare(after, deleted) < 0)
            || (TryParseId(info.LastGeneratedId.ToString(), out var last) && Compare(after, last) > 0))
        {
            return null;
        }

        var result = new List<ChannelPublication>();
        var cursor = offset;
        while (true)
        {
            var entries = await db.StreamRangeAsync(StreamKey, "(" + cursor, "+", count: ReadBatch);
            foreach (var entry in entries)
            {
                if (result.Count == maxCount)
                {
                    return null;
                }

                if (Decode(entry) is { } publication)
                {
                    result.Add(publication);
                }

                cursor = entry.Id.ToString();
            }

            if (entries.Length < ReadBatch)
            {
                return result;
            }
        }
    }

    public async ValueTask SaveSessionAsync(string pid, ReadOnlyMemory<byte> session, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        var redis = _redis is { IsConnected: true } connected ? connected : throw new InvalidOperationException("Redis is unreachable.");
        await redis.GetDatabase().StringSetAsync(SessionKey(pid), session, timeToLive);
    }

    public async ValueTask<byte[]?> TakeSessionAsync(string pid, CancellationToken cancellationToken)
    {
        var redis = _redis is { IsConnected: true } connected ? connected : throw new InvalidOperationException("Redis is unreachable.");
        return (byte[]?)await redis.GetDatabase().StringGetDeleteAsync(SessionKey(pid));
    }

    private static bool TryParseId(string? text, out (long Ms, long Seq) id)
    {
        id = default;
        var dash = text?.IndexOf('-') ?? -1;
        if (text is null || dash <= 0 || text.Length > 40
            || !long.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return false;
        }

        id = (ms, seq);
        return true;
    }

    private static int Compare((long Ms, long Seq) a, (long Ms, long Seq) b) => a.Ms != b.Ms ? a.Ms.CompareTo(b.Ms) : a.Seq.CompareTo(b.Seq);

    [LoggerMessage(8, LogLevel.Warning, "Redis backplane: reading the recovery stream failed; reading resumes when the connection is restored")]
    private partial void StreamReadFailed(Exception exception);
}
