using System.Diagnostics;
using Channels.Dispatch;
using Channels.Tests;
using Channels.Tests.Diagnostics;
using Channels.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Redis.Tests;

/// <summary>
/// Trace context through the Redis backplane: a publication made in a trace on one server is delivered on
/// the other in a <c>deliver</c> activity of the same trace, a child of the publisher's activity.
/// </summary>
public sealed class TracingAcrossServersTests
{
    private static readonly object WebSocketOnly = new { transports = new[] { "websocket" } };

    private static Task<TestServer> StartAsync(RedisServer redis)
    {
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Subscribe, _ => { }, pattern: "^traced-");
        return TestServer.StartAsync(handlers, services: s => s.AddChannels().AddRedisBackplane(o => o.Configuration = redis.Configuration));
    }

    [Fact]
    public async Task A_publication_made_in_a_trace_on_one_server_is_delivered_in_that_trace_on_the_other()
    {
        using var traces = new TraceCollector();
        await using var redis = await RedisServer.StartAsync();
        await using var a = await StartAsync(redis);
        await using var b = await StartAsync(redis);
        await using var node = NodeClients.Start();
        await node.ConnectedAsync("b1", b.Address, options: WebSocketOnly);
        await node.EmitWithAckAsync("b1", "subscribe", "traced-room");

        ActivityTraceId traceId;
        ActivitySpanId spanId;
        using (var request = TraceCollector.TestSource.StartActivity("publish request"))
        {
            Assert.NotNull(request);
            (traceId, spanId) = (request.TraceId, request.SpanId);
            await a.Services.GetRequiredService<IChannelPublisher>().Channel("traced-room").SendAsync("in a trace");
        }

        await node.WaitAsync(
            e => e["client"]?.GetValue<string>() == "b1" && e["event"]?.GetValue<string>() == "message" && e["args"]?[0]?.ToString() == "in a trace",
            "the message on b1");
        var delivery = await traces.WaitAsync(x => x.DisplayName == "deliver" && x.TraceId == traceId, "deliver in the publisher's trace");
        Assert.Equal(spanId, delivery.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, delivery.Kind);
        Assert.Equal("/", delivery.GetTagItem("channels.namespace"));
        Assert.Equal("channels", delivery.GetTagItem("channels.publication.target"));
        Assert.Equal(1, delivery.GetTagItem("channels.publication.recipients"));

        // Server a delivered locally (no activity) and dropped its own publication when Redis echoed it back.
        Assert.Single(traces.Where(x => x.DisplayName == "deliver" && x.TraceId == traceId));
    }
}
