using Channels.Backplane;

namespace Channels.Recovery;

/// <summary>
/// The in-memory replay log of one server: publications in offset order, bounded by count, bytes and age
/// (the oldest go first). Offsets are handed out as Redis does for <c>XADD *</c> (milliseconds, then a
/// sequence within the millisecond), so that they look and compare the same as with the Redis backplane.
/// Append and the delivery that follows run under the caller's lock (<see cref="Gate"/>), which keeps
/// deliveries in offset order.
/// </summary>
internal sealed class RecoveryLog(ConnectionStateRecoveryOptions options, TimeProvider time)
{
    // Packets live at least as long as a suspended socket may need them, plus slack for the ones in flight when it dropped.
    private readonly TimeSpan _maxAge = options.MaxDisconnectionDuration + TimeSpan.FromMinutes(1);
    private readonly List<Entry> _entries = [];
    private int _start;
    private long _bytes;
    private StreamOffset _head;
    private StreamOffset _trimmed;

    /// <summary>Held while a publication is appended and delivered, and while a read looks at the log.</summary>
    public Lock Gate { get; } = new();

    public StreamOffset Head => _head;

    public int Count => _entries.Count - _start;

    /// <summary>Logs a publication; returns it with its offset. Call under <see cref="Gate"/>.</summary>
    public ChannelPublication Append(ChannelPublication publication)
    {
        var now = time.GetUtcNow();
        _head = _head.Next(now.ToUnixTimeMilliseconds());
        var logged = publication.WithOffset(_head.ToString());
        var bytes = Size(publication);
        _entries.Add(new Entry(_head, logged, bytes, now));
        _bytes += bytes;
        Trim(now);
        return logged;
    }

    /// <summary>The publications after <paramref name="after"/>; null when some were trimmed, or the offset is ahead of the log. Call under <see cref="Gate"/>.</summary>
    public IReadOnlyList<ChannelPublication>? ReadAfter(StreamOffset after, int maxCount)
    {
        Trim(time.GetUtcNow());
        if (after < _trimmed || after > _head)
        {
            return null;
        }

        var first = FirstAfter(after);
        var count = _entries.Count - first;
        if (count > maxCount)
        {
            return null;
        }

        var result = new ChannelPublication[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = _entries[first + i].Publication;
        }

        return result;
    }

    private int FirstAfter(StreamOffset after)
    {
        int low = _start, high = _entries.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_entries[middle].Offset <= after)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private void Trim(DateTimeOffset now)
    {
        while (Count > 0)
        {
            var oldest = _entries[_start];
            if (Count <= options.MaxPackets && _bytes <= options.MaxBytes && now - oldest.At <= _maxAge)
            {
                break;
            }

            _trimmed = oldest.Offset;
            _bytes -= oldest.Bytes;
            _entries[_start++] = default;
        }

        if (_start > 1024 && _start > _entries.Count / 2)
        {
            _entries.RemoveRange(0, _start);
            _start = 0;
        }
    }

    private static long Size(ChannelPublication publication)
    {
        long bytes = 64;
        foreach (var packet in publication.Packets)
        {
            bytes += packet.Size;
        }

        return bytes;
    }

    private readonly record struct Entry(StreamOffset Offset, ChannelPublication Publication, long Bytes, DateTimeOffset At);
}
