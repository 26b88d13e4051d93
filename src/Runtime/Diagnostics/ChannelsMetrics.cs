using System.Diagnostics.Metrics;

namespace Channels.Diagnostics;

/// <summary>
/// The runtime's instruments, on the meter <c>Channels.SDK</c>: connections, messages and bytes in and
/// out, and how long handlers take.
/// </summary>
internal sealed class ChannelsMetrics : IDisposable
{
    /// <summary>The meter's name, for <c>AddMeter</c> in OpenTelemetry and for <c>dotnet-counters</c>.</summary>
    public const string MeterName = "Channels.SDK";

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _messagesIn;
    private readonly Counter<long> _messagesOut;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _bytesOut;
    private readonly Histogram<double> _dispatch;

    public ChannelsMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _connections = _meter.CreateUpDownCounter<long>("channels.connections", "{connection}", "Open Engine.IO sessions");
        _messagesIn = _meter.CreateCounter<long>("channels.messages.received", "{message}", "Messages received from clients");
        _messagesOut = _meter.CreateCounter<long>("channels.messages.sent", "{message}", "Messages queued for clients");
        _bytesIn = _meter.CreateCounter<long>("channels.bytes.received", "By", "Bytes of messages received");
        _bytesOut = _meter.CreateCounter<long>("channels.bytes.sent", "By", "Bytes written to clients");
        _dispatch = _meter.CreateHistogram<double>("channels.dispatch.duration", "s", "Time spent in handlers per event");
    }

    /// <summary>This server's meter (a process may host several servers), for the Admin UI's listener.</summary>
    internal Meter Meter => _meter;

    public void Opened() => _connections.Add(1);

    public void Closed() => _connections.Add(-1);

    public void Received(int bytes)
    {
        _messagesIn.Add(1);
        _bytesIn.Add(bytes);
    }

    public void Queued(int messages) => _messagesOut.Add(messages);

    public void Sent(long bytes) => _bytesOut.Add(bytes);

    public void Dispatched(TimeSpan elapsed) => _dispatch.Record(elapsed.TotalSeconds);

    public void Dispose() => _meter.Dispose();
}
