using Channels.Admin;
using Channels.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Channels;

/// <summary>Adds the server side of the Socket.IO Admin UI (<c>@socket.io/admin-ui</c>).</summary>
public static class AdminUIBuilderExtensions
{
    /// <summary>
    /// Serves the Socket.IO Admin UI's protocol on its own namespace (<c>/admin</c> by default) of the Channels
    /// endpoint: the sockets of every namespace, their channels as rooms, their events, server statistics, and
    /// the UI's join, leave, disconnect and emit commands. Every UI connection must authenticate; the app fails
    /// at start when <paramref name="configure"/> sets neither a user name and password nor a callback.
    /// </summary>
    public static IChannelsBuilder AddAdminUI(this IChannelsBuilder builder, Action<AdminUIOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddOptions<AdminUIOptions>()
            .Configure(configure)
            .Validate(static o => o.Authenticate is not null || (!string.IsNullOrEmpty(o.Username) && !string.IsNullOrEmpty(o.Password)),
                "AddAdminUI needs authentication: set options.Username and options.Password, or options.Authenticate. The Admin UI is never served without it.")
            .Validate(static o => o.Namespace is ['/', _, ..], "AdminUIOptions.Namespace must start with '/' and must not be the default namespace '/'.")
            .Validate(static o => o.StatsInterval > TimeSpan.Zero, "AdminUIOptions.StatsInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton(static sp => new AdminUIServer(
            sp.GetRequiredService<IOptions<AdminUIOptions>>().Value,
            sp.GetRequiredService<ChannelPublisher>(),
            sp.GetRequiredService<ChannelsMetrics>(),
            sp.GetRequiredService<ChannelsLog>(),
            sp.GetRequiredService<TimeProvider>(),
            sp));
        services.AddSingleton<ISocketObserver>(static sp => sp.GetRequiredService<AdminUIServer>());
        services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<AdminUIServer>());
        return builder.AddHandlers(static sp => sp.GetRequiredService<AdminUIServer>().Handlers);
    }
}
