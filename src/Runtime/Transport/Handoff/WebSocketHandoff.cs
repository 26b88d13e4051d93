using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Channels.Transport.Handoff;

/// <summary>
/// The Kestrel connection middleware behind <see cref="HandoffConnection"/>. It reads a new connection's first
/// request line: a WebSocket handshake for a mapped path is given to the HTTP layer through a
/// <see cref="HandoffConnection"/>, and once the WebSocket was taken over, it runs here on the real
/// connection after the HTTP layer has ended (Kestrel closes the connection when this returns); any other
/// connection goes to the HTTP layer as it is, the bytes read left where they were.
/// </summary>
internal static class WebSocketHandoff
{
    /// <summary>Adds the middleware to an endpoint (outermost: under TLS it sees no request line and lets everything through).</summary>
    public static void Use(ListenOptions listen, HandoffPaths paths, TimeSpan patience) =>
        listen.Use(next => connection => ServeAsync(connection, next, paths, patience));

    private static async Task ServeAsync(ConnectionContext connection, ConnectionDelegate next, HandoffPaths paths, TimeSpan patience)
    {
        if (!await IsHandshakeAsync(connection.Transport.Input, paths, patience))
        {
            await next(connection);
            return;
        }

        HandoffConnection? handoff = new(connection);
        await next(handoff);

        // Only the WebSocket's own objects stay for its life: not the wrapper, its features or the delegate.
        var run = handoff.TakeContinuation();
        handoff = null;
        await Start(run);
    }

    private static Task Start(Func<Task>? run) => run?.Invoke() ?? Task.CompletedTask;

    /// <summary>
    /// Waits for the first request line (at most <paramref name="patience"/>, Kestrel's request headers
    /// timeout: a client that sends nothing is then Kestrel's to time out) and leaves every byte unconsumed.
    /// </summary>
    private static async ValueTask<bool> IsHandshakeAsync(PipeReader input, HandoffPaths paths, TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        var start = default(SequencePosition);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token);
                var buffer = result.Buffer;
                start = buffer.Start;
                var verdict = result.IsCanceled || result.IsCompleted ? false : paths.IsHandshake(buffer);
                if (verdict is { } known)
                {
                    input.AdvanceTo(start, start);
                    return known;
                }

                input.AdvanceTo(start, buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Puts the middleware on every Kestrel endpoint through the endpoint defaults, registered before any
    /// other configuration of Kestrel's options, so that an application's own
    /// <see cref="KestrelServerOptions.ConfigureEndpointDefaults"/> replaces it rather than being replaced.
    /// </summary>
    internal sealed class Setup(IOptions<ChannelsOptions> options, HandoffPaths paths) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions kestrel)
        {
            if (options.Value.WebSocketHandoff)
            {
                // A taken connection leaves Kestrel's count of upgraded connections: where the application
                // bounds that count, every WebSocket stays in its request so that the bound keeps holding.
                kestrel.ConfigureEndpointDefaults(listen =>
                {
                    if (kestrel.Limits.MaxConcurrentUpgradedConnections is null)
                    {
                        Use(listen, paths, kestrel.Limits.RequestHeadersTimeout);
                    }
                });
            }
        }
    }
}
