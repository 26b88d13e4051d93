using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Channels.Diagnostics;

/// <summary>
/// The runtime's instruments, on the meter <c>Channels.SDK</c>: connections, messages and bytes in and
/// out, how long the connection loop spends per item, and, tagged by event kind, namespace, event name,
/// handler and its pattern and outcome (never by channel or socket, so that the series stay few): the
/// events dispatched and how long each handler took. <c>docs/observability.md</c> lists them.
/// </summary>
internal sealed class ChannelsMetrics : IDisposable
{
    /// <summary>The meter's name, for <c>AddMeter</c> in OpenTelemetry and for <c>dotnet-counters</c>.</summary>
    public const string MeterName = ChannelsTelemetry.MeterName;

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _messagesIn;
    private readonly Counter<long> _messagesOut;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _bytesOut;
    private readonly Histogram<double> _dispatch;
    private readonly Counter<long> _events;
    private readonly Histogram<double> _handlers;

    public ChannelsMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _connections = _meter.CreateUpDownCounter<long>("channels.connections", "{connection}", "Open Engine.IO sessions");
        _messagesIn = _meter.CreateCounter<long>("channels.messages.received", "{message}", "Messages received from clients");
        _messagesOut = _meter.CreateCounter<long>("channels.messages.sent", "{message}", "Messages queued for clients");
        _bytesIn = _meter.CreateCounter<long>("channels.bytes.received", "By", "Bytes of messages received");
        _bytesOut = _meter.CreateCounter<long>("channels.bytes.sent", "By", "Bytes written to clients");
        _dispatch = _meter.CreateHistogram<double>("channels.dispatch.duration", "s", "Time spent in handlers per event");
        _events = _meter.CreateCounter<long>("channels.events", "{event}", "Events dispatched to handlers, by kind, namespace, event name and outcome");
        _handlers = _meter.CreateHistogram<double>("channels.handler.duration", "s", "Time one handler took, by handler, pattern and outcome");
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

    /// <summary>Whether anything collects <c>channels.events</c> (then, and only then, are its tags built).</summary>
    public bool EventsEnabled => _events.Enabled;

    /// <summary>Whether anything collects <c>channels.handler.duration</c>.</summary>
    public bool HandlersEnabled => _handlers.Enabled;

    public void EventDispatched(in TagList tags) => _events.Add(1, in tags);

    public void HandlerRan(TimeSpan elapsed, in TagList tags) => _handlers.Record(elapsed.TotalSeconds, in tags);

    public void Dispose() => _meter.Dispose();
}
