using System.Collections.Concurrent;
using Channels.Dispatch;
using Channels.Tests.Conformance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Channels.Tests.Integration;

/// <summary>Two ways a handler could hang the server, each turned into a clear error or log line.</summary>
public sealed class ConnectAndShutdownEdgeTests
{
    [Fact]
    public async Task Awaiting_an_ack_in_OnConnect_fails_at_once_with_why_instead_of_hanging_the_connection()
    {
        var errors = new ConcurrentQueue<string>();
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Connect, async e =>
        {
            await e.Socket.EmitWithAckAsync("question", []);
            return HandlerResult.Continue;
        });
        handlers.Add(ChannelEventKind.Error, e => errors.Enqueue(e.Exception!.Message));
        await using var server = await TestServer.StartAsync(handlers);
        using var raw = new RawClient(server.Address);
        var (client, _) = await raw.OpenWebSocketAsync("/socket.io");
        await using var _ = client;

        await client.SendTextAsync("40");

        // The connect handler failed, so the connect is refused; [OnError] has the reason.
        Assert.Equal("""44{"message":"internal server error"}""", await client.ReceivePacketAsync());
        var error = Assert.Single(errors);
        Assert.Contains("cannot be awaited in [OnConnect]", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handler_that_outlives_the_hosts_shutdown_timeout_is_logged_and_the_host_still_stops()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlers = new HandlerList();
        handlers.Add(ChannelEventKind.Event, async _ =>
        {
            holding.TrySetResult();
            await gate.Task;
            return HandlerResult.Continue;
        }, eventName: "hold");
        var logs = new LogCapture();
        var server = await TestServer.StartAsync(handlers, services: s =>
        {
            s.AddSingleton<ILoggerProvider>(logs);
            s.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300));
        });
        try
        {
            using var raw = new RawClient(server.Address);
            var (client, _) = await raw.OpenWebSocketAsync("/socket.io");
            await using var _ = client;
            await client.SendTextAsync("40");
            Assert.StartsWith("40{", await client.ReceivePacketAsync(), StringComparison.Ordinal);
            await client.SendTextAsync("""42["hold"]""");
            await holding.Task.WaitAsync(TimeSpan.FromSeconds(10));

            // Stopping must not throw, whatever the stuck handler does.
            await server.DisposeAsync();

            Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.StartsWith("Shutdown timed out with 1 connections", StringComparison.Ordinal));
        }
        finally
        {
            gate.TrySetResult();
        }
    }
}
