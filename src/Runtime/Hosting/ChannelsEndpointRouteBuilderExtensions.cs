using Channels.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Channels;

/// <summary>Maps the Channels endpoint.</summary>
public static class ChannelsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the Socket.IO endpoint at <paramref name="path"/> (<c>/socket.io</c>, where socket.io-client
    /// looks by default). Endpoint conventions such as <c>RequireAuthorization()</c> and
    /// <c>RequireCors()</c> apply to every request of every transport.
    /// </summary>
    public static IEndpointConventionBuilder MapChannels(this IEndpointRouteBuilder endpoints, string path = "/socket.io")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var server = endpoints.ServiceProvider.GetRequiredService<ChannelsServer>();
        var pattern = path.TrimEnd('/');
        var app = endpoints.CreateApplicationBuilder();
        app.UseWebSockets();
        app.Run(server.Engine.HandleAsync);
        return endpoints.Map(pattern + "/", app.Build()).WithDisplayName("Channels " + pattern);
    }
}
