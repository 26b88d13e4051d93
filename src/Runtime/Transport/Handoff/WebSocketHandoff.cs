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
        var handoff = new HandoffConnection(connection);
        await next(handoff);
        if (handoff.Continuation is { } run)
        {
            await run();
        }
    }

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
