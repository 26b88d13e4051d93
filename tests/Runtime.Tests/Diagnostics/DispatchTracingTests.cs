using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Channels.Diagnostics;
using Channels.Dispatch;
using Channels.Tests.Conformance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Channels.Tests.Diagnostics;

/// <summary>
/// The activities and tagged metrics of dispatch (docs/observability.md), collected the way an application
/// collects them (the OpenTelemetry SDK, here with its in-memory exporter) from a real server and a real
/// WebSocket client. The event names and the handler names are this class's own, so that the activities
/// of tests running at the same time are never mistaken for these.
/// </summary>
public sealed class DispatchTracingTests
{
    private const string RoomPattern = "^otel-room-";
    private const string Room = "otel-room-42";

    private readonly FakeTimeProvider _time = new();

    private static HandlerList Handlers()
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: RoomPattern);
        handlers.Add(new ChannelHandlerDescriptor(ChannelEventKind.Subscribe, "/", "Otel.Closed", _ => ValueTask.FromResult(HandlerResult.Reject("closed")), new Regex("^otel-closed-").IsMatch) { Pattern = "^otel-closed-" });
        handlers.Add(new ChannelHandlerDescriptor(ChannelEventKind.Message, "/", "Otel.Room", _ => ValueTask.FromResult(HandlerResult.Continue), new Regex(RoomPattern).IsMatch) { Pattern = RoomPattern });
        handlers.Add(new ChannelHandlerDescriptor(ChannelEventKind.Event, "/", "Otel.Ping", _ => ValueTask.FromResult(HandlerResult.Ack("pong")), eventName: "otel-ping"));
        handlers.Add(new ChannelHandlerDescriptor(ChannelEventKind.Event, "/", "Otel.Fail", _ => throw new InvalidOperationException("boom"), eventName: "otel-fail"));
        handlers.Add(new ChannelHandlerDescriptor(ChannelEventKind.Event, "/", "Otel.Limited", _ => ValueTask.FromResult(HandlerResult.Ack("ok")), eventName: "otel-limited") { RateLimit = "otel" });
        return handlers;
    }

    private Task<TestServer> StartAsync() => TestServer.StartAsync(
        Handlers(),
        configure: o =>
        {
            RawClient.DefaultTimings(o);
            o.EventRateLimits["otel"] = new EventRateLimit { PermitsPerSecond = 1, Burst = 1 };
        },
        services: s => s.AddSingleton<TimeProvider>(_time));

    private static async Task<WsClient> ConnectAsync(RawClient client)
    {
        var (socket, _) = await client.OpenWebSocketAsync("/socket.io");
        await socket.SendTextAsync("40");
        Assert.StartsWith("40{", await socket.ReceivePacketAsync(), StringComparison.Ordinal);
        return socket;
    }

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();

    [Fact]
    public async Task A_custom_event_is_one_activity_with_kind_namespace_name_and_outcome_and_a_child_per_handler()
    {
        using var traces = new TraceCollector();
        await using var server = await StartAsync();
        using var client = new RawClient(server.Address);
        await using var socket = await ConnectAsync(client);

        await socket.SendTextAsync("421[\"otel-ping\"]");
        Assert.Equal("431[\"pong\"]", await socket.ReceivePacketAsync());

        var dispatched = await traces.WaitAsync(a => a.DisplayName == "event otel-ping", "for the event");
        Assert.Equal(ActivityKind.Server, dispatched.Kind);
        Assert.Equal(ChannelsTelemetry.ActivitySourceName, dispatched.Source.Name);
        Assert.Equal("event", Tag(dispatched, "channels.event.kind"));
        Assert.Equal("/", Tag(dispatched, "channels.namespace"));
        Assert.Equal("otel-ping", Tag(dispatched, "channels.event.name"));
        Assert.Equal("ok", Tag(dispatched, "channels.outcome"));
        Assert.Equal(ActivityStatusCode.Unset, dispatched.Status);

        var handler = await traces.WaitAsync(a => Tag(a, "channels.handler.name") == "Otel.Ping", "for the handler");
        Assert.Equal(dispatched.TraceId, handler.TraceId);
        Assert.Equal(dispatched.SpanId, handler.ParentSpanId);
        Assert.Equal("ok", Tag(handler, "channels.outcome"));
        Assert.Null(Tag(handler, "channels.handler.pattern"));
    }

    [Fact]
    public async Task A_message_to_a_channel_is_tagged_with_the_handlers_pattern_and_never_with_the_channel()
    {
        using var traces = new TraceCollector();
        using var metrics = new MeasurementCollector();
        await using var server = await StartAsync();
        using var client = new RawClient(server.Address);
        await using var socket = await ConnectAsync(client);

        await socket.SendTextAsync($"421[\"subscribe\",\"{Room}\"]");
        Assert.Equal("431[{\"ok\":true}]", await socket.ReceivePacketAsync());
        await socket.SendTextAsync($"422[\"publish\",\"{Room}\",\"hi\"]");
        Assert.Equal("432[{\"ok\":true}]", await socket.ReceivePacketAsync());

        var handler = await traces.WaitAsync(a => Tag(a, "channels.handler.name") == "Otel.Room", "for the message handler");
        Assert.Equal(RoomPattern, Tag(handler, "channels.handler.pattern"));
        Assert.Equal("message", Tag(handler.Parent!, "channels.event.kind"));
        Assert.Equal("message", handler.Parent!.DisplayName);

        // The ack went after the handlers ran: their measurements are in.
        var measured = metrics.Where(m => m.Tags.Any(t => t.Key == "channels.handler.name" && (string?)t.Value == "Otel.Room"));
        var duration = Assert.Single(measured, m => m.Instrument == "channels.handler.duration");
        Assert.Contains(duration.Tags, t => t.Key == "channels.handler.pattern" && (string?)t.Value == RoomPattern);
        Assert.Contains(duration.Tags, t => t.Key == "channels.outcome" && (string?)t.Value == "ok");
        Assert.Contains(metrics.Where(_ => true), m => m.Instrument == "channels.events" && m.Tags.Any(t => t.Key == "channels.event.kind" && (string?)t.Value == "subscribe"));

        var trace = traces.Where(a => a.TraceId == handler.TraceId || Tag(a, "channels.handler.pattern") == RoomPattern);
        Assert.NotEmpty(trace);
        Assert.DoesNotContain(trace.SelectMany(a => a.TagObjects), t => t.Value?.ToString()?.Contains(Room, StringComparison.Ordinal) == true);
        Assert.DoesNotContain(metrics.Where(_ => true).SelectMany(m => m.Tags), t => t.Value?.ToString()?.Contains(Room, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_handler_that_throws_ends_its_activity_and_the_events_in_error_with_the_exception_type()
    {
        using var traces = new TraceCollector();
        await using var server = await StartAsync();
        using var client = new RawClient(server.Address);
        await using var socket = await ConnectAsync(client);

        await socket.SendTextAsync("421[\"otel-fail\"]");
        Assert.StartsWith("431[{\"ok\":false", await socket.ReceivePacketAsync(), StringComparison.Ordinal);

        var handler = await traces.WaitAsync(a => Tag(a, "channels.handler.name") == "Otel.Fail", "for the failing handler");
        Assert.Equal(ActivityStatusCode.Error, handler.Status);
        Assert.Equal("error", Tag(handler, "channels.outcome"));
        Assert.Equal(typeof(InvalidOperationException).FullName, Tag(handler, "error.type"));
        Assert.Contains(handler.Events, e => e.Name == "exception");

        var dispatched = await traces.WaitAsync(a => a.DisplayName == "event otel-fail", "for the event");
        Assert.Equal(ActivityStatusCode.Error, dispatched.Status);
        Assert.Equal("error", Tag(dispatched, "channels.outcome"));
    }

    [Fact]
    public async Task A_subscribe_a_handler_refuses_ends_rejected_not_in_error()
    {
        using var traces = new TraceCollector();
        await using var server = await StartAsync();
        using var client = new RawClient(server.Address);
        await using var socket = await ConnectAsync(client);

        await socket.SendTextAsync("421[\"subscribe\",\"otel-closed-1\"]");
        Assert.StartsWith("431[{\"ok\":false", await socket.ReceivePacketAsync(), StringComparison.Ordinal);

        var handler = await traces.WaitAsync(a => Tag(a, "channels.handler.name") == "Otel.Closed", "for the refusing handler");
        Assert.Equal("rejected", Tag(handler, "channels.outcome"));
        Assert.Equal("^otel-closed-", Tag(handler, "channels.handler.pattern"));
        Assert.Equal(ActivityStatusCode.Unset, handler.Status);
        var dispatched = Assert.Single(traces.Where(a => a.SpanId == handler.ParentSpanId));
        Assert.Equal("subscribe", dispatched.DisplayName);
        Assert.Equal("rejected", Tag(dispatched, "channels.outcome"));
    }

    [Fact]
    public async Task An_event_a_rate_limit_refuses_is_an_activity_with_the_limit_and_no_handler_child()
    {
        using var traces = new TraceCollector();
        await using var server = await StartAsync();
        using var client = new RawClient(server.Address);
        await using var socket = await ConnectAsync(client);

        await socket.SendTextAsync("421[\"otel-limited\"]");
        Assert.Equal("431[\"ok\"]", await socket.ReceivePacketAsync());
        await socket.SendTextAsync("422[\"otel-limited\"]");
        Assert.StartsWith("432[{\"ok\":false", await socket.ReceivePacketAsync(), StringComparison.Ordinal);

        var refused = await traces.WaitAsync(a => a.DisplayName == "event otel-limited" && Tag(a, "channels.outcome") == "rate_limited", "for the refused event");
        Assert.Equal("otel", Tag(refused, "channels.rate_limit"));
        Assert.Empty(traces.Where(a => a.ParentSpanId == refused.SpanId));
        Assert.Single(traces.Where(a => Tag(a, "channels.handler.name") == "Otel.Limited"));
    }

    /// <summary>The measurements of the runtime's tagged instruments, from every meter named Channels.SDK in the process.</summary>
    private sealed class MeasurementCollector : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Instrument, KeyValuePair<string, object?>[] Tags)> _seen = [];

        public MeasurementCollector()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ChannelsTelemetry.MeterName && instrument.Name is "channels.events" or "channels.handler.duration")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Add(instrument, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Add(instrument, tags));
            _listener.Start();
        }

        public (string Instrument, KeyValuePair<string, object?>[] Tags)[] Where(Func<(string Instrument, KeyValuePair<string, object?>[] Tags), bool> match)
        {
            lock (_seen)
            {
                return [.. _seen.Where(match)];
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (_seen)
            {
                _seen.Add((instrument.Name, tags.ToArray()));
            }
        }
    }
}
