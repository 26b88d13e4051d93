using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Channels.Transport.Handoff;

/// <summary>
/// The Kestrel connection middleware behind <see cref="HandoffConnection"/>: gives the HTTP layer the
/// connection through a <see cref="HandoffConnection"/>, and when a WebSocket was taken over, runs it on the
/// real connection after the HTTP layer has ended; Kestrel closes the connection when this returns.
/// </summary>
internal static class WebSocketHandoff
{
    /// <summary>Adds the middleware to an endpoint (outermost: a TLS endpoint replaces the transport, and the handoff declines there).</summary>
    public static void Use(ListenOptions listen) => listen.Use(static next => connection => ServeAsync(connection, next));

    private static async Task ServeAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        HandoffConnection? handoff = new(connection);
        await next(handoff);

        // Only the WebSocket's own objects stay for its life: not the wrapper, its features or the delegate.
        var run = handoff.TakeContinuation();
        handoff = null;
        await Start(run);
    }

    private static Task Start(Func<Task>? run) => run?.Invoke() ?? Task.CompletedTask;

    /// <summary>
    /// Puts the middleware on every Kestrel endpoint through the endpoint defaults, registered before any
    /// other configuration of Kestrel's options, so that an application's own
    /// <see cref="KestrelServerOptions.ConfigureEndpointDefaults"/> replaces it rather than being replaced.
    /// </summary>
    internal sealed class Setup(IOptions<ChannelsOptions> options) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions kestrel)
        {
            if (options.Value.WebSocketHandoff)
            {
                kestrel.ConfigureEndpointDefaults(Use);
            }
        }
    }
}
