using System.Diagnostics.Metrics;
using Channels.Diagnostics;

namespace Channels.Admin;

/// <summary>
/// The <c>aggregatedEvents</c> of <c>server_stats</c>: this server's own instruments (<see cref="ChannelsMetrics"/>),
/// heard through a <see cref="MeterListener"/> and counted per second until the next <c>server_stats</c>
/// drains them. Nothing is added to the runtime's paths: the listener hears what the meter already records.
/// </summary>
internal sealed class AdminStats : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<(long Second, string Type), long> _counts = [];

    public AdminStats(ChannelsMetrics metrics, TimeProvider time)
    {
        _time = time;
        var meter = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && TypeOf(instrument.Name, 1) is not null)
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, _, state) => ((AdminStats)state!).Record(instrument.Name, value));
        _listener.Start();
    }

    /// <summary>The UI's event type for one measurement: <c>channels.connections</c> +1 and -1 are a raw connection and disconnection.</summary>
    private static string? TypeOf(string instrument, long value) => instrument switch
    {
        "channels.connections" => value > 0 ? "rawConnection" : "rawDisconnection",
        "channels.messages.received" => "packetsIn",
        "channels.messages.sent" => "packetsOut",
        "channels.bytes.received" => "bytesIn",
        "channels.bytes.sent" => "bytesOut",
        _ => null,
    };

    private void Record(string instrument, long value)
    {
        if (value == 0 || TypeOf(instrument, value) is not { } type)
        {
            return;
        }

        var second = _time.GetUtcNow().ToUnixTimeSeconds() * 1000;
        lock (_counts)
        {
            // At most five types per second between two drains: bounded by the stats interval.
            _counts[(second, type)] = _counts.GetValueOrDefault((second, type)) + Math.Abs(value);
        }
    }

    /// <summary>What was counted since the last call, as <c>{timestamp, type, count}</c> entries, and forgets it.</summary>
    public (long Timestamp, string Type, long Count)[] Drain()
    {
        lock (_counts)
        {
            var entries = _counts.Select(static pair => (pair.Key.Second, pair.Key.Type, pair.Value)).OrderBy(static e => e.Second).ToArray();
            _counts.Clear();
            return entries;
        }
    }

    public void Dispose() => _listener.Dispose();
}
