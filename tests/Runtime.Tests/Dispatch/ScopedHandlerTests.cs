using System.Collections.Concurrent;
using Channels.Dispatch;
using Channels.Tests.Conformance;
using Microsoft.Extensions.DependencyInjection;

namespace Channels.Tests.Dispatch;

/// <summary>
/// A scoped handler's event carries its scope (docs/decisions.md, "Scoped handlers see their scope
/// everywhere"): <see cref="ChannelEvent.Services"/> is the scope the handler was created from, one per
/// event, disposed after it, never the root provider. The table is written as the generator writes it for
/// a scoped handler (<see cref="GeneratedHandlerSupport.InScope"/> with the handler's create method), on
/// a real server, driven by a raw Socket.IO client over a WebSocket on 127.0.0.1.
/// </summary>
public sealed class ScopedHandlerTests
{
    /// <summary>A scoped service that counts its instances and knows when its scope let it go.</summary>
    private sealed class ScopedCounter : IDisposable
    {
        private static int s_next;

        public int Id { get; } = Interlocked.Increment(ref s_next);

        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    /// <summary>What a handler saw while it ran.</summary>
    private sealed record Seen(
        IServiceProvider EventServices,
        IServiceProvider RequestServices,
        ScopedCounter Injected,
        ScopedCounter FromEventServices,
        ScopedCounter FromRequestServices,
        bool DisposedWhileRunning);

    /// <summary>A handler class with a scoped dependency, shaped like one the generator binds (a create method and a static entry point).</summary>
    private sealed class ScopedHandler(ScopedCounter counter, ConcurrentQueue<Seen> journal)
    {
        private ScopedCounter Counter => counter;

        private ConcurrentQueue<Seen> Journal => journal;

        public static ScopedHandler __ChannelsCreate(IServiceProvider services) =>
            new(services.GetRequiredService<ScopedCounter>(), services.GetRequiredService<ConcurrentQueue<Seen>>());

        public static ValueTask<HandlerResult> __Channels_Which(ScopedHandler handler, ChannelEvent e)
        {
            handler.Journal.Enqueue(new Seen(
                e.Services,
                e.Socket.HttpContext.RequestServices,
                handler.Counter,
                e.Services.GetRequiredService<ScopedCounter>(),
                e.Socket.HttpContext.RequestServices.GetRequiredService<ScopedCounter>(),
                handler.Counter.Disposed));
            return ValueTask.FromResult(HandlerResult.Ack(handler.Counter.Id));
        }
    }

    /// <summary>The generated table's entries: a scoped handler through InScope, and a singleton-style one beside it.</summary>
    private static HandlerList Table(ConcurrentQueue<Seen> unscoped) =>
    [
        new ChannelHandlerDescriptor(
            ChannelEventKind.Event,
            "/",
            "ScopedHandler.Which",
            e => GeneratedHandlerSupport.InScope(e, ScopedHandler.__ChannelsCreate, (handler, scopedEvent) => ScopedHandler.__Channels_Which(handler, scopedEvent)),
            null,
            eventName: "which"),
        new ChannelHandlerDescriptor(
            ChannelEventKind.Event,
            "/",
            "Plain.Root",
            e =>
            {
                unscoped.Enqueue(new Seen(
                    e.Services,
                    e.Socket.HttpContext.RequestServices,
                    e.Services.GetRequiredService<ScopedCounter>(),
                    e.Services.GetRequiredService<ScopedCounter>(),
                    e.Socket.HttpContext.RequestServices.GetRequiredService<ScopedCounter>(),
                    DisposedWhileRunning: false));
                return ValueTask.FromResult(HandlerResult.Ack("root"));
            },
            null,
            eventName: "root"),
    ];

    [Fact]
    public async Task A_scoped_handlers_event_services_are_its_own_scope_fresh_per_event_and_disposed_after_it()
    {
        var scoped = new ConcurrentQueue<Seen>();
        var unscoped = new ConcurrentQueue<Seen>();
        await using var server = await TestServer.StartAsync(Table(unscoped), services: s =>
        {
            s.AddScoped<ScopedCounter>();
            s.AddSingleton(scoped);
        });
        using var client = new RawClient(server.Address);
        var (socket, _) = await client.OpenWebSocketAsync("/socket.io");
        await using var __ = socket;
        await socket.SendTextAsync("40");
        Assert.StartsWith("40{", await socket.ReceivePacketAsync(), StringComparison.Ordinal);

        // Each ack is sent after the handler's scope is disposed (InScope returns only then).
        await socket.SendTextAsync("421[\"which\"]");
        var firstAck = await socket.ReceivePacketAsync();
        await socket.SendTextAsync("422[\"which\"]");
        var secondAck = await socket.ReceivePacketAsync();
        await socket.SendTextAsync("423[\"root\"]");
        Assert.Equal("433[\"root\"]", await socket.ReceivePacketAsync());

        var seen = scoped.ToArray();
        Assert.Equal(2, seen.Length);
        var (first, second) = (seen[0], seen[1]);
        Assert.Equal($"431[{first.Injected.Id}]", firstAck);
        Assert.Equal($"432[{second.Injected.Id}]", secondAck);

        // The event's Services is the handler's scope: the same scoped instance, and the same provider
        // the socket's HttpContext.RequestServices is while the handler runs.
        Assert.All(seen, s =>
        {
            Assert.Same(s.Injected, s.FromEventServices);
            Assert.Same(s.Injected, s.FromRequestServices);
            Assert.Same(s.EventServices, s.RequestServices);
            Assert.False(s.DisposedWhileRunning);
            Assert.True(s.Injected.Disposed, "the event's scope was not disposed after the event");
        });

        // A new scope for each event.
        Assert.NotSame(first.EventServices, second.EventServices);
        Assert.NotSame(first.Injected, second.Injected);

        // Not the root provider: the root (which a singleton handler sees, and which RequestServices is
        // again once the scoped handler returned) resolves its own instance, never disposed by an event.
        var root = Assert.Single(unscoped);
        var rootCounter = server.Services.GetRequiredService<ScopedCounter>();
        Assert.Same(rootCounter, root.FromEventServices);
        Assert.Same(rootCounter, root.FromRequestServices);
        Assert.False(rootCounter.Disposed);
        Assert.All(seen, s =>
        {
            Assert.NotSame(server.Services, s.EventServices);
            Assert.NotSame(root.EventServices, s.EventServices);
            Assert.NotSame(rootCounter, s.FromEventServices);
        });
    }
}
