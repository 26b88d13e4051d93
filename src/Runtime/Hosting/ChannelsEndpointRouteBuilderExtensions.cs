using Channels.Hosting;
using Channels.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Channels;

/// <summary>Maps the Channels endpoint.</summary>
public static class ChannelsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the Socket.IO endpoint at <paramref name="path"/> (<c>/socket.io</c>, where socket.io-client
    /// looks by default) and the browser client beside it (<c>channels.js</c>, <c>channels.d.ts</c>). The
    /// builder returned applies conventions such as <c>RequireAuthorization()</c> and <c>RequireCors()</c>
    /// to every endpoint mapped here. Request timeouts never apply: a poll and a WebSocket live long.
    /// </summary>
    public static IEndpointConventionBuilder MapChannels(this IEndpointRouteBuilder endpoints, string path = "/socket.io")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(path);
        var engine = endpoints.ServiceProvider.GetService<EngineServer>()
            ?? throw new InvalidOperationException("MapChannels() needs the Channels services: call builder.Services.AddChannels() first.");
        var pattern = path.TrimEnd('/');
        endpoints.ServiceProvider.GetService<Transport.Handoff.HandoffPaths>()?.Add(pattern);
        var app = endpoints.CreateApplicationBuilder();
        app.Use(static (http, next) =>
        {
            CorkingUpgradeFeature.Install(http);
            return next(http);
        });
        app.UseWebSockets();
        app.Run(engine.HandleAsync);
        var socketIo = endpoints.Map(pattern + "/", app.Build())
            .WithDisplayName("Channels " + pattern)
            .WithMetadata(new DisableRequestTimeoutAttribute());
        return new CompositeConventionBuilder(
        [
            socketIo,
            MapClientFile(endpoints, engine.Origins, pattern + "/channels.js", "Channels.Client.channels.js", "text/javascript; charset=utf-8"),
            MapClientFile(endpoints, engine.Origins, pattern + "/channels.d.ts", "Channels.Client.channels.d.ts", "text/plain; charset=utf-8"),
        ]);
    }

    /// <summary>
    /// Serves a file of the browser client, embedded in this assembly, with an ETag, and with CORS headers for
    /// an allowed origin, so that a page there can <c>import</c> it (a module script is fetched with CORS).
    /// </summary>
    private static IEndpointConventionBuilder MapClientFile(IEndpointRouteBuilder endpoints, OriginPolicy origins, string route, string resource, string contentType)
    {
        using var stream = typeof(ChannelsEndpointRouteBuilderExtensions).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded client file {resource} is missing.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var etag = $"\"{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes), 0, 8)}\"";
        return endpoints.MapGet(route, http =>
        {
            var origin = origins.Judge(http.Request);
            if (CrossOrigin.Applies(http, origin))
            {
                CrossOrigin.AddHeaders(http, origin);
            }

            http.Response.Headers.ETag = etag;
            http.Response.Headers.CacheControl = "no-cache";
            if (http.Request.Headers.IfNoneMatch == etag)
            {
                http.Response.StatusCode = StatusCodes.Status304NotModified;
                return Task.CompletedTask;
            }

            http.Response.ContentType = contentType;
            http.Response.ContentLength = bytes.Length;
            return http.Response.Body.WriteAsync(bytes).AsTask();
        }).WithDisplayName("Channels client " + route);
    }
}
