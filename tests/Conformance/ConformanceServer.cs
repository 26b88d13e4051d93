using Channels.Dispatch;
using Channels.Diagnostics;
using Channels.Protocol;
using Channels.Transport;
using Microsoft.Extensions.Options;

namespace Channels.Conformance;

/// <summary>The settings the official suites expect, and the plain Engine.IO echo endpoint.</summary>
public static class ConformanceServer
{
    /// <summary>pingInterval 300, pingTimeout 200, maxPayload 1000000, connect timeout 1000 ms.</summary>
    public static void Configure(ChannelsOptions options)
    {
        options.PingInterval = TimeSpan.FromMilliseconds(300);
        options.PingTimeout = TimeSpan.FromMilliseconds(200);
        options.MaxPayloadBytes = 1_000_000;
        options.ConnectTimeout = TimeSpan.FromMilliseconds(1000);
    }

    /// <summary>Maps an Engine.IO endpoint that sends every message straight back.</summary>
    public static IEndpointConventionBuilder MapEngineEcho(this IEndpointRouteBuilder endpoints, string path)
    {
        var services = endpoints.ServiceProvider;
        var engine = new EngineServer(
            services.GetRequiredService<IOptions<ChannelsOptions>>().Value,
            services.GetRequiredService<ChannelsLog>(),
            services.GetRequiredService<ChannelsMetrics>(),
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<OriginPolicy>(),
            static (session, _) => new EchoHandler(session));
        var app = endpoints.CreateApplicationBuilder();
        app.UseWebSockets();
        app.Run(engine.HandleAsync);
        return endpoints.Map(path + "/", app.Build());
    }

    private sealed class EchoHandler(EngineSession session) : IEngineHandler
    {
        public ValueTask OnMessageAsync(EnginePacket packet)
        {
            if (packet.IsBinary)
            {
                session.TrySend(new EngineFrame(ReadOnlyMemory<byte>.Empty, [packet.Data]));
            }
            else
            {
                var frame = new byte[packet.Data.Length + 1];
                frame[0] = (byte)'4';
                packet.Data.Span.CopyTo(frame.AsSpan(1));
                session.TrySend(new EngineFrame(frame));
            }

            return ValueTask.CompletedTask;
        }

        public void OnClosed(EngineCloseReason reason)
        {
        }
    }
}

/// <summary>The Socket.IO suite's reference handlers, written by hand against the dispatch contract.</summary>
public sealed class ConformanceHandlers : IChannelHandlerTable
{
    /// <inheritdoc />
    public IReadOnlyList<ChannelHandlerDescriptor> Handlers { get; } =
    [
        new(ChannelEventKind.Connect, "/", "EmitAuth", EmitAuthAsync),
        new(ChannelEventKind.Connect, "/custom", "EmitAuth", EmitAuthAsync),
        new(ChannelEventKind.Message, "/", "MessageBack", static async e =>
        {
            await e.Socket.EmitAsync("message-back", e.Payload);
            return HandlerResult.Continue;
        }),
        new(ChannelEventKind.Event, "/", "MessageWithAck", static e => ValueTask.FromResult(HandlerResult.Ack(e.Payload)), eventName: "message-with-ack"),
    ];

    private static async ValueTask<HandlerResult> EmitAuthAsync(ChannelEvent e)
    {
        await e.Socket.EmitAsync("auth", e.Socket.Auth);
        return HandlerResult.Continue;
    }
}
